"""Sub-processes, call activities, boundary error/escalation events and multi-instance activities."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from tests.helpers import bpmn, complete, deploy, ready_tasks, start


def _instance(client: TestClient, instance_id: str) -> dict[str, Any]:
    response = client.get(f"/api/v1/process-instances/{instance_id}")
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def _only_task(client: TestClient, instance_id: str, element_id: str) -> dict[str, Any]:
    tasks = ready_tasks(client, instance_id)
    assert [t["elementId"] for t in tasks] == [element_id]
    return tasks[0]


def test_embedded_subprocess_runs_inner_then_outer(client: TestClient) -> None:
    deploy(client, "subprocess.bpmn")
    instance = start(client, "subprocess", {"order": 7})
    assert "inner" in instance["activeElementIds"]
    inner = _only_task(client, instance["id"], "inner")
    complete(client, inner["id"], {"checked": True})
    outer = _only_task(client, instance["id"], "outer")
    variables = client.get(f"/api/v1/process-instances/{instance['id']}/variables").json()
    assert variables == {"order": 7, "checked": True}
    complete(client, outer["id"])
    assert _instance(client, instance["id"])["status"] == "COMPLETED"


def test_call_activity_runs_the_deployed_child(client: TestClient) -> None:
    deploy(client, "call_child.bpmn")
    deploy(client, "call_parent.bpmn")
    instance = start(client, "call_parent", {"orderId": "o-1"})
    child_task = _only_task(client, instance["id"], "child_task")
    assert child_task["processInstanceId"] == instance["id"]
    assert child_task["definitionKey"] == "call_parent"
    assert instance["variables"]["child_result"] == 42
    complete(client, child_task["id"], {"childDone": True})
    after = _only_task(client, instance["id"], "after_call")
    variables = client.get(f"/api/v1/process-instances/{instance['id']}/variables").json()
    assert variables["child_result"] == 42
    assert variables["childDone"] is True
    assert variables["orderId"] == "o-1"
    complete(client, after["id"])
    assert _instance(client, instance["id"])["status"] == "COMPLETED"


def test_call_activity_to_an_undeployed_process_is_refused(client: TestClient) -> None:
    response = client.post(
        "/api/v1/process-definitions",
        content=bpmn("call_parent.bpmn"),
        headers={"content-type": "application/xml"},
    )
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert "call_child" in response.json()["detail"]


def test_error_end_event_is_caught_by_the_boundary(client: TestClient) -> None:
    deploy(client, "error_boundary.bpmn")
    instance = start(client, "error_boundary")
    assert instance["hasIncidents"] is False
    task = _only_task(client, instance["id"], "handle_error")
    assert instance["variables"]["attempted"] is True
    history = client.get(f"/api/v1/process-instances/{instance['id']}/history").json()["items"]
    events = {(h["elementId"], h["event"]) for h in history}
    assert ("throw_error", "completed") in events
    assert ("normal", "activated") not in events
    complete(client, task["id"])
    assert _instance(client, instance["id"])["status"] == "COMPLETED"


def test_non_interrupting_escalation_runs_both_paths(client: TestClient) -> None:
    deploy(client, "escalation.bpmn")
    instance = start(client, "escalation")
    tasks = {t["elementId"]: t for t in ready_tasks(client, instance["id"])}
    assert sorted(tasks) == ["escalated", "inner_after"]
    complete(client, tasks["escalated"]["id"])
    assert _instance(client, instance["id"])["status"] == "RUNNING"
    complete(client, tasks["inner_after"]["id"])
    assert _instance(client, instance["id"])["status"] == "COMPLETED"


def test_parallel_multi_instance_creates_one_task_per_item(client: TestClient) -> None:
    deploy(client, "multi_instance.bpmn")
    instance = start(client, "multi_instance", {"items": ["a", "b", "c"]})
    tasks = ready_tasks(client, instance["id"])
    assert [t["elementId"] for t in tasks] == ["review_item"] * 3
    assert len({t["id"] for t in tasks}) == 3
    assert instance["activeElementIds"] == ["review_item"]
    assert instance["variables"] == {"items": ["a", "b", "c"]}  # each task's `item` stays its own
    for task in tasks[:2]:
        complete(client, task["id"])
        assert _instance(client, instance["id"])["status"] == "RUNNING"
    assert [t["elementId"] for t in ready_tasks(client, instance["id"])] == ["review_item"]
    complete(client, tasks[2]["id"])
    done = _only_task(client, instance["id"], "done")
    assert _instance(client, instance["id"])["variables"] == {"items": ["a", "b", "c"]}
    complete(client, done["id"])
    assert _instance(client, instance["id"])["status"] == "COMPLETED"


def test_sequential_multi_instance_runs_one_at_a_time(client: TestClient) -> None:
    deploy(client, "multi_instance_seq.bpmn")
    instance = start(client, "multi_instance_seq")
    seen = set()
    for _ in range(3):
        step = _only_task(client, instance["id"], "step")
        assert step["id"] not in seen
        seen.add(step["id"])
        complete(client, step["id"])
    done = _only_task(client, instance["id"], "done")
    complete(client, done["id"])
    assert _instance(client, instance["id"])["status"] == "COMPLETED"


def test_move_out_of_and_back_into_a_subprocess(client: TestClient) -> None:
    deploy(client, "subprocess.bpmn")
    instance = start(client, "subprocess", {"n": 1})
    inner = _only_task(client, instance["id"], "inner")
    moved = client.post(f"/api/v1/process-instances/{instance['id']}/move", json={"toElementId": "outer"})
    assert moved.status_code == 200, moved.text
    assert moved.json()["activeElementIds"] == ["outer"]
    outer = _only_task(client, instance["id"], "outer")
    assert client.get(f"/api/v1/tasks/{inner['id']}").json()["state"] == "CANCELED"
    complete(client, outer["id"], {"m": 2})
    assert _instance(client, instance["id"])["status"] == "COMPLETED"

    second = start(client, "subprocess", {"n": 1})
    complete(client, _only_task(client, second["id"], "inner")["id"], {"checked": True})
    outer = _only_task(client, second["id"], "outer")
    back = client.post(f"/api/v1/process-instances/{second['id']}/move", json={"toElementId": "inner"})
    assert back.status_code == 200, back.text
    again = _only_task(client, second["id"], "inner")
    assert client.get(f"/api/v1/tasks/{outer['id']}").json()["state"] == "CANCELED"
    assert _instance(client, second["id"])["variables"] == {"n": 1, "checked": True}
    complete(client, again["id"])
    complete(client, _only_task(client, second["id"], "outer")["id"])
    assert _instance(client, second["id"])["status"] == "COMPLETED"


def test_error_thrown_in_a_called_process_is_caught_on_the_call_activity(client: TestClient) -> None:
    deploy(client, "call_error_child.bpmn")
    deploy(client, "call_error_parent.bpmn")
    instance = start(client, "call_error_parent", {"sku": "X"})
    check = _only_task(client, instance["id"], "check_stock")
    complete(client, check["id"], {"inStock": False})
    handle = _only_task(client, instance["id"], "handle")
    assert _instance(client, instance["id"])["hasIncidents"] is False
    complete(client, handle["id"])
    assert _instance(client, instance["id"])["status"] == "COMPLETED"
