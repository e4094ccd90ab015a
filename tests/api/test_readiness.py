"""/readyz fails while a write is stuck on the database write lock; /healthz stays up (liveness)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from flowport.api.app import create_app
from flowport.config import Settings
from flowport.persistence.db import write_transaction
from flowport.services.context import Services
from tests.api.auth_helpers import problem
from tests.helpers import STATIC_AUTH_SETTINGS


def app_client(database_url: str, tmp_path: Path, stuck_write_seconds: float) -> Iterator[TestClient]:
    settings = Settings(
        data_dir=tmp_path,
        database_url=database_url,  # type: ignore[arg-type]
        scheduler_enabled=False,  # no writer of its own: the test's is the only one
        stuck_write_seconds=stuck_write_seconds,
        auth=STATIC_AUTH_SETTINGS,  # type: ignore[arg-type]
    )
    with TestClient(create_app(settings)) as client:
        yield client


@pytest.fixture
def strict(database_url: str, tmp_path: Path) -> Iterator[TestClient]:
    """Any write in progress counts as stuck: the test decides when one is, no timer races."""
    yield from app_client(database_url, tmp_path, 0)


@pytest.fixture
def default(database_url: str, tmp_path: Path) -> Iterator[TestClient]:
    yield from app_client(database_url, tmp_path, 30)


def services_of(client: TestClient) -> Services:
    services: Services = client.app.state.services  # type: ignore[attr-defined]
    return services


def test_readyz_fails_while_the_write_lock_is_held_too_long(strict: TestClient) -> None:
    assert strict.get("/readyz").json() == {"status": "ready"}
    with write_transaction(services_of(strict).db):  # a writer that does not finish
        body = problem(strict.get("/readyz"), 503)
        assert "write lock" in body["detail"] and body["stuckWriteSeconds"] >= 0
        assert strict.get("/healthz").json() == {"status": "ok"}
    assert strict.get("/readyz").status_code == 200  # the writer finished: ready again


def test_a_write_in_progress_within_the_limit_is_fine(default: TestClient) -> None:
    with write_transaction(services_of(default).db):
        assert default.get("/readyz").json() == {"status": "ready"}
