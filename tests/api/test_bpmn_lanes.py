"""Who may work on a task: lanes (BPMN 2.0 section 10.8) and Camunda's assignment attributes."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from tests.helpers import complete, deploy, ready_tasks, start


def _search(client: TestClient, **params: str) -> list[dict[str, Any]]:
    response = client.get("/api/v1/tasks", params=params)
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


def test_lane_names_become_candidate_groups(client: TestClient) -> None:
    deploy(client, "lanes.bpmn")
    instance = start(client, "lanes")
    [booking] = ready_tasks(client, instance["id"])
    assert booking["elementId"] == "accounting_task"
    assert booking["name"] == "Book invoice"
    assert booking["candidateGroups"] == ["accounting"]
    assert [t["id"] for t in _search(client, candidateGroup="accounting")] == [booking["id"]]
    assert _search(client, candidateGroup="management") == []
    complete(client, booking["id"])
    [approval] = _search(client, candidateGroup="management")
    assert approval["elementId"] == "management_task"
    assert approval["processInstanceId"] == instance["id"]
    assert _search(client, candidateGroup="accounting") == []


def test_candidates_assignee_and_due_date_are_exposed_and_searchable(client: TestClient) -> None:
    deploy(client, "user_task_candidates.bpmn")
    deploy(client, "user_task.bpmn")
    candidates = start(client, "user_task_candidates")
    assigned = start(client, "user_task")
    [task] = ready_tasks(client, candidates["id"])
    assert task["candidateUsers"] == ["bob", "carol"]
    assert task["candidateGroups"] == ["sales", "support"]
    assert task["assignee"] is None
    assert task["dueAt"].startswith("2030-01-01T00:00:00")
    [alice_task] = ready_tasks(client, assigned["id"])
    assert alice_task["assignee"] == "alice"
    assert [t["id"] for t in _search(client, candidateUser="bob")] == [task["id"]]
    assert [t["id"] for t in _search(client, candidateUser="carol")] == [task["id"]]
    assert _search(client, candidateUser="alice") == []
    assert [t["id"] for t in _search(client, candidateGroup="support")] == [task["id"]]
    assert [t["id"] for t in _search(client, assignee="alice")] == [alice_task["id"]]
    claimed = client.post(f"/api/v1/tasks/{task['id']}/claim", json={"assignee": "bob"})
    assert claimed.status_code == 200, claimed.text
    assert sorted(t["id"] for t in _search(client, assignee="bob")) == [task["id"]]
    taken = client.post(f"/api/v1/tasks/{task['id']}/claim", json={"assignee": "carol"})
    assert taken.status_code == 409
