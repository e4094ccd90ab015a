"""Script tasks in the restricted evaluator: failures become incidents, never server errors."""

from __future__ import annotations

import threading
from typing import Any

import httpx
from fastapi.testclient import TestClient

from flowport.api.app import create_app
from flowport.config import Settings
from tests.helpers import AUTH, complete, deploy, ready_tasks, start


def _incidents(client: TestClient, instance_id: str) -> list[dict[str, Any]]:
    response = client.get("/api/v1/incidents", params={"processInstanceId": instance_id})
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


def _instance(client: TestClient, instance_id: str) -> dict[str, Any]:
    body: dict[str, Any] = client.get(f"/api/v1/process-instances/{instance_id}").json()
    return body


def test_forbidden_import_is_an_incident_not_a_server_error(client: TestClient) -> None:
    deploy(client, "script_forbidden.bpmn")
    response = client.post("/api/v1/process-instances", json={"definitionKey": "script_forbidden"})
    assert response.status_code == 201, response.text
    instance = response.json()
    assert instance["status"] == "RUNNING"
    assert instance["hasIncidents"] is True
    assert instance["activeElementIds"] == ["forbidden"]
    [incident] = _incidents(client, instance["id"])
    assert incident["elementId"] == "forbidden"
    assert incident["kind"] == "scriptError"
    assert "import" in incident["message"].lower()
    assert "Traceback" not in incident["message"]
    assert ready_tasks(client, instance["id"]) == []
    history = client.get(f"/api/v1/process-instances/{instance['id']}/history").json()["items"]
    assert ("incident", "forbidden") in [(h["event"], h["elementId"]) for h in history]
    assert _instance(client, instance["id"])["hasIncidents"] is True


def test_endless_script_is_stopped_at_the_time_limit(settings: Settings) -> None:
    quick = settings.model_copy(update={"script_time_limit": 0.2})
    with TestClient(create_app(quick), headers=AUTH) as client:
        deploy(client, "script_infinite.bpmn")
        response = client.post("/api/v1/process-instances", json={"definitionKey": "script_infinite"})
        assert response.status_code == 201, response.text
        instance = response.json()
        assert instance["hasIncidents"] is True
        [incident] = _incidents(client, instance["id"])
        assert incident["elementId"] == "script"
        assert "time limit" in incident["message"]


def test_a_tight_loop_is_an_incident_and_the_server_answers_meanwhile(settings: Settings) -> None:
    # `while True: pass` makes no trace events: only the sandbox's kill stops it.
    limited = settings.model_copy(update={"script_time_limit": 2.0})
    with TestClient(create_app(limited), headers=AUTH) as client:
        deploy(client, "script_tight_loop.bpmn")
        started: list[httpx.Response] = []
        first = threading.Thread(
            target=lambda: started.append(
                client.post("/api/v1/process-instances", json={"definitionKey": "script_tight_loop"})
            ),
            daemon=True,  # without a sandbox it would never end
        )
        first.start()
        first.join(0.5)  # the first request is in its script by now
        during = client.get("/api/v1/process-definitions")
        assert during.status_code == 200, during.text
        assert first.is_alive()  # the second request was answered while the script still ran
        first.join(60)
        assert not first.is_alive(), "the request running the script never answered"
        [response] = started
        assert response.status_code == 201, response.text
        instance = response.json()
        assert instance["hasIncidents"] is True
        assert instance["activeElementIds"] == ["script"]
        [incident] = _incidents(client, instance["id"])
        assert incident["elementId"] == "script"
        assert incident["kind"] == "scriptError"
        assert incident["message"] == "Script exceeded the time limit of 2.0 s"


def test_script_incident_resolved_after_fixing_the_data(client: TestClient) -> None:
    deploy(client, "script_divide.bpmn")
    instance = start(client, "script_divide", {"x": 0})
    assert instance["hasIncidents"] is True
    [incident] = _incidents(client, instance["id"])
    assert "ZeroDivisionError" in incident["message"]
    variables = client.get(f"/api/v1/process-instances/{instance['id']}/variables").json()
    assert variables == {"x": 0}
    patched = client.patch(f"/api/v1/process-instances/{instance['id']}/variables", json={"x": 2})
    assert patched.status_code == 200, patched.text
    assert patched.json() == {"x": 2}
    resolved = client.post(f"/api/v1/incidents/{incident['id']}/resolve")
    assert resolved.status_code == 200, resolved.text
    assert resolved.json()["resolvedAt"] is not None
    got = _instance(client, instance["id"])
    assert got["hasIncidents"] is False
    assert got["variables"] == {"x": 2, "y": 5.0}
    [after] = ready_tasks(client, instance["id"])
    assert after["elementId"] == "after_script"
    assert _incidents(client, instance["id"]) == []
    complete(client, after["id"])
    assert _instance(client, instance["id"])["status"] == "COMPLETED"


def test_resolving_without_a_fix_raises_a_new_incident(client: TestClient) -> None:
    deploy(client, "script_divide.bpmn")
    instance = start(client, "script_divide", {"x": 0})
    [incident] = _incidents(client, instance["id"])
    assert client.post(f"/api/v1/incidents/{incident['id']}/resolve").status_code == 200
    [again] = _incidents(client, instance["id"])
    assert again["id"] != incident["id"]
    assert _instance(client, instance["id"])["hasIncidents"] is True
    assert ready_tasks(client, instance["id"]) == []
