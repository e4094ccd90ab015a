"""User tasks: search, claim, unclaim, complete."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.helpers import deploy, ready_tasks, start


def test_task_shape_from_camunda_attributes(client: TestClient) -> None:
    deploy(client, "user_task_candidates.bpmn")
    instance = start(client, "user_task_candidates")
    [task] = ready_tasks(client, instance["id"])
    assert task["processInstanceId"] == instance["id"]
    assert task["candidateUsers"] == ["bob", "carol"]
    assert task["candidateGroups"] == ["sales", "support"]
    assert task["dueAt"].startswith("2030-01-01")
    assert task["state"] == "READY"
    assert task["createdAt"]


def test_search_by_candidate_and_assignee(client: TestClient) -> None:
    deploy(client, "user_task_candidates.bpmn")
    deploy(client, "user_task.bpmn")
    start(client, "user_task_candidates")
    alice = start(client, "user_task")
    by_group = client.get("/api/v1/tasks", params={"candidateGroup": "support"}).json()["items"]
    assert [t["definitionKey"] for t in by_group] == ["user_task_candidates"]
    by_user = client.get("/api/v1/tasks", params={"candidateUser": "carol"}).json()["items"]
    assert len(by_user) == 1
    by_assignee = client.get("/api/v1/tasks", params={"assignee": "alice"}).json()["items"]
    assert [t["processInstanceId"] for t in by_assignee] == [alice["id"]]
    assert client.get("/api/v1/tasks", params={"candidateUser": "nobody"}).json()["items"] == []
    assert client.get("/api/v1/tasks", params={"state": "DONE"}).status_code == 400


def test_claim_unclaim(client: TestClient) -> None:
    deploy(client, "user_task_candidates.bpmn")
    instance = start(client, "user_task_candidates")
    [task] = ready_tasks(client, instance["id"])
    claimed = client.post(f"/api/v1/tasks/{task['id']}/claim", json={"assignee": "bob"})
    assert claimed.status_code == 200
    assert claimed.json()["assignee"] == "bob"
    taken = client.post(f"/api/v1/tasks/{task['id']}/claim", json={"assignee": "carol"})
    assert taken.status_code == 409
    assert "bob" in taken.json()["detail"]
    assert client.post(f"/api/v1/tasks/{task['id']}/unclaim").json()["assignee"] is None
    assert client.post(f"/api/v1/tasks/{task['id']}/claim", json={"assignee": "carol"}).status_code == 200
    history = client.get(f"/api/v1/process-instances/{instance['id']}/history").json()["items"]
    assert [h["event"] for h in history if h["event"].startswith("task ")] == [
        "task claimed",
        "task unclaimed",
        "task claimed",
    ]


def test_complete_twice_is_409(client: TestClient) -> None:
    deploy(client, "user_task.bpmn")
    instance = start(client, "user_task")
    [task] = ready_tasks(client, instance["id"])
    first = client.post(f"/api/v1/tasks/{task['id']}/complete", json={"variables": {"ok": True}})
    assert first.status_code == 200
    assert first.json()["state"] == "COMPLETED"
    second = client.post(f"/api/v1/tasks/{task['id']}/complete", json={"variables": {"ok": False}})
    assert second.status_code == 409
    assert client.get(f"/api/v1/process-instances/{instance['id']}/variables").json() == {"ok": True}


def test_completed_tasks_are_searchable_by_state(client: TestClient) -> None:
    deploy(client, "user_task.bpmn")
    instance = start(client, "user_task")
    [task] = ready_tasks(client, instance["id"])
    client.post(f"/api/v1/tasks/{task['id']}/complete", json={})
    done = client.get("/api/v1/tasks", params={"state": "COMPLETED"}).json()["items"]
    assert [t["id"] for t in done] == [task["id"]]
    assert done[0]["endedAt"] is not None


def test_complete_with_bad_variables_is_400_and_task_stays(client: TestClient) -> None:
    deploy(client, "user_task.bpmn")
    instance = start(client, "user_task")
    [task] = ready_tasks(client, instance["id"])
    response = client.post(f"/api/v1/tasks/{task['id']}/complete", json={"variables": "nope"})
    assert response.status_code == 400
    assert ready_tasks(client, instance["id"])[0]["id"] == task["id"]


def test_claim_on_suspended_instance_is_409(client: TestClient) -> None:
    deploy(client, "user_task.bpmn")
    instance = start(client, "user_task")
    [task] = ready_tasks(client, instance["id"])
    client.post(f"/api/v1/process-instances/{instance['id']}/suspend")
    response = client.post(f"/api/v1/tasks/{task['id']}/claim", json={"assignee": "bob"})
    assert response.status_code == 409
    assert client.get(f"/api/v1/tasks/{task['id']}").json()["assignee"] == "alice"
