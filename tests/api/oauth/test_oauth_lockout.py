"""Failed client authentication: 429 with Retry-After per (client, address), secret unchecked.

TestClient's ``client=(host, port)`` sets the ASGI client address, the same field uvicorn fills
from the socket (or from X-Forwarded-For when the peer is a trusted proxy), so these tests drive
the limiter exactly as real traffic from different addresses would.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from flowport.api.app import create_app
from flowport.config import Settings
from flowport.services import audit
from tests.api.oauth_support import (
    APP,
    APP_SECRET,
    READER,
    READER_SECRET,
    oauth_error,
    oauth_settings,
    services_of,
)

ATTACKER = ("203.0.113.5", 40000)
OFFICE = ("198.51.100.7", 40000)


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return oauth_settings(database_url, tmp_path, failure_threshold=3, failure_window_seconds=120)


@pytest.fixture
def app_clients(settings: Settings) -> Iterator[tuple[TestClient, TestClient]]:
    app = create_app(settings)
    with TestClient(app, client=ATTACKER) as attacker:
        # The lifespan ran once (above); this second client only uses another source address.
        yield attacker, TestClient(app, client=OFFICE)


def basic(http: TestClient, secret: str, client_id: str = APP, path: str = "/oauth/token") -> object:
    return http.post(path, data={"grant_type": "client_credentials"}, auth=(client_id, secret))


def test_lockout_answers_429_without_checking_the_secret(app_clients: tuple[TestClient, TestClient]) -> None:
    attacker, office = app_clients
    for n in range(3):
        oauth_error(basic(attacker, f"guess-{n}"), 401, "invalid_client")
    wrong = basic(attacker, "guess-4")
    right = basic(attacker, APP_SECRET)
    for response in (wrong, right):
        body = oauth_error(response, 429, "invalid_client")
        assert 1 <= int(response.headers["retry-after"]) <= 120  # type: ignore[attr-defined]
    assert wrong.json() == right.json()  # type: ignore[attr-defined]
    # The same client from another address keeps working; another client from this address too.
    assert basic(office, APP_SECRET).status_code == 200  # type: ignore[attr-defined]
    assert basic(attacker, READER_SECRET, READER).status_code == 200  # type: ignore[attr-defined]
    # The lockout covers the other endpoints where the client authenticates.
    oauth_error(basic(attacker, APP_SECRET, path="/connect/introspect"), 429, "invalid_client")
    assert body["error_description"].startswith("Too many failed")


def test_lockout_and_failures_are_audited(app_clients: tuple[TestClient, TestClient]) -> None:
    attacker, _ = app_clients
    for n in range(4):
        basic(attacker, f"guess-{n}")
    services = services_of(attacker)
    events = audit.search(services, env=None, event=None, cursor=None, limit=50).items
    failed = [e for e in events if e.event == "auth.failed"]
    lockouts = [e for e in events if e.event == "auth.lockout"]
    assert len(failed) == 3 and len(lockouts) == 1  # the 4th attempt was refused unchecked
    assert lockouts[0].subject == APP and lockouts[0].source_ip == ATTACKER[0]
    assert failed[0].details is not None and failed[0].details["clientFailures"] >= 1
    assert "guess-" not in repr(events)


def test_spraying_client_ids_from_one_address_locks_the_address(
    app_clients: tuple[TestClient, TestClient],
) -> None:
    attacker, office = app_clients
    for n in range(15):  # 5 x threshold, each against another made-up client id
        basic(attacker, "x", client_id=f"guess-{n}")
    oauth_error(basic(attacker, APP_SECRET), 429, "invalid_client")
    assert basic(office, APP_SECRET).status_code == 200  # type: ignore[attr-defined]
