"""The facade is guarded like the native API: tokens, permissions, environments, visibility, cookies."""

from __future__ import annotations

import subprocess
from pathlib import Path

import httpx
import pytest

from tests.compat.camunda_tasklist.conftest import ALICE_PASSWORD, Camunda, Login, MakeClient
from tests.compat.camunda_tasklist.test_rest_tasks import assert_camunda_error


def test_no_or_a_bad_token_is_a_camunda_401(camunda: Camunda) -> None:
    for headers in ({}, {"Authorization": "Bearer not-a-token"}):
        response = httpx.post(f"{camunda.url}/v1/tasks/search", json={}, headers=headers)
        assert_camunda_error(response, 401, "")
        assert response.headers["www-authenticate"].startswith("Bearer")


def test_missing_permission_is_a_403_and_changes_nothing(camunda: Camunda, as_client: MakeClient) -> None:
    reader = as_client("reader-app")
    task_id = camunda.task_of(camunda.start_review())
    listed = reader.post("/v1/tasks/search", json={})
    assert listed.status_code == 200, listed.text
    assert [t["id"] for t in listed.json()].count(task_id) == 1
    for path, body in (
        ("assign", {"assignee": "alice"}),
        ("unassign", None),
        ("complete", {"variables": []}),
    ):
        response = reader.patch(f"/v1/tasks/{task_id}/{path}", json=body)
        assert_camunda_error(response, 403, "sufficient privileges")
    task = reader.get(f"/v1/tasks/{task_id}").json()
    assert (task["taskState"], task["assignee"]) == ("CREATED", None)


@pytest.mark.parametrize("client", ["own-app", "sandbox-app"])
def test_others_tasks_do_not_exist_for_own_clients_and_other_environments(
    camunda: Camunda, as_client: MakeClient, client: str
) -> None:
    outsider = as_client(client)
    instance = camunda.start_review(amount=1)
    task_id = camunda.task_of(instance)
    assert outsider.post("/v1/tasks/search", json={"processInstanceKey": instance}).json() == []
    for method, path, body in (
        ("GET", f"/v1/tasks/{task_id}", None),
        ("PATCH", f"/v1/tasks/{task_id}/assign", {"assignee": "intruder"}),
        ("PATCH", f"/v1/tasks/{task_id}/unassign", None),
        ("PATCH", f"/v1/tasks/{task_id}/complete", {"variables": [{"name": "x", "value": "1"}]}),
        ("POST", f"/v1/tasks/{task_id}/variables/search", {}),
    ):
        assert_camunda_error(outsider.request(method, path, json=body), 404, "does not exist")
    for query in (
        "query($id: String!) { task(id: $id) { id } }",
        "query($id: String!) { variables(taskId: $id, variableNames: []) { name } }",
        'mutation($id: String!) { claimTask(taskId: $id, assignee: "intruder") { id } }',
        "mutation($id: String!) { unclaimTask(taskId: $id) { id } }",
        "mutation($id: String!) { completeTask(taskId: $id, variables: []) { id } }",
    ):
        answer = outsider.post("/graphql", json={"query": query, "variables": {"id": task_id}}).json()
        assert answer["data"] is None and "does not exist" in answer["errors"][0]["message"], query
    listed = outsider.post("/graphql", json={"query": "{ tasks(query: {}) { id } }"}).json()
    assert task_id not in [t["id"] for t in listed["data"]["tasks"]]
    task = camunda.admin("GET", f"/api/v1/tasks/{task_id}")
    assert (task["state"], task["assignee"]) == ("READY", None)
    assert camunda.admin("GET", f"/api/v1/process-instances/{instance}/variables") == {"amount": 1}


def test_definitions_of_another_environment_are_not_listed(as_client: MakeClient) -> None:
    found = as_client("sandbox-app").post("/v1/process-definitions/search", json={})
    assert found.status_code == 200
    assert found.json() == {"items": [], "sortValues": None, "total": 0}


def test_a_token_of_another_environment_does_not_open_this_one(camunda: Camunda) -> None:
    response = httpx.post(
        f"{camunda.url}/v1/tasks/search",
        json={},
        headers={**camunda.bearer("sandbox-app"), "x-ws-env": "default"},
    )
    assert_camunda_error(response, 401, "environment")


