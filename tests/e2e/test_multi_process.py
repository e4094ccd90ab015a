"""Several server processes sharing PostgreSQL: timers fire exactly once, work is shared."""

from __future__ import annotations

import time
from pathlib import Path

import httpx
import pytest

from tests.e2e.server import LiveServer
from tests.helpers import STATIC_AUTH_SETTINGS, bpmn


@pytest.fixture
def pg_url(database_url: str) -> str:
    if not database_url.startswith("postgresql"):
        pytest.skip("several processes share a PostgreSQL database")
    return database_url


def test_two_servers_fire_each_timer_exactly_once(pg_url: str, tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    # Servers sharing a database share its encrypted signing keys, so they share the master key.
    auth = {**STATIC_AUTH_SETTINGS, "master_key": "shared-master-key-for-both-servers-0123456789"}
    with (
        LiveServer(tmp_path / "a", pg_url, scheduler_max_sleep=0.2, auth=auth) as first,
        LiveServer(tmp_path / "b", pg_url, scheduler_max_sleep=0.2, auth=auth) as second,
    ):
        with httpx.Client(base_url=first.url, timeout=30, headers=first.headers) as http:
            response = http.post(
                "/api/v1/process-definitions",
                content=bpmn("timer_intermediate.bpmn"),
                headers={"content-type": "application/xml"},
            )
            assert response.status_code == 201, response.text
            ids = [
                http.post("/api/v1/process-instances", json={"definitionKey": "timer_intermediate"}).json()[
                    "id"
                ]
                for _ in range(20)
            ]
        deadline = time.monotonic() + 30
        with httpx.Client(base_url=second.url, timeout=30, headers=second.headers) as http:
            while time.monotonic() < deadline:
                waiting = http.get("/api/v1/tasks", params={"elementId": "after_wait", "limit": 1000}).json()[
                    "items"
                ]
                if len(waiting) == len(ids):
                    break
                time.sleep(0.2)
            assert len(waiting) == len(ids)
            for instance_id in ids:
                history = http.get(f"/api/v1/process-instances/{instance_id}/history").json()["items"]
                assert [h["event"] for h in history].count("timer fired") == 1, instance_id
        fired = [
            _counter(
                httpx.get(f"{server.url}/metrics", headers=server.headers).text, "flowport_timers_fired_total"
            )
            for server in (first, second)
        ]
        assert sum(fired) == len(ids)


def _counter(metrics: str, name: str) -> float:
    for line in metrics.splitlines():
        if line.startswith(name + " "):
            return float(line.split()[1])
    return 0.0


def test_two_workers_start_together_on_a_fresh_sqlite_database(tmp_path: Path) -> None:
    # Both workers migrate and bootstrap the same new file at once: one waits for the other.
    with LiveServer(tmp_path, workers=2) as server:
        time.sleep(1.0)  # let the second worker finish (or fail) its start-up
        answers = [
            httpx.get(f"{server.url}/api/v1/process-definitions", headers=server.headers).status_code
            for _ in range(40)  # a new connection each: the kernel spreads them over both workers
        ]
        assert server.process is not None and server.process.poll() is None
    assert answers == [200] * 40
