"""A fresh data directory is private: 0700, and its database, WAL, lock and key files 0600."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from flowport.api.app import create_app
from flowport.config import Settings
from tests.helpers import AUTH, STATIC_AUTH_SETTINGS


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def usual_umask() -> Iterator[None]:
    """The common umask 022: without explicit modes, files would come out 0644 (world-readable)."""
    previous = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(previous)


def test_a_start_creates_private_files(tmp_path: Path, usual_umask: None) -> None:
    data = tmp_path / "fresh" / "data"
    settings = Settings(data_dir=data, scheduler_enabled=False, auth=STATIC_AUTH_SETTINGS)  # type: ignore[arg-type]
    with TestClient(create_app(settings), headers=AUTH) as client:
        assert client.post("/api/v1/signals", json={"name": "nobody-waits"}).status_code < 300  # a write
        assert mode(data) == 0o700
        files = {name: data / name for name in ("flowport.db", "flowport.db-wal", "flowport.db-shm")}
        files |= {"lock": data / "flowport.db.lock", "key": data / "master.key"}
        assert {name: oct(mode(path)) for name, path in files.items()} == dict.fromkeys(files, "0o600")
        assert not [p.name for p in data.iterdir() if mode(p) & 0o077]