def test_cookie_searches_need_no_csrf_header_but_changes_do(camunda: Camunda, login: Login) -> None:
    browser, csrf = login()
    task_id = camunda.task_of(camunda.start_review())
    assert browser.post("/v1/process-definitions/search", json={}).status_code == 200
    found = browser.post("/v1/tasks/search", json={"candidateGroup": "managers", "state": "CREATED"})
    assert found.status_code == 200 and task_id in [t["id"] for t in found.json()]
    assert browser.post(f"/v1/tasks/{task_id}/variables/search", json={}).status_code == 200

    refused = browser.patch(f"/v1/tasks/{task_id}/assign", json={})
    assert_camunda_error(refused, 403, "x-csrf-token")
    assert browser.get(f"/v1/tasks/{task_id}").json()["assignee"] is None
    mine = browser.patch(f"/v1/tasks/{task_id}/assign", json={}, headers={"X-CSRF-Token": csrf})
    assert mine.status_code == 200 and mine.json()["assignee"] == "demo"  # a person assigns themselves


def test_a_person_cannot_take_a_task_assigned_to_someone_else(camunda: Camunda, login: Login) -> None:
    browser, csrf = login()
    task_id = camunda.task_of(camunda.start_review())
    camunda.admin("POST", f"/api/v1/tasks/{task_id}/claim", json={"assignee": "alice"})
    taken = browser.patch(
        f"/v1/tasks/{task_id}/assign", json={"allowOverrideAssignment": True}, headers={"X-CSRF-Token": csrf}
    )
    assert_camunda_error(taken, 400, "already assigned to alice")
    assert browser.get(f"/v1/tasks/{task_id}").json()["assignee"] == "alice"


def test_a_person_completes_only_a_task_assigned_to_them(camunda: Camunda, login: Login) -> None:
    browser, csrf = login()
    csrf_header = {"X-CSRF-Token": csrf}
    task_id = camunda.task_of(camunda.start_review())
    unassigned = browser.patch(f"/v1/tasks/{task_id}/complete", json={"variables": []}, headers=csrf_header)
    assert_camunda_error(unassigned, 400, "not assigned")
    camunda.admin("POST", f"/api/v1/tasks/{task_id}/claim", json={"assignee": "alice"})
    someone_else = browser.patch(f"/v1/tasks/{task_id}/complete", json={"variables": []}, headers=csrf_header)
    assert_camunda_error(someone_else, 400, "not assigned to demo")
    assert browser.get(f"/v1/tasks/{task_id}").json()["taskState"] == "CREATED"

    alice, alice_csrf = login("alice", ALICE_PASSWORD)
    done = alice.patch(
        f"/v1/tasks/{task_id}/complete", json={"variables": []}, headers={"X-CSRF-Token": alice_csrf}
    )
    assert done.status_code == 200 and done.json()["taskState"] == "COMPLETED"


def test_the_documented_curl_commands_work_verbatim(camunda: Camunda, tmp_path: Path) -> None:
    """The README's commands, run by curl itself: cookie login, then a search with the cookie jar."""
    base = camunda.url
    cookies = tmp_path / "cookie.txt"

    def curl(*args: str) -> str:
        done = subprocess.run(
            ["curl", "-s", "-S", *args], capture_output=True, text=True, cwd=tmp_path, check=True
        )
        return done.stdout

    curl("-c", str(cookies.name), "-X", "POST", f"{base}/api/login?username=demo&password=demo")
    searched = curl(
        "-b", cookies.name, "-X", "POST", f"{base}/v1/process-definitions/search",
        "-H", "Content-Type: application/json", "-d", "{}",
    )  # fmt: skip
    assert '"bpmnProcessId":"tasklist_review"' in searched

    token = camunda.tokens["tasklist-app"]
    answered = curl(
        "-X", "POST", "-H", "Content-Type: application/json", "-H", f"Authorization: Bearer {token}",
        "-d", '{"query": "{tasks(query:{}){name}}"}', f"{base}/graphql",
    )  # fmt: skip
    assert '"data":{"tasks":[' in answered and '"name":"Review expense"' in answered
