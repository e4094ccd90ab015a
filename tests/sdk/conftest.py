"""The SDK against a real server process: one per test module, with a known admin client."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from flowport.client import Client
from tests.e2e.server import LiveServer

ADMIN_ID = "sdk-admin"
ADMIN_SECRET = "sdk-admin-secret-that-is-long-enough-0123456789"
ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "src" / "flowport" / "examples"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    data = tmp_path_factory.mktemp("sdk-server")
    with LiveServer(
        data, scheduler_max_sleep=0.2, admin_client_id=ADMIN_ID, admin_client_secret=ADMIN_SECRET
    ) as live:
        yield live


@pytest.fixture
def flowport(server: LiveServer) -> Iterator[Client]:
    with Client(server.url, client_id=ADMIN_ID, client_secret=ADMIN_SECRET) as client:
        yield client
