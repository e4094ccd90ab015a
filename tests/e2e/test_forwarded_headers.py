"""X-Forwarded-For picks the rate-limited source address only when a trusted proxy sends it.

A real server process, because uvicorn (not the app) decides whether to believe the header.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.e2e.server import LiveServer

ID, SECRET = "app", "app-secret-for-the-forwarded-suite-0123"
AUTH: dict[str, Any] = {
    "clients": [{"client_id": ID, "client_secret": SECRET, "profile": "ObjectRead"}],
    "failure_threshold": 3,
    "failure_window_seconds": 60,
}


def attempt(server: LiveServer, secret: str, address: str | None = None) -> httpx.Response:
    headers = {"X-Forwarded-For": address} if address else {}
    return httpx.post(
        f"{server.url}/oauth/token?grant_type=client_credentials", auth=(ID, secret), headers=headers
    )


@pytest.fixture
def direct(tmp_path: Path) -> Iterator[LiveServer]:
    """Default settings: no trusted proxies."""
    with LiveServer(tmp_path, scheduler_enabled=False, auth=AUTH) as live:
        yield live


@pytest.fixture
def behind_proxy(tmp_path: Path) -> Iterator[LiveServer]:
    """The test plays the reverse proxy on 127.0.0.1, given as FLOWPORT_TRUSTED_PROXIES would."""
    with LiveServer(tmp_path, scheduler_enabled=False, auth=AUTH, trusted_proxies="127.0.0.1") as live:
        yield live


def test_by_default_a_forwarded_address_cannot_dodge_the_lockout(direct: LiveServer) -> None:
    for n in range(3):  # a new made-up address each time: all count against the real peer
        assert attempt(direct, f"guess-{n}", f"10.1.2.{n}").status_code == 401
    for n in range(30):
        locked = attempt(direct, f"guess-again-{n}", f"10.2.{n}.1")
        assert locked.status_code == 429, locked.text
    right = attempt(direct, SECRET, "10.1.2.3")  # the right secret from a "new" address: still locked
    assert right.status_code == 429, right.text
    assert attempt(direct, SECRET).status_code == 429


def test_behind_a_trusted_proxy_the_forwarded_address_is_the_one_limited(behind_proxy: LiveServer) -> None:
    for n in range(3):
        assert attempt(behind_proxy, f"guess-{n}", "203.0.113.9").status_code == 401
    locked = attempt(behind_proxy, SECRET, "203.0.113.9")  # the right secret, unchecked
    assert locked.status_code == 429, locked.text
    assert 1 <= int(locked.headers["retry-after"]) <= 60
    assert attempt(behind_proxy, "guess-again", "203.0.113.9").json() == locked.json()
    assert attempt(behind_proxy, SECRET, "198.51.100.3").status_code == 200  # another client address
    assert attempt(behind_proxy, SECRET).status_code == 200  # and the proxy's own address
