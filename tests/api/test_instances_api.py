"""Starting, reading, searching and operating process instances through the native API."""

from __future__ import annotations

import uuid

from fastapi.testclient import TestClient

from tests.helpers import complete, deploy, ready_tasks, start


def test_start_returns_instance_shape(client: TestClient) -> None:
    deploy(client, "user_task.bpmn")
    response = client.post(
        "/api/v1/process-instances",
        json={"definitionKey": "user_task", "variables": {"amount": 5}, "businessKey": "order-1"},
    )
    assert response.status_code == 201
    body = response.json()
    assert response.headers["location"] == f"/api/v1/process-instances/{body['id']}"
    assert body["status"] == "RUNNING"
    assert body["definitionKey"] == "user_task"
    assert body["businessKey"] == "order-1"
    assert body["activeElementIds"] == ["task1"]
    assert body["hasIncidents"] is False
    assert body["version"] == 1
    assert body["endedAt"] is None
    assert uuid.UUID(body["id"])


def test_caller_supplied_id_and_duplicate(client: TestClient) -> None:
    deploy(client, "user_task.bpmn")
    created = start(client, "user_task", id="order-42")
    assert created["id"] == "order-42"
    again = client.post("/api/v1/process-instances", json={"definitionKey": "user_task", "id": "order-42"})
    assert again.status_code == 409
    assert "order-42" in again.json()["detail"]


def test_start_by_definition_id(client: TestClient) -> None:
    definition = deploy(client, "user_task.bpmn")
    response = client.post("/api/v1/process-instances", json={"definitionId": definition["id"]})
    assert response.status_code == 201
    assert response.json()["definitionId"] == definition["id"]


def test_start_unknown_definition_is_404(client: TestClient) -> None:
    response = client.post("/api/v1/process-instances", json={"definitionKey": "missing"})
    assert response.status_code == 404
    assert "missing" in response.json()["detail"]


def test_start_bad_bodies_are_400(client: TestClient) -> None:
    deploy(client, "user_task.bpmn")
    for body in (
        {"definitionKey": "user_task", "variables": [1, 2]},
        {"definitionKey": "user_task", "unknownField": 1},
        {"definitionKey": 12},
        {},
    ):
        response = client.post("/api/v1/process-instances", json=body)
        assert response.status_code == 400, body
        assert response.headers["content-type"] == "application/problem+json"
    broken = client.post(
        "/api/v1/process-instances", content=b"{not json", headers={"content-type": "application/json"}
    )
    assert broken.status_code == 400


def test_lifecycle_variables_and_history(client: TestClient) -> None:
    deploy(client, "user_task.bpmn")
    instance = start(client, "user_task", {"a": 1})
    [task] = ready_tasks(client, instance["id"])
    complete(client, task["id"], {"b": 2})
    got = client.get(f"/api/v1/process-instances/{instance['id']}").json()
    assert got["status"] == "COMPLETED"
    assert got["endedAt"] is not None
    assert got["version"] == 2
    assert client.get(f"/api/v1/process-instances/{instance['id']}/variables").json() == {"a": 1, "b": 2}
    history = client.get(f"/api/v1/process-instances/{instance['id']}/history").json()["items"]
    events = [(h["event"], h["elementId"]) for h in history]
    assert ("instance started", None) in events
    assert ("completed", "task1") in events
    assert events[-1] == ("instance completed", None)


def test_variables_put_and_patch(client: TestClient) -> None:
    deploy(client, "user_task.bpmn")
    instance = start(client, "user_task", {"a": 1, "b": 2})
    url = f"/api/v1/process-instances/{instance['id']}/variables"
    assert client.patch(url, json={"b": 3, "c": 4}).json() == {"a": 1, "b": 3, "c": 4}
    assert client.put(url, json={"z": 0}).json() == {"z": 0}
    assert client.get(url).json() == {"z": 0}
    assert client.put(url, json=[1]).status_code == 400
    [task] = ready_tasks(client, instance["id"])
    complete(client, task["id"])
    assert client.get(url).json() == {"z": 0}


def test_search_filters_and_cursor_paging(client: TestClient) -> None:
    deploy(client, "user_task.bpmn")
    deploy(client, "lanes.bpmn")
    ids = [start(client, "user_task", businessKey=f"bk-{i}")["id"] for i in range(5)]
    start(client, "lanes")
    assert len(client.get("/api/v1/process-instances").json()["items"]) == 6
    by_key = client.get("/api/v1/process-instances", params={"definitionKey": "user_task"}).json()["items"]
    assert sorted(i["id"] for i in by_key) == sorted(ids)
    by_bk = client.get("/api/v1/process-instances", params={"businessKey": "bk-3"}).json()["items"]
    assert [i["id"] for i in by_bk] == [ids[3]]
    seen: list[str] = []
    cursor = None
    while True:
        params: dict[str, object] = {"definitionKey": "user_task", "limit": 2}
        if cursor:
            params["cursor"] = cursor
        page = client.get("/api/v1/process-instances", params=params).json()
        assert len(page["items"]) <= 2
        seen.extend(i["id"] for i in page["items"])
        cursor = page["nextCursor"]
        if not cursor:
            break
    assert sorted(seen) == sorted(ids)
    assert len(seen) == len(set(seen))
    assert client.get("/api/v1/process-instances", params={"cursor": "garbage!"}).status_code == 400
    assert client.get("/api/v1/process-instances", params={"status": "WEIRD"}).status_code == 400
    assert client.get("/api/v1/process-instances", params={"limit": 5000}).status_code == 400


