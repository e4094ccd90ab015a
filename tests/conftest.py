"""Shared fixtures: every API test runs on SQLite and, when FLOWPORT_TEST_DATABASE_URL is set, PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from flowport.api.app import create_app
from flowport.config import Settings
from tests.databases import private_postgres_schema
from tests.helpers import STATIC_AUTH_SETTINGS, STATIC_TOKEN


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty database: a SQLite file, or a private schema in the test PostgreSQL."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'flowport.db'}"
        return
    with private_postgres_schema() as url:
        yield url


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
