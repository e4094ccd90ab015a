"""What the API acknowledged survives a crash of the server process (SIGKILL, no shutdown)."""

from __future__ import annotations

import signal
from pathlib import Path

import httpx

from tests.e2e.server import LiveServer
from tests.helpers import bpmn


def test_acknowledged_changes_survive_sigkill(database_url: str, tmp_path: Path) -> None:
    with LiveServer(tmp_path, database_url) as server:
        with httpx.Client(base_url=server.url, timeout=30, headers=server.headers) as http:
            http.post(
                "/api/v1/process-definitions",
                content=bpmn("user_task.bpmn"),
                headers={"content-type": "application/xml"},
            )
            started = [
                http.post(
                    "/api/v1/process-instances", json={"definitionKey": "user_task", "variables": {"n": i}}
                )
                for i in range(10)
            ]
            assert all(r.status_code == 201 for r in started)
            first = started[0].json()["id"]
            task = http.get("/api/v1/tasks", params={"processInstanceId": first}).json()["items"][0]
            assert (
                http.post(f"/api/v1/tasks/{task['id']}/complete", json={"variables": {"ok": 1}}).status_code
                == 200
            )
        assert server.process is not None
        server.process.send_signal(signal.SIGKILL)
        server.process.wait(10)
    with (
        LiveServer(tmp_path, database_url) as again,
        httpx.Client(base_url=again.url, timeout=30, headers=again.headers) as http,
    ):
        for response in started:
            instance = http.get(f"/api/v1/process-instances/{response.json()['id']}").json()
            assert instance["variables"]["n"] == response.json()["variables"]["n"]
        done = http.get(f"/api/v1/process-instances/{first}").json()
        assert done["status"] == "COMPLETED"
        assert done["variables"] == {"n": 0, "ok": 1}
        assert len(http.get("/api/v1/tasks", params={"limit": 100}).json()["items"]) == 9
