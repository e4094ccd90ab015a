"""More events and activities SpiffWorkflow runs: terminate, boundary messages and signals, receive
tasks, event subprocesses, conditional events, manual tasks, signal start events, standard loops."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from flowport.api.app import create_app
from flowport.config import Settings
from tests.helpers import AUTH, complete, deploy, ready_tasks, start


def _instance(client: TestClient, instance_id: str) -> dict[str, Any]:
    body: dict[str, Any] = client.get(f"/api/v1/process-instances/{instance_id}").json()
    return body


def _elements(client: TestClient, instance_id: str) -> list[str]:
    return sorted(t["elementId"] for t in ready_tasks(client, instance_id))


def _task(client: TestClient, instance_id: str, element_id: str) -> dict[str, Any]:
    return next(t for t in ready_tasks(client, instance_id) if t["elementId"] == element_id)


def _message(client: TestClient, name: str, instance_id: str, **variables: Any) -> Any:
    return client.post(
        "/api/v1/messages", json={"name": name, "processInstanceId": instance_id, "variables": variables}
    )


def test_terminate_end_event_ends_every_branch(client: TestClient) -> None:
    deploy(client, "terminate_end.bpmn")
    instance = start(client, "terminate_end")
    b = _task(client, instance["id"], "b")
    complete(client, _task(client, instance["id"], "a")["id"])
    got = _instance(client, instance["id"])
    assert got["status"] == "COMPLETED"
    assert ready_tasks(client, instance["id"]) == []
    assert client.get(f"/api/v1/tasks/{b['id']}").json()["state"] == "CANCELED"


def test_interrupting_message_boundary_event(client: TestClient) -> None:
    deploy(client, "message_boundary.bpmn")
    instance = start(client, "message_boundary")
    review = _task(client, instance["id"], "review")
    response = _message(client, "Abort", instance["id"], reason="customer left")
    assert response.status_code == 200, response.text
    assert _elements(client, instance["id"]) == ["aborted"]
    assert client.get(f"/api/v1/tasks/{review['id']}").json()["state"] == "CANCELED"
    assert _instance(client, instance["id"])["variables"] == {"reason": "customer left"}
    assert _message(client, "Abort", instance["id"]).status_code == 404


def test_boundary_message_subscription_ends_with_its_task(client: TestClient) -> None:
    deploy(client, "message_boundary.bpmn")
    instance = start(client, "message_boundary")
    complete(client, _task(client, instance["id"], "review")["id"])
    assert _instance(client, instance["id"])["status"] == "COMPLETED"
    assert _message(client, "Abort", instance["id"]).status_code == 404


def test_non_interrupting_signal_boundary_event(client: TestClient) -> None:
    deploy(client, "signal_boundary.bpmn")
    instance = start(client, "signal_boundary")
    response = client.post("/api/v1/signals", json={"name": "Ping", "variables": {"pings": 1}})
    assert [d["processInstanceId"] for d in response.json()["items"]] == [instance["id"]]
    assert _elements(client, instance["id"]) == ["pinged", "work"]
    complete(client, _task(client, instance["id"], "work")["id"])
    assert _elements(client, instance["id"]) == ["pinged"]
    complete(client, _task(client, instance["id"], "pinged")["id"])
    assert _instance(client, instance["id"])["status"] == "COMPLETED"


def test_receive_task_waits_for_its_message(client: TestClient) -> None:
    deploy(client, "receive_task.bpmn")
    instance = start(client, "receive_task", businessKey="r-1")
    assert instance["activeElementIds"] == ["receive"]
    assert ready_tasks(client, instance["id"]) == []
    response = client.post(
        "/api/v1/messages", json={"name": "Confirm", "businessKey": "r-1", "variables": {"ok": 1}}
    )
    assert response.status_code == 200, response.text
    assert _elements(client, instance["id"]) == ["after_receive"]
    assert _instance(client, instance["id"])["variables"] == {"ok": 1}


@pytest.fixture
def without_timers(settings: Settings) -> Iterator[TestClient]:
    """A server whose scheduler is off: the process's 0.3 s timer event subprocess never fires."""
    quiet = settings.model_copy(update={"scheduler_enabled": False})
    with TestClient(create_app(quiet), headers=AUTH) as client:
        yield client