def test_search_by_status_and_start_time(client: TestClient) -> None:
    deploy(client, "user_task.bpmn")
    done = start(client, "user_task")
    complete(client, ready_tasks(client, done["id"])[0]["id"])
    running = start(client, "user_task")
    completed = client.get("/api/v1/process-instances", params={"status": "COMPLETED"}).json()["items"]
    assert [i["id"] for i in completed] == [done["id"]]
    after = client.get("/api/v1/process-instances", params={"startedAfter": running["startedAt"]}).json()[
        "items"
    ]
    assert running["id"] in [i["id"] for i in after]
    before = client.get("/api/v1/process-instances", params={"startedBefore": done["startedAt"]}).json()[
        "items"
    ]
    assert before == []


def test_a_start_time_filter_without_a_zone_is_utc(client: TestClient) -> None:
    """As every time of the API; a bad one is a 400 naming the parameter, never a 500."""
    deploy(client, "user_task.bpmn")
    running = start(client, "user_task")
    naive = running["startedAt"].removesuffix("Z").split("+")[0][:19]  # to the second, no zone
    after = client.get("/api/v1/process-instances", params={"startedAfter": naive})
    assert after.status_code == 200, after.text
    assert running["id"] in [i["id"] for i in after.json()["items"]]
    before = client.get("/api/v1/process-instances", params={"startedBefore": naive})
    assert before.status_code == 200 and before.json()["items"] == []
    bad = client.get("/api/v1/process-instances", params={"startedAfter": "yesterday"})
    assert bad.status_code == 400 and "startedAfter" in bad.text


def test_suspend_blocks_commands_until_resume(client: TestClient) -> None:
    deploy(client, "user_task.bpmn")
    instance = start(client, "user_task")
    [task] = ready_tasks(client, instance["id"])
    assert client.post(f"/api/v1/process-instances/{instance['id']}/suspend").json()["status"] == "SUSPENDED"
    blocked = client.post(f"/api/v1/tasks/{task['id']}/complete", json={})
    assert blocked.status_code == 409
    assert "suspended" in blocked.json()["detail"]
    assert client.post(f"/api/v1/process-instances/{instance['id']}/suspend").status_code == 409
    assert client.post(f"/api/v1/process-instances/{instance['id']}/resume").json()["status"] == "RUNNING"
    complete(client, task["id"])


def test_cancel_closes_tasks_and_refuses_later_commands(client: TestClient) -> None:
    deploy(client, "user_task.bpmn")
    instance = start(client, "user_task")
    [task] = ready_tasks(client, instance["id"])
    canceled = client.post(f"/api/v1/process-instances/{instance['id']}/cancel")
    assert canceled.status_code == 200
    assert canceled.json()["status"] == "CANCELED"
    assert ready_tasks(client, instance["id"]) == []
    assert client.get(f"/api/v1/tasks/{task['id']}").json()["state"] == "CANCELED"
    assert client.post(f"/api/v1/tasks/{task['id']}/complete", json={}).status_code == 409
    assert client.post(f"/api/v1/process-instances/{instance['id']}/cancel").status_code == 409


def test_delete_instance(client: TestClient) -> None:
    deploy(client, "user_task.bpmn")
    instance = start(client, "user_task")
    assert client.delete(f"/api/v1/process-instances/{instance['id']}").status_code == 204
    assert client.get(f"/api/v1/process-instances/{instance['id']}").status_code == 404
    assert client.get(f"/api/v1/process-instances/{instance['id']}/history").status_code == 404
    assert ready_tasks(client, instance["id"]) == []
    assert client.delete(f"/api/v1/process-instances/{instance['id']}").status_code == 404


def test_unknown_instance_everywhere_is_404(client: TestClient) -> None:
    for method, path in (
        ("GET", "/api/v1/process-instances/nope"),
        ("GET", "/api/v1/process-instances/nope/variables"),
        ("PATCH", "/api/v1/process-instances/nope/variables"),
        ("POST", "/api/v1/process-instances/nope/cancel"),
        ("POST", "/api/v1/process-instances/nope/suspend"),
        ("POST", "/api/v1/tasks/nope/complete"),
        ("GET", "/api/v1/tasks/nope"),
    ):
        response = client.request(method, path, json={} if method != "GET" else None)
        assert response.status_code == 404, (method, path, response.text)
