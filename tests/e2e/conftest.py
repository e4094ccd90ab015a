"""End-to-end fixtures: a real server process per test module and database kind."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.server import LiveServer


@pytest.fixture
def live_server(database_url: str, tmp_path: Path) -> Iterator[LiveServer]:
    with LiveServer(tmp_path, database_url, scheduler_max_sleep=0.2) as server:
        yield server
