"""The token-service tests' app: declared clients (see ``oauth_support``), no static token."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from flowport.api.app import create_app
from flowport.config import Settings
from tests.api.oauth_support import oauth_settings


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return oauth_settings(database_url, tmp_path)


@pytest.fixture
def http(settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings)) as test_client:
        yield test_client
