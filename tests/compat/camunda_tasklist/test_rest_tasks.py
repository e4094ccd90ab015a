"""Tasklist REST API v1 as a Camunda client uses it: search, get, assign, unassign, complete, variables."""

from __future__ import annotations

import json
import uuid
from typing import Any

import httpx

from tests.compat.camunda_tasklist.conftest import REVIEW_BPMN, Camunda

JSON = {"Content-Type": "application/json"}
TASK_FIELDS = {
    "id",
    "name",
    "taskDefinitionId",
    "processName",
    "creationDate",
    "completionDate",
    "assignee",
    "taskState",
    "formKey",
    "formId",
    "formVersion",
    "isFormEmbedded",
    "processDefinitionKey",
    "processInstanceKey",
    "tenantId",
    "dueDate",
    "followUpDate",
    "candidateGroups",
    "candidateUsers",
}


def _search(app: httpx.Client, body: dict[str, Any]) -> list[dict[str, Any]]:
    response = app.post("/v1/tasks/search", content=json.dumps(body), headers=JSON)
    assert response.status_code == 200, response.text
    found: list[dict[str, Any]] = response.json()
    return found


def assert_camunda_error(response: httpx.Response, status: int, words: str) -> dict[str, Any]:
    """Camunda's error document: exactly status, message and a UUID instance."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body: dict[str, Any] = response.json()
    assert set(body) == {"status", "message", "instance"}, body
    assert body["status"] == status
    assert words in body["message"], body["message"]
    uuid.UUID(body["instance"])
    return body


def _definition_key(camunda: Camunda, bpmn_process_id: str) -> str:
    [definition] = camunda.admin("GET", "/api/v1/process-definitions", params={"key": bpmn_process_id})[
        "items"
    ]
    key: str = definition["id"]
    return key


def test_search_answers_a_json_array_of_tasks_in_tasklists_shape(camunda: Camunda, app: httpx.Client) -> None:
    instance = camunda.start_review(amount=120)
    [task] = _search(app, {"processInstanceKey": instance})
    assert set(task) == TASK_FIELDS | {"sortValues", "isFirst", "variables"}
    assert task["id"] == camunda.task_of(instance)
    assert task["name"] == "Review expense"
    assert task["taskDefinitionId"] == "review"
    assert task["processName"] == "Expense review"
    assert task["taskState"] == "CREATED"
    assert task["assignee"] is None and task["completionDate"] is None
    assert task["candidateGroups"] == ["managers"] and task["candidateUsers"] == []
    assert task["processInstanceKey"] == instance
    assert task["processDefinitionKey"] == _definition_key(camunda, "tasklist_review")
    assert task["tenantId"] == "<default>"
    assert task["creationDate"].endswith("+0000") and len(task["creationDate"]) == 28
    assert task["dueDate"].startswith("2030-01-01T00:00:00.000")
    assert task["sortValues"][1] == task["id"] and task["sortValues"][0].isdigit()
    assert task["variables"] is None  # only when includeVariables asks for them


def test_search_filters_by_every_documented_field(camunda: Camunda, app: httpx.Client) -> None:
    instance = camunda.start_review()
    task_id = camunda.task_of(instance)
    mine = {"processInstanceKey": instance}
    matches = [
        {"state": "CREATED"},
        {"assigned": False},
        {"taskDefinitionId": "review"},
        {"candidateGroup": "managers"},
        {"processDefinitionKey": _definition_key(camunda, "tasklist_review")},
    ]
    misses = [
        {"state": "COMPLETED"},
        {"state": "CANCELED"},
        {"assigned": True},
        {"assignee": "alice"},
        {"taskDefinitionId": "archive"},
        {"candidateGroup": "sales"},
        {"candidateUser": "demo"},
        {"processDefinitionKey": "no-such-definition"},
    ]
    for body in matches:
        assert [t["id"] for t in _search(app, {**mine, **body})] == [task_id], body
    for body in misses:
        assert _search(app, {**mine, **body}) == [], body

    assert app.patch(f"/v1/tasks/{task_id}/assign", json={"assignee": "alice"}).status_code == 200
    for body in ({"assigned": True}, {"assignee": "alice"}):
        assert [t["id"] for t in _search(app, {**mine, **body})] == [task_id], body
    assert app.patch(f"/v1/tasks/{task_id}/complete", json={}).status_code == 200
    [done] = _search(app, {**mine, "state": "COMPLETED"})
    assert (done["id"], done["taskState"]) == (task_id, "COMPLETED")
    assert done["completionDate"] is not None
    [archive] = _search(app, {**mine, "state": "CREATED", "candidateUser": "demo"})
    assert archive["taskDefinitionId"] == "archive"


def test_pages_follow_search_after_and_search_before_with_sort_values(
    camunda: Camunda, app: httpx.Client
) -> None:
    xml = REVIEW_BPMN.replace(b"tasklist_review", b"tasklist_paging")
    camunda.admin(
        "POST", "/api/v1/process-definitions", content=xml, headers={"content-type": "application/xml"}
    )
    started = [
        camunda.admin("POST", "/api/v1/process-instances", json={"definitionKey": "tasklist_paging"})["id"]
        for _ in range(5)
    ]
    wanted = {"processDefinitionKey": _definition_key(camunda, "tasklist_paging")}
    everything = _search(app, wanted)
    assert len(everything) == 5
    assert [t["processInstanceKey"] for t in everything] == started[::-1]  # newest first by default
    assert everything[0]["isFirst"] is True and not any(t["isFirst"] for t in everything[1:])

    pages, after = [], None
    while True:
        body = {**wanted, "pageSize": 2, **({"searchAfter": after} if after else {})}
        page = _search(app, body)
        if not page:
            break
        pages.append(page)
        after = page[-1]["sortValues"]
    assert [len(p) for p in pages] == [2, 2, 1]
    assert [t["id"] for p in pages for t in p] == [t["id"] for t in everything]

    before = _search(app, {**wanted, "pageSize": 2, "searchBefore": pages[2][0]["sortValues"]})
    assert [t["id"] for t in before] == [t["id"] for t in pages[1]]
    inclusive = _search(app, {**wanted, "pageSize": 2, "searchAfterOrEqual": pages[1][0]["sortValues"]})
    assert [t["id"] for t in inclusive] == [t["id"] for t in pages[1]]

    oldest_first = _search(app, {**wanted, "sort": [{"field": "creationTime", "order": "ASC"}]})
    assert [t["id"] for t in oldest_first] == [t["id"] for t in everything[::-1]]


def test_search_includes_the_variables_asked_for_as_json_text(camunda: Camunda, app: httpx.Client) -> None:
    instance = camunda.start_review(amount=120, note="taxi", secret="x")
    body = {"processInstanceKey": instance, "includeVariables": [{"name": "amount"}, {"name": "note"}]}
    [task] = _search(app, body)
    values = {v["name"]: v for v in task["variables"]}
    assert set(values) == {"amount", "note"}
    assert values["note"]["value"] == '"taxi"' and json.loads(values["amount"]["value"]) == 120
    assert values["note"]["isValueTruncated"] is False and values["note"]["previewValue"] == '"taxi"'


def test_bad_search_requests_are_camunda_400s(app: httpx.Client) -> None:
    for body, words in (
        ({"state": "OPEN"}, "state"),
        ({"pageSize": "10"}, "pageSize"),
        ({"pageSize": 0}, "pageSize"),
        ({"assigned": "yes"}, "assigned"),
        ({"searchAfter": ["not-a-date", "x"]}, "sortValues"),
        ({"searchAfter": ["1", "a"], "searchBefore": ["1", "a"]}, "only one"),
        ({"sort": [{"field": "followUpDate", "order": "ASC"}]}, "followUpDate"),
        ({"sort": [{"field": "priority"}]}, "sort"),
        ({"tenantIds": ["x"]}, "tenantIds"),
    ):
        response = app.post("/v1/tasks/search", content=json.dumps(body), headers=JSON)
        assert_camunda_error(response, 400, words)
    assert_camunda_error(app.post("/v1/tasks/search", content=b"{", headers=JSON), 400, "JSON")
    assert_camunda_error(app.post("/v1/tasks/search", content=b"[]", headers=JSON), 400, "body")


def test_get_task_and_unknown_ids(camunda: Camunda, app: httpx.Client) -> None:
    instance = camunda.start_review()
    task_id = camunda.task_of(instance)
    task = app.get(f"/v1/tasks/{task_id}")
    assert task.status_code == 200
    assert set(task.json()) == TASK_FIELDS
    assert (task.json()["id"], task.json()["taskState"]) == (task_id, "CREATED")
    for method, path, body in (
        ("GET", "/v1/tasks/2251799813685251", None),
        ("PATCH", "/v1/tasks/2251799813685251/assign", {"assignee": "alice"}),
        ("PATCH", "/v1/tasks/2251799813685251/unassign", None),
        ("PATCH", "/v1/tasks/2251799813685251/complete", {"variables": []}),
        ("POST", "/v1/tasks/2251799813685251/variables/search", {}),
    ):
        response = app.request(method, path, json=body)
        assert_camunda_error(response, 404, "2251799813685251")


def test_assign_and_unassign(camunda: Camunda, app: httpx.Client) -> None:
    task_id = camunda.task_of(camunda.start_review())
    assert_camunda_error(app.patch(f"/v1/tasks/{task_id}/assign", json={}), 400, "Assignee must be specified")
    assigned = app.patch(f"/v1/tasks/{task_id}/assign", json={"assignee": "alice"})
    assert assigned.status_code == 200 and assigned.json()["assignee"] == "alice"

    refused = app.patch(
        f"/v1/tasks/{task_id}/assign", json={"assignee": "bob", "allowOverrideAssignment": False}
    )
    assert_camunda_error(refused, 400, "already assigned")
    assert app.get(f"/v1/tasks/{task_id}").json()["assignee"] == "alice"
    overridden = app.patch(f"/v1/tasks/{task_id}/assign", json={"assignee": "bob"})  # override is the default
    assert overridden.json()["assignee"] == "bob"

    released = app.patch(f"/v1/tasks/{task_id}/unassign")
    assert released.status_code == 200 and released.json()["assignee"] is None
    assert_camunda_error(app.patch(f"/v1/tasks/{task_id}/unassign"), 400, "not assigned")
    assert_camunda_error(app.patch(f"/v1/tasks/{task_id}/assign", json={"assignee": 7}), 400, "assignee")


def test_complete_with_variables_as_json_text(camunda: Camunda, app: httpx.Client) -> None:
    instance = camunda.start_review(amount=120)
    task_id = camunda.task_of(instance)
    body = {"variables": [{"name": "approved", "value": "true"}, {"name": "comment", "value": '"fine"'}]}
    done = app.patch(f"/v1/tasks/{task_id}/complete", content=json.dumps(body), headers=JSON)
    assert done.status_code == 200, done.text
    assert (done.json()["taskState"], done.json()["id"]) == ("COMPLETED", task_id)
    assert done.json()["completionDate"] is not None
    variables = camunda.admin("GET", f"/api/v1/process-instances/{instance}/variables")
    assert variables == {"amount": 120, "approved": True, "comment": "fine"}
    assert app.get(f"/v1/tasks/{task_id}").json()["taskState"] == "COMPLETED"

    again = app.patch(f"/v1/tasks/{task_id}/complete", json={"variables": []})
    assert_camunda_error(again, 400, "not ready")


def test_a_bad_variable_changes_nothing(camunda: Camunda, app: httpx.Client) -> None:
    instance = camunda.start_review()
    task_id = camunda.task_of(instance)
    for variables, words in (
        ([{"name": "ok", "value": "1"}, {"name": "approved", "value": "yes"}], "not JSON text"),
        ([{"name": "approved", "value": True}], "value"),
        ([{"name": "a", "value": "1"}, {"name": "a", "value": "2"}], "more than once"),
        ([{"value": "1"}], "name"),
    ):
        response = app.patch(f"/v1/tasks/{task_id}/complete", json={"variables": variables})
        assert_camunda_error(response, 400, words)
    assert app.get(f"/v1/tasks/{task_id}").json()["taskState"] == "CREATED"
    assert camunda.admin("GET", f"/api/v1/process-instances/{instance}/variables") == {}


def test_a_suspended_instance_takes_no_changes(camunda: Camunda, app: httpx.Client) -> None:
    instance = camunda.start_review()
    task_id = camunda.task_of(instance)
    camunda.admin("POST", f"/api/v1/process-instances/{instance}/suspend")
    for path, body in (("assign", {"assignee": "alice"}), ("complete", {"variables": []})):
        assert_camunda_error(app.patch(f"/v1/tasks/{task_id}/{path}", json=body), 400, "suspended")
    task = app.get(f"/v1/tasks/{task_id}").json()
    assert (task["taskState"], task["assignee"]) == ("CREATED", None)
    camunda.admin("POST", f"/api/v1/process-instances/{instance}/resume")
    assert app.patch(f"/v1/tasks/{task_id}/complete", json={"variables": []}).status_code == 200


def test_variables_search(camunda: Camunda, app: httpx.Client) -> None:
    task_id = camunda.task_of(camunda.start_review(amount=120, note="taxi"))
    everything = app.post(f"/v1/tasks/{task_id}/variables/search", content=b"{}", headers=JSON)
    assert everything.status_code == 200
    assert {v["name"]: v["value"] for v in everything.json()} == {"amount": "120", "note": '"taxi"'}
    assert set(everything.json()[0]) == {"id", "name", "value", "previewValue", "isValueTruncated", "draft"}
    named = app.post(f"/v1/tasks/{task_id}/variables/search", json={"variableNames": ["note"]})
    assert [v["name"] for v in named.json()] == ["note"]
    assert_camunda_error(
        app.post(f"/v1/tasks/{task_id}/variables/search", json={"variableNames": "note"}),
        400,
        "variableNames",
    )


def test_process_definitions_search(camunda: Camunda, app: httpx.Client) -> None:
    found = app.post("/v1/process-definitions/search", content=b"{}", headers=JSON)
    assert found.status_code == 200
    page = found.json()
    review = next(d for d in page["items"] if d["bpmnProcessId"] == "tasklist_review")
    assert review == {
        "key": _definition_key(camunda, "tasklist_review"),
        "name": "Expense review",
        "version": 1,
        "bpmnProcessId": "tasklist_review",
        "tenantId": "<default>",
    }
    assert page["total"] == len(page["items"])
    by_id = app.post("/v1/process-definitions/search", json={"filter": {"bpmnProcessId": "tasklist_review"}})
    assert [d["key"] for d in by_id.json()["items"]] == [review["key"]]
    by_key = app.post("/v1/process-definitions/search", json={"filter": {"key": review["key"]}})
    assert by_key.json()["items"] == [review]
    nothing = app.post("/v1/process-definitions/search", json={"filter": {"key": "2251799813685249"}})
    assert nothing.json() == {"items": [], "sortValues": None, "total": 0}

    first = app.post("/v1/process-definitions/search", json={"size": 1}).json()
    assert len(first["items"]) == 1 and first["total"] == page["total"]
    if first["total"] > 1:
        second = app.post(
            "/v1/process-definitions/search", json={"size": 1, "searchAfter": first["sortValues"]}
        )
        assert second.json()["items"][0]["key"] != first["items"][0]["key"]
    assert_camunda_error(app.post("/v1/process-definitions/search", json={"size": -1}), 400, "size")
