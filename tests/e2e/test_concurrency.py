"""Concurrent commands against a real server: exactly one wins, nothing is lost or half-applied."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import httpx

from tests.e2e.server import LiveServer
from tests.helpers import bpmn


def _deploy(http: httpx.Client, name: str) -> None:
    response = http.post(
        "/api/v1/process-definitions", content=bpmn(name), headers={"content-type": "application/xml"}
    )
    assert response.status_code in (200, 201), response.text


def _tasks(http: httpx.Client, instance_id: str) -> list[dict[str, object]]:
    items: list[dict[str, object]] = http.get(
        "/api/v1/tasks", params={"processInstanceId": instance_id}
    ).json()["items"]
    return items


def test_concurrent_completes_of_one_task_one_wins(live_server: LiveServer) -> None:
    with httpx.Client(base_url=live_server.url, timeout=30, headers=live_server.headers) as http:
        _deploy(http, "user_task.bpmn")
        instance = http.post("/api/v1/process-instances", json={"definitionKey": "user_task"}).json()
        [task] = _tasks(http, instance["id"])
    barrier = threading.Barrier(8)

    def attempt(i: int) -> int:
        with httpx.Client(base_url=live_server.url, timeout=30, headers=live_server.headers) as own:
            barrier.wait()
            response = own.post(f"/api/v1/tasks/{task['id']}/complete", json={"variables": {"winner": i}})
            return response.status_code

    with ThreadPoolExecutor(8) as pool:
        codes = list(pool.map(attempt, range(8)))
    assert sorted(codes) == [200] + [409] * 7, codes
    with httpx.Client(base_url=live_server.url, timeout=30, headers=live_server.headers) as http:
        got = http.get(f"/api/v1/process-instances/{instance['id']}").json()
        assert got["status"] == "COMPLETED"
        assert got["version"] == 2
        winner = http.get(f"/api/v1/process-instances/{instance['id']}/variables").json()["winner"]
        assert winner in range(8)
        history = http.get(f"/api/v1/process-instances/{instance['id']}/history").json()["items"]
        assert [h["elementId"] for h in history if h["event"] == "completed"].count("task1") == 1


def test_concurrent_branches_lose_no_update(live_server: LiveServer) -> None:
    """Completing both parallel branches at once: each either lands or gets 409, never lost."""
    with httpx.Client(base_url=live_server.url, timeout=30, headers=live_server.headers) as http:
        _deploy(http, "parallel_gateway.bpmn")
        instance = http.post("/api/v1/process-instances", json={"definitionKey": "parallel_gateway"}).json()
        tasks = _tasks(http, instance["id"])
        assert sorted(str(t["elementId"]) for t in tasks) == ["a", "b"]
    barrier = threading.Barrier(2)

    def attempt(task: dict[str, object]) -> tuple[str, int]:
        with httpx.Client(base_url=live_server.url, timeout=30, headers=live_server.headers) as own:
            barrier.wait()
            variable = f"done_{task['elementId']}"
            response = own.post(f"/api/v1/tasks/{task['id']}/complete", json={"variables": {variable: True}})
            return str(task["id"]), response.status_code

    with ThreadPoolExecutor(2) as pool:
        results = list(pool.map(attempt, tasks))
    with httpx.Client(base_url=live_server.url, timeout=30, headers=live_server.headers) as http:
        for task_id, code in results:
            assert code in (200, 409)
            if code == 409:  # the loser retries, as a client would, and now succeeds
                assert http.post(f"/api/v1/tasks/{task_id}/complete", json={}).status_code == 200
        remaining = _tasks(http, instance["id"])
        assert [t["elementId"] for t in remaining] == ["c"]
        got = http.get(f"/api/v1/process-instances/{instance['id']}").json()
        assert got["version"] == 3
