"""The admin API tests' app: a fresh server whose admin client the tests act as."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from flowport.config import Settings
from tests.api.auth_helpers import admin_settings, bare_client, bearer


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return admin_settings(database_url, tmp_path)


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    yield from bare_client(settings)


@pytest.fixture
def admin(client: TestClient) -> dict[str, str]:
    """Headers that authenticate as the server's admin client."""
    return bearer(client)
