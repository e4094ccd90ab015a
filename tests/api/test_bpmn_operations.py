"""Operating on running instances: suspend/resume, cancel, token moves, variables, delete."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from flowport import examples
from flowport.persistence.tables import subscriptions, timers
from tests.helpers import bpmn, complete, deploy, ready_tasks, start


def _instance(client: TestClient, instance_id: str) -> dict[str, Any]:
    body: dict[str, Any] = client.get(f"/api/v1/process-instances/{instance_id}").json()
    return body


def _elements(client: TestClient, instance_id: str) -> list[str]:
    return sorted(t["elementId"] for t in ready_tasks(client, instance_id))


def _count(client: TestClient, table: Any, instance_id: str) -> int:
    db = client.app.state.services.db  # type: ignore[attr-defined]
    with db.connect() as conn:
        return int(conn.execute(select(func.count()).where(table.c.instance_id == instance_id)).scalar_one())


def _move(client: TestClient, instance_id: str, to: str, frm: str | None = None) -> dict[str, Any]:
    body = {"toElementId": to} if frm is None else {"toElementId": to, "fromElementId": frm}
    response = client.post(f"/api/v1/process-instances/{instance_id}/move", json=body)
    assert response.status_code == 200, response.text
    moved: dict[str, Any] = response.json()
    return moved


def _deploy_approval(client: TestClient) -> None:
    xml = (Path(examples.__file__).parent / "approval.bpmn").read_bytes()
    response = client.post(
        "/api/v1/process-definitions", content=xml, headers={"content-type": "application/xml"}
    )
    assert response.status_code == 201, response.text


def test_suspended_instance_refuses_work_until_resumed(client: TestClient) -> None:
    deploy(client, "user_task.bpmn")
    instance = start(client, "user_task")
    [task] = ready_tasks(client, instance["id"])
    suspended = client.post(f"/api/v1/process-instances/{instance['id']}/suspend")
    assert suspended.json()["status"] == "SUSPENDED"
    assert client.post(f"/api/v1/tasks/{task['id']}/complete", json={}).status_code == 409
    assert _instance(client, instance["id"])["status"] == "SUSPENDED"
    assert client.post(f"/api/v1/process-instances/{instance['id']}/resume").json()["status"] == "RUNNING"
    complete(client, task["id"])
    assert _instance(client, instance["id"])["status"] == "COMPLETED"


def test_suspended_instance_gives_no_jobs(client: TestClient) -> None:
    deploy(client, "service_task.bpmn")
    instance = start(client, "service_task")
    client.post(f"/api/v1/process-instances/{instance['id']}/suspend")
    fetch = {"workerId": "w", "topics": [{"name": "work-topic"}]}
    assert client.post("/api/v1/jobs/fetch-and-lock", json=fetch).json()["items"] == []
    client.post(f"/api/v1/process-instances/{instance['id']}/resume")
    assert len(client.post("/api/v1/jobs/fetch-and-lock", json=fetch).json()["items"]) == 1


def test_cancel_closes_tasks_timers_and_subscriptions(client: TestClient) -> None:
    deploy(client, "parallel_gateway.bpmn")
    deploy(client, "event_gateway.bpmn")
    parallel = start(client, "parallel_gateway")
    tasks = ready_tasks(client, parallel["id"])
    canceled = client.post(f"/api/v1/process-instances/{parallel['id']}/cancel")
    assert canceled.status_code == 200
    assert canceled.json()["status"] == "CANCELED"
    assert canceled.json()["endedAt"] is not None
    assert ready_tasks(client, parallel["id"]) == []
    for task in tasks:
        assert client.get(f"/api/v1/tasks/{task['id']}").json()["state"] == "CANCELED"
    listed = client.get("/api/v1/tasks", params={"processInstanceId": parallel["id"], "state": "CANCELED"})
    assert len(listed.json()["items"]) == 2
    waiting = start(client, "event_gateway")
    assert _count(client, timers, waiting["id"]) == 1
    assert _count(client, subscriptions, waiting["id"]) == 1
    client.post(f"/api/v1/process-instances/{waiting['id']}/cancel")
    assert _count(client, timers, waiting["id"]) == 0
    assert _count(client, subscriptions, waiting["id"]) == 0
    assert client.post("/api/v1/messages", json={"name": "Go"}).status_code == 404
    history = client.get(f"/api/v1/process-instances/{waiting['id']}/history").json()["items"]
    assert "instance canceled" in [h["event"] for h in history]


def test_cancel_a_suspended_instance(client: TestClient) -> None:
    deploy(client, "user_task.bpmn")
    instance = start(client, "user_task")
    client.post(f"/api/v1/process-instances/{instance['id']}/suspend")
    assert client.post(f"/api/v1/process-instances/{instance['id']}/cancel").json()["status"] == "CANCELED"
    assert ready_tasks(client, instance["id"]) == []


def test_move_token_back_to_an_earlier_task(client: TestClient) -> None:
    _deploy_approval(client)
    instance = start(client, "approval", {"request": "laptop"})
    [review] = ready_tasks(client, instance["id"])
    assert review["elementId"] == "review"
    complete(client, review["id"], {"approved": False})
    [revise] = ready_tasks(client, instance["id"])
    assert revise["elementId"] == "revise"
    moved = _move(client, instance["id"], "review")
    assert moved["activeElementIds"] == ["review"]
    [again] = ready_tasks(client, instance["id"])
    assert again["elementId"] == "review"
    assert again["id"] != review["id"]
    assert client.get(f"/api/v1/tasks/{revise['id']}").json()["state"] == "CANCELED"
    complete(client, again["id"], {"approved": True})
    final = _instance(client, instance["id"])
    assert final["status"] == "COMPLETED"
    assert final["variables"]["outcome"] == "approved"
    history = client.get(f"/api/v1/process-instances/{instance['id']}/history").json()["items"]
    moves = [h for h in history if h["event"] == "token moved"]
    assert [m["details"]["to"] for m in moves] == ["review"]


def test_move_token_forward_skips_a_task(client: TestClient) -> None:
    deploy(client, "lanes.bpmn")
    instance = start(client, "lanes", {"invoice": 1})
    [first] = ready_tasks(client, instance["id"])
    assert first["elementId"] == "accounting_task"
    moved = _move(client, instance["id"], "management_task")
    assert moved["activeElementIds"] == ["management_task"]
    [second] = ready_tasks(client, instance["id"])
    assert second["elementId"] == "management_task"
    assert client.get(f"/api/v1/tasks/{first['id']}").json()["state"] == "CANCELED"
    complete(client, second["id"])
    final = _instance(client, instance["id"])
    assert final["status"] == "COMPLETED"
    assert final["variables"] == {"invoice": 1}


def test_move_one_parallel_token_forward(client: TestClient) -> None:
    deploy(client, "parallel_gateway.bpmn")
    instance = start(client, "parallel_gateway")
    moved = _move(client, instance["id"], "c", "a")
    assert moved["activeElementIds"] == ["b", "c"]
    assert _elements(client, instance["id"]) == ["b", "c"]


def test_move_every_parallel_token_forward(client: TestClient) -> None:
    deploy(client, "parallel_gateway.bpmn")
    instance = start(client, "parallel_gateway")
    before = ready_tasks(client, instance["id"])
    assert _move(client, instance["id"], "c")["activeElementIds"] == ["c"]
    [c] = ready_tasks(client, instance["id"])
    assert c["elementId"] == "c"
    for task in before:
        assert client.get(f"/api/v1/tasks/{task['id']}").json()["state"] == "CANCELED"
    complete(client, c["id"])
    assert _instance(client, instance["id"])["status"] == "COMPLETED"


def test_moves_around_a_task_with_a_boundary_timer(client: TestClient) -> None:
    deploy(client, "timer_boundary.bpmn")
    instance = start(client, "timer_boundary")
    [slow] = ready_tasks(client, instance["id"])
    assert _count(client, timers, instance["id"]) == 1
    moved = _move(client, instance["id"], "escalate")
    assert moved["activeElementIds"] == ["escalate"]
    assert _count(client, timers, instance["id"]) == 0  # the boundary timer went with the task
    assert client.get(f"/api/v1/tasks/{slow['id']}").json()["state"] == "CANCELED"
    back = _move(client, instance["id"], "slow")
    assert back["activeElementIds"] == ["slow", "timeout"]
    [again] = ready_tasks(client, instance["id"])
    assert again["elementId"] == "slow"
    assert again["id"] != slow["id"]
    assert _count(client, timers, instance["id"]) == 1  # and came back with it
    complete(client, again["id"])
    assert _instance(client, instance["id"])["status"] == "COMPLETED"
    assert _count(client, timers, instance["id"]) == 0


def test_move_from_an_element_without_a_token_is_refused(client: TestClient) -> None:
    deploy(client, "lanes.bpmn")
    instance = start(client, "lanes")
    response = client.post(
        f"/api/v1/process-instances/{instance['id']}/move",
        json={"toElementId": "management_task", "fromElementId": "management_task"},
    )
    assert response.status_code == 400
    assert _elements(client, instance["id"]) == ["accounting_task"]


def test_move_to_an_unknown_element_is_refused(client: TestClient) -> None:
    deploy(client, "user_task.bpmn")
    instance = start(client, "user_task")
    response = client.post(
        f"/api/v1/process-instances/{instance['id']}/move", json={"toElementId": "nowhere"}
    )
    assert response.status_code == 400
    assert "nowhere" in response.json()["detail"]
    assert _elements(client, instance["id"]) == ["task1"]


def test_variables_read_replace_merge(client: TestClient) -> None:
    deploy(client, "parallel_gateway.bpmn")
    instance = start(client, "parallel_gateway", {"a": 1, "b": 2})
    url = f"/api/v1/process-instances/{instance['id']}/variables"
    assert client.get(url).json() == {"a": 1, "b": 2}
    assert client.patch(url, json={"b": 3, "c": 4}).json() == {"a": 1, "b": 3, "c": 4}
    assert client.get(url).json() == {"a": 1, "b": 3, "c": 4}
    assert client.put(url, json={"z": 0}).json() == {"z": 0}
    tasks = {t["elementId"]: t for t in ready_tasks(client, instance["id"])}
    complete(client, tasks["a"]["id"], {"fromA": True})
    assert client.get(url).json() == {"z": 0, "fromA": True}
    complete(client, tasks["b"]["id"])
    assert client.get(url).json() == {"z": 0, "fromA": True}


def test_delete_removes_instance_tasks_and_timers(client: TestClient) -> None:
    deploy(client, "event_gateway.bpmn")
    instance = start(client, "event_gateway")
    assert client.delete(f"/api/v1/process-instances/{instance['id']}").status_code == 204
    assert client.get(f"/api/v1/process-instances/{instance['id']}").status_code == 404
    assert _count(client, timers, instance["id"]) == 0
    assert _count(client, subscriptions, instance["id"]) == 0
    assert client.post("/api/v1/messages", json={"name": "Go"}).status_code == 404


def test_completed_instance_refuses_commands(client: TestClient) -> None:
    response = client.post(
        "/api/v1/process-definitions",
        content=bpmn("user_task.bpmn"),
        headers={"content-type": "application/xml"},
    )
    assert response.status_code == 201
    instance = start(client, "user_task")
    complete(client, ready_tasks(client, instance["id"])[0]["id"])
    for action in ("suspend", "cancel"):
        assert client.post(f"/api/v1/process-instances/{instance['id']}/{action}").status_code == 409
    assert (
        client.patch(f"/api/v1/process-instances/{instance['id']}/variables", json={"a": 1}).status_code
        == 409
    )