def test_message_event_subprocess_starts_when_its_message_arrives(without_timers: TestClient) -> None:
    client = without_timers
    deploy(client, "event_subprocess.bpmn")
    instance = start(client, "event_subprocess", {"order": 5})
    assert _elements(client, instance["id"]) == ["work"]
    response = _message(client, "CancelOrder", instance["id"], why="late")
    assert response.status_code == 200, response.text
    # SpiffWorkflow runs event subprocesses without interrupting the main flow.
    assert _elements(client, instance["id"]) == ["handle_cancel", "work"]
    assert _instance(client, instance["id"])["variables"]["why"] == "late"


def test_timer_event_subprocess_starts_on_time(client: TestClient) -> None:
    deploy(client, "event_subprocess.bpmn")
    instance = start(client, "event_subprocess")
    deadline = time.monotonic() + 10
    while _elements(client, instance["id"]) != ["note", "work"]:
        assert time.monotonic() < deadline, _elements(client, instance["id"])
        time.sleep(0.05)


def test_conditional_event_fires_when_variables_make_it_true(client: TestClient) -> None:
    deploy(client, "conditional_catch.bpmn")
    instance = start(client, "conditional_catch", {"ready": False})
    assert instance["activeElementIds"] == ["wait_ready"]
    assert instance["hasIncidents"] is False
    url = f"/api/v1/process-instances/{instance['id']}/variables"
    client.patch(url, json={"note": "not yet"})
    assert ready_tasks(client, instance["id"]) == []
    client.patch(url, json={"ready": True})
    assert _elements(client, instance["id"]) == ["after_condition"]
    assert start(client, "conditional_catch", {"ready": True})["activeElementIds"] == ["after_condition"]


def test_manual_and_plain_tasks_wait_for_a_person(client: TestClient) -> None:
    deploy(client, "manual_task.bpmn")
    instance = start(client, "manual_task")
    complete(client, _task(client, instance["id"], "check")["id"], {"ok": True})
    complete(client, _task(client, instance["id"], "note")["id"])
    assert _instance(client, instance["id"])["status"] == "COMPLETED"


def test_signal_start_event_starts_an_instance(client: TestClient) -> None:
    deploy(client, "signal_start.bpmn")
    response = client.post("/api/v1/signals", json={"name": "Launch", "variables": {"rocket": "A"}})
    assert response.status_code == 200, response.text
    [delivery] = response.json()["items"]
    assert delivery["started"] is True
    assert _elements(client, delivery["processInstanceId"]) == ["launched"]
    assert _instance(client, delivery["processInstanceId"])["variables"] == {"rocket": "A"}


def test_standard_loop_repeats_while_its_condition_holds(client: TestClient) -> None:
    # BPMN 2.0 section 10.3.6: the activity loops as long as loopCondition (here: not success) is true.
    deploy(client, "standard_loop.bpmn")
    instance = start(client, "standard_loop", {"success": False})
    first = _task(client, instance["id"], "attempt")
    complete(client, first["id"], {"success": False})
    second = _task(client, instance["id"], "attempt")
    assert second["id"] != first["id"]
    complete(client, second["id"], {"success": True})
    assert _elements(client, instance["id"]) == ["done"]


def test_signal_thrown_inside_an_instance_is_caught_there(client: TestClient) -> None:
    deploy(client, "signal_throw.bpmn")
    deploy(client, "signal_catch.bpmn")
    instance = start(client, "signal_throw")
    bystander = start(client, "signal_catch")
    assert _elements(client, instance["id"]) == ["trigger"]
    complete(client, _task(client, instance["id"], "trigger")["id"], {"sent": True})
    assert _elements(client, instance["id"]) == ["after_go"]
    assert _instance(client, instance["id"])["variables"]["sent"] is True
    # Caught inside: the signal does not reach other instances (SpiffWorkflow delivers it internally).
    assert _elements(client, bystander["id"]) == []
