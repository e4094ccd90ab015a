"""Gateways (BPMN 2.0 section 10.6): exclusive, parallel, inclusive and event-based, through the API."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.helpers import complete, deploy, ready_tasks, start


def _elements(client: TestClient, instance_id: str) -> list[str]:
    return sorted(t["elementId"] for t in ready_tasks(client, instance_id))


def _instance(client: TestClient, instance_id: str) -> dict[str, object]:
    response = client.get(f"/api/v1/process-instances/{instance_id}")
    assert response.status_code == 200, response.text
    body: dict[str, object] = response.json()
    return body


def test_exclusive_gateway_takes_condition_or_default(client: TestClient) -> None:
    deploy(client, "script_gateway.bpmn")
    big = start(client, "script_gateway", {"price": 30, "quantity": 5})
    assert big["activeElementIds"] == ["big"]
    assert big["variables"]["total"] == 150
    assert _elements(client, big["id"]) == ["big"]
    small = start(client, "script_gateway", {"price": 30, "quantity": 2})
    assert small["variables"]["total"] == 60
    assert _elements(client, small["id"]) == ["small"]
    [task] = ready_tasks(client, small["id"])
    complete(client, task["id"])
    assert _instance(client, small["id"])["status"] == "COMPLETED"


def test_parallel_gateway_forks_and_joins(client: TestClient) -> None:
    deploy(client, "parallel_gateway.bpmn")
    instance = start(client, "parallel_gateway")
    assert instance["activeElementIds"] == ["a", "b"]
    tasks = {t["elementId"]: t for t in ready_tasks(client, instance["id"])}
    assert sorted(tasks) == ["a", "b"]
    complete(client, tasks["a"]["id"], {"fromA": 1})
    assert _elements(client, instance["id"]) == ["b"]  # the join waits for b
    complete(client, tasks["b"]["id"], {"fromB": 2})
    assert _elements(client, instance["id"]) == ["c"]
    variables = client.get(f"/api/v1/process-instances/{instance['id']}/variables").json()
    assert variables["fromA"] == 1
    assert variables["fromB"] == 2
    [c] = ready_tasks(client, instance["id"])
    complete(client, c["id"])
    assert _instance(client, instance["id"])["status"] == "COMPLETED"


def test_inclusive_gateway_takes_every_true_branch(client: TestClient) -> None:
    deploy(client, "inclusive_gateway.bpmn")
    both = start(client, "inclusive_gateway", {"x": 1, "y": 1})
    assert _elements(client, both["id"]) == ["pos", "ypos"]
    only_x = start(client, "inclusive_gateway", {"x": 1, "y": 0})
    assert _elements(client, only_x["id"]) == ["pos"]
    neither = start(client, "inclusive_gateway", {"x": 0, "y": 0})
    assert _elements(client, neither["id"]) == ["none_task"]
    tasks = ready_tasks(client, both["id"])
    complete(client, tasks[0]["id"])
    assert _instance(client, both["id"])["status"] == "RUNNING"  # the merge waits for the other branch
    complete(client, tasks[1]["id"])
    assert _instance(client, both["id"])["status"] == "COMPLETED"


def test_event_gateway_message_wins_and_timer_is_dropped(client: TestClient) -> None:
    deploy(client, "event_gateway.bpmn")
    instance = start(client, "event_gateway")
    assert instance["activeElementIds"] == ["gw_events"]
    assert ready_tasks(client, instance["id"]) == []
    response = client.post("/api/v1/messages", json={"name": "Go", "processInstanceId": instance["id"]})
    assert response.status_code == 200, response.text
    assert _elements(client, instance["id"]) == ["after_message"]
    assert _instance(client, instance["id"])["activeElementIds"] == ["after_message"]
    # The timer branch lost: a second message finds nobody waiting.
    again = client.post("/api/v1/messages", json={"name": "Go", "processInstanceId": instance["id"]})
    assert again.status_code == 404
