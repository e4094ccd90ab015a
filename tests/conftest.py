"""Shared fixtures: every API test runs on SQLite and, when FLOWPORT_TEST_DATABASE_URL is set, PostgreSQL."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text

from flowport.api.app import create_app
from flowport.config import Settings, normalize_database_url
from tests.helpers import STATIC_AUTH_SETTINGS, STATIC_TOKEN

PG_URL = os.environ.get("FLOWPORT_TEST_DATABASE_URL")


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty database: a SQLite file, or a private schema in the test PostgreSQL."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'flowport.db'}"
        return
    if not PG_URL:
        pytest.skip("PostgreSQL tests need FLOWPORT_TEST_DATABASE_URL (CI sets it)")
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(normalize_database_url(PG_URL))
    with admin.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    sep = "&" if "?" in PG_URL else "?"
    yield f"{normalize_database_url(PG_URL)}{sep}options=-csearch_path%3D{schema}"
    with admin.begin() as conn:
        conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
    admin.dispose()


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    """Test settings: the token service is on; the suite's client authenticates with a static token."""
    return Settings(
        data_dir=tmp_path,
        database_url=database_url,  # type: ignore[arg-type]
        scheduler_max_sleep=0.2,
        auth=STATIC_AUTH_SETTINGS,  # type: ignore[arg-type]
    )


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    """An HTTP client of a fresh app, authenticated with every permission."""
    with TestClient(create_app(settings), headers={"Authorization": f"Bearer {STATIC_TOKEN}"}) as test_client:
        yield test_client


@pytest.fixture
def anonymous(settings: Settings) -> Iterator[TestClient]:
    """An HTTP client of a fresh app that sends no credentials."""
    with TestClient(create_app(settings)) as test_client:
        yield test_client
