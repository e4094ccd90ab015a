"""Tasklist's GraphQL API: the same task operations, GraphQL errors, limits and cookie rules."""

from __future__ import annotations

from typing import Any

import httpx

from tests.compat.camunda_tasklist.conftest import Camunda, Login, MakeClient
from tests.compat.camunda_tasklist.test_rest_tasks import assert_camunda_error

TASK_FIELDS = (
    "id name taskDefinitionId processName creationTime completionTime assignee taskState "
    "sortValues isFirst processDefinitionId processInstanceId candidateGroups candidateUsers"
)


BY_ID = "query($id: String!) {task(id: $id) {id taskState}}"


def _graphql(client: httpx.Client, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
    response = client.post("/graphql", json={"query": query, "variables": variables})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def test_tasks_query_filters_and_pages(camunda: Camunda, app: httpx.Client) -> None:
    instance = camunda.start_review(amount=5)
    task_id = camunda.task_of(instance)
    query = f"""query($instance: String) {{
      tasks(query: {{processInstanceId: $instance, state: CREATED, pageSize: 10}}) {{
        {TASK_FIELDS} variables {{ name value }}
      }}
    }}"""
    [task] = _graphql(app, query, {"instance": instance})["data"]["tasks"]
    assert task["id"] == task_id and task["processInstanceId"] == instance
    assert (task["name"], task["taskDefinitionId"], task["taskState"]) == (
        "Review expense",
        "review",
        "CREATED",
    )
    assert task["candidateGroups"] == ["managers"] and task["creationTime"].endswith("+0000")
    assert task["variables"] == [{"name": "amount", "value": "5"}]
    next_page = (
        "query($after: [String!], $instance: String) "
        "{tasks(query: {searchAfter: $after, processInstanceId: $instance}){id}}"
    )
    after = _graphql(app, next_page, {"after": task["sortValues"], "instance": instance})
    assert after["data"]["tasks"] == []


def test_task_query_and_unknown_ids(camunda: Camunda, app: httpx.Client) -> None:
    task_id = camunda.task_of(camunda.start_review())
    got = _graphql(app, BY_ID, {"id": task_id})
    assert got["data"]["task"] == {"id": task_id, "taskState": "CREATED"}
    missing = _graphql(app, '{task(id: "2251799813685251") {id}}')
    assert missing["data"] is None
    [error] = missing["errors"]
    assert "2251799813685251 does not exist" in error["message"] and error["path"] == ["task"]


def test_claim_unclaim_and_complete_mutations(camunda: Camunda, app: httpx.Client) -> None:
    instance = camunda.start_review()
    task_id = camunda.task_of(instance)
    claim = 'mutation($id: String!) { claimTask(taskId: $id, assignee: "alice") { id assignee } }'
    assert _graphql(app, claim, {"id": task_id})["data"] == {
        "claimTask": {"id": task_id, "assignee": "alice"}
    }
    no_override = (
        "mutation($id: String!) "
        '{ claimTask(taskId: $id, assignee: "bob", allowOverrideAssignment: false) { id } }'
    )
    refused = _graphql(app, no_override, {"id": task_id})
    assert "already assigned" in refused["errors"][0]["message"]
    unclaim = _graphql(
        app, "mutation($id: String!) { unclaimTask(taskId: $id) { assignee } }", {"id": task_id}
    )
    assert unclaim["data"] == {"unclaimTask": {"assignee": None}}

    complete = """mutation($id: String!, $vars: [VariableInput!]!) {
      completeTask(taskId: $id, variables: $vars) { id taskState completionTime }
    }"""
    variables = {"id": task_id, "vars": [{"name": "approved", "value": "true"}]}
    done = _graphql(app, complete, variables)["data"]["completeTask"]
    assert (done["id"], done["taskState"]) == (task_id, "COMPLETED") and done["completionTime"]
    assert camunda.admin("GET", f"/api/v1/process-instances/{instance}/variables") == {"approved": True}
    bad = _graphql(app, complete, {"id": camunda.task_of(instance), "vars": [{"name": "x", "value": "{"}]})
    assert "not JSON text" in bad["errors"][0]["message"]


def test_graphql_errors_and_limits(app: httpx.Client) -> None:
    for query, words in (
        ("{ tasks(query: {}) { name ", "Syntax Error"),
        ("{ tasks(query: {}) { nope } }", "nope"),
        ("{ tasks(query: {pageSize: 0}) { name } }", "pageSize"),
        ("{ tasks(query: {state: OPEN}) { name } }", "OPEN"),
        ("{ " + " ".join(f"t{i}: tasks(query: {{}}) {{ name }}" for i in range(11)) + " }", "root fields"),
        ("{ tasks(query: {}) { name } " + "x " * 3000 + "}", "tokens"),
        (
            'mutation { a: unclaimTask(taskId: "1") { id } b: unclaimTask(taskId: "2") { id } }',
            "one mutation",
        ),
    ):
        errors = _graphql(app, query)["errors"]
        assert words in errors[0]["message"], (query[:60], errors)
    nested = "{ __schema { types { fields { type " + "{ ofType " * 12 + "{ name }" + " }" * 12 + " } } } }"
    assert "levels deep" in _graphql(app, nested)["errors"][0]["message"]
    introspection = (
        "{ __schema { types { name fields { name type { name ofType { name ofType { name } } } } } } }"
    )
    assert "errors" not in _graphql(app, introspection)
    assert_camunda_error(app.post("/graphql", json={"variables": {}}), 400, "query")
    assert_camunda_error(app.post("/graphql", json={"query": 5}), 400, "query")


def test_cookie_queries_need_no_csrf_header_but_mutations_do(camunda: Camunda, login: Login) -> None:
    browser, csrf = login()
    task_id = camunda.task_of(camunda.start_review())
    listed = _graphql(browser, '{tasks(query: {candidateGroup: "managers"}) {id}}')["data"]["tasks"]
    assert {"id": task_id} in listed
    claim = {
        "query": "mutation($id: String!) { claimTask(taskId: $id) { assignee } }",
        "variables": {"id": task_id},
    }
    assert_camunda_error(browser.post("/graphql", json=claim), 403, "x-csrf-token")
    assert camunda.admin("GET", f"/api/v1/tasks/{task_id}")["assignee"] is None
    claimed = browser.post("/graphql", json=claim, headers={"X-CSRF-Token": csrf})
    assert claimed.json() == {"data": {"claimTask": {"assignee": "demo"}}}


def test_each_mutation_checks_its_permission(camunda: Camunda, as_client: MakeClient) -> None:
    reader = as_client("reader-app")
    task_id = camunda.task_of(camunda.start_review())
    assert _graphql(reader, BY_ID, {"id": task_id})["data"] == {
        "task": {"id": task_id, "taskState": "CREATED"}
    }
    claim = 'mutation($id: String!) { claimTask(taskId: $id, assignee: "x") { id } }'
    refused = _graphql(reader, claim, {"id": task_id})
    assert refused["errors"][0]["extensions"] == {"status": 403}
    assert camunda.admin("GET", f"/api/v1/tasks/{task_id}")["assignee"] is None
    assert_camunda_error(
        httpx.post(f"{camunda.url}/graphql", json={"query": "{tasks(query:{}){id}}"}), 401, ""
    )
