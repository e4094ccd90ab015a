"""Visibility and environments hold for every operation: a matrix over the OpenAPI document.

Every route that takes the id of an instance, task, job or incident (and, across environments, a
definition), the product facades' included, is called by a client that may not see that resource:
an ``own`` client on another client's resources, and a client of another environment. Each call
must answer "not found" (404, or the facade's own shape of it), exactly as for an id that does not
exist, and must change nothing (read back as the owner).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from flowport.api.app import create_app
from tests.api.oauth_support import access_token, oauth_settings
from tests.helpers import AUTH, STATIC_AUTH_SETTINGS, bpmn

WORKER = "worker-1"
# Which resource a path parameter names, by the collection it follows.
KINDS = {
    "process-instances": "instance",
    "tasks": "task",
    "jobs": "job",
    "incidents": "incident",
    "process-definitions": "definition",
    # SAP Workflow API v1 (compat/sap): a workflow definition's id is the process key.
    "workflow-instances": "instance",
    "task-instances": "task",
    "workflow-definitions": "process",
    # OptimaJet's /workflowapi/{operation}/{processId}: the operation names what the id is
    **{
        operation: "instance"
        for operation in (
            "getinstanceinfo",
            "isexistprocess",
            "deleteinstance",
            "getavailablecommands",
            "executecommand",
            "getavailablestatetoset",
            "setstate",
            "setparameter",
            "getparameter",
        )
    },
}
# Routes whose id names a resource to create, not one to find (a taken id is a conflict, as natively).
NEW_RESOURCE_IDS = ("/workflowapi/createinstance/",)
# Routes whose ids are not workflow data (administration of clients, users, keys, environments).
NOT_WORKFLOW_DATA = "/api/v1/admin/"
# A body each action would accept from a caller allowed to act, so only visibility can refuse it.
BODIES: dict[tuple[str, str, str], Any] = {
    ("patch", "task", "complete"): {"variables": [{"name": "intruder", "value": "true"}]},  # Camunda
    ("patch", "task", "assign"): {"assignee": "intruder"},  # Camunda
    ("post", "task", "complete"): {"variables": {"intruder": True}},
    ("post", "task", "claim"): {"assignee": "intruder"},
    ("post", "instance", "move"): {"toElementId": "task1"},
    ("put", "instance", "variables"): {"intruder": True},
    ("patch", "instance", "variables"): {"intruder": True},
    ("post", "job", "complete"): {"workerId": WORKER, "variables": {"intruder": True}},
    ("post", "job", "fail"): {"workerId": WORKER, "retries": 0, "errorMessage": "intruder"},
    ("post", "job", "extend-lock"): {"workerId": WORKER, "newDuration": 60_000},
    ("post", "incident", "resolve"): {"retries": 1},
    ("patch", "instance", "{instance_id}"): {"status": "CANCELED"},
    ("put", "instance", "context"): {"intruder": True},
    ("patch", "instance", "context"): {"intruder": True},
    ("patch", "task", "{task_id}"): {"status": "COMPLETED", "context": {"intruder": True}},
    **{
        (method, "instance", operation): body
        for method in ("get", "post")
        for operation, body in (
            ("executecommand", {"command": "task1", "identityId": "alice"}),
            ("setstate", {"state": "task1"}),
            ("setparameter", {"name": "intruder", "value": True}),
            ("getparameter", {"name": "intruder"}),
        )
    },
}
# Collections answered as a bare JSON array (SAP's), with filters that would find the resources.
ARRAY_COLLECTIONS = (
    ("/v1/workflow-instances", [("status", s) for s in ("RUNNING", "ERRONEOUS", "SUSPENDED")]),
    ("/v1/task-instances", []),
)


@pytest.fixture
def http(database_url: str, tmp_path: Path) -> Iterator[TestClient]:
    settings = oauth_settings(database_url, tmp_path, **STATIC_AUTH_SETTINGS)
    settings.auth.clients = []
    with TestClient(create_app(settings)) as client:
        created = client.post("/api/v1/admin/environments", json={"name": "sandbox"}, headers=AUTH)
        assert created.status_code == 201, created.text
        yield client


def _client_headers(http: TestClient, client_id: str, *, visibility: str, environment: str) -> dict[str, str]:
    body = {
        "name": client_id,
        "clientId": client_id,
        "profile": "Admin",  # every permission: a refusal can only come from visibility
        "visibility": visibility,
        "environment": environment,
    }
    created = http.post("/api/v1/admin/clients", json=body, headers=AUTH)
    assert created.status_code == 201, created.text
    token = access_token(http, client_id, created.json()["clientSecret"])
    return {"Authorization": f"Bearer {token}"}


def _ok(response: Any, *codes: int) -> Any:
    assert response.status_code in (codes or (200, 201)), response.text
    return response.json() if response.content else None


def _resources(http: TestClient) -> dict[str, str]:
    """An instance with a user task, one with a job locked by a worker, one with an incident."""
    ids: dict[str, str] = {}
    for name in ("user_task.bpmn", "service_task.bpmn", "script_divide.bpmn"):
        deployed = _ok(
            http.post(
                "/api/v1/process-definitions",
                content=bpmn(name),
                headers={**AUTH, "content-type": "application/xml"},
            )
        )
        ids.setdefault("definition", deployed["definitions"][0]["id"])
        ids.setdefault("process", deployed["definitions"][0]["key"])
    start = "/api/v1/process-instances"
    ids["instance"] = _ok(http.post(start, json={"definitionKey": "user_task"}, headers=AUTH))["id"]
    [task] = _ok(http.get("/api/v1/tasks", params={"processInstanceId": ids["instance"]}, headers=AUTH))[
        "items"
    ]
    ids["task"] = task["id"]
    ids["job_instance"] = _ok(http.post(start, json={"definitionKey": "service_task"}, headers=AUTH))["id"]
    fetch = {"workerId": WORKER, "topics": [{"name": "work-topic", "lockDuration": 600_000}]}
    [job] = _ok(http.post("/api/v1/jobs/fetch-and-lock", json=fetch, headers=AUTH))["items"]
    ids["job"] = job["id"]
    failing = {"definitionKey": "script_divide", "variables": {"x": 0}}
    ids["incident_instance"] = _ok(http.post(start, json=failing, headers=AUTH))["id"]
    [incident] = _ok(
        http.get("/api/v1/incidents", params={"instanceId": ids["incident_instance"]}, headers=AUTH)
    )["items"]
    ids["incident"] = incident["id"]
    return ids


def _state(http: TestClient, ids: dict[str, str]) -> dict[str, Any]:
    """Everything the matrix could change, read by the owner."""
    state: dict[str, Any] = {}
    for key in ("instance", "job_instance", "incident_instance"):
        instance = ids[key]
        state[key] = _ok(http.get(f"/api/v1/process-instances/{instance}", headers=AUTH))
        state[f"{key}.history"] = len(
            _ok(http.get(f"/api/v1/process-instances/{instance}/history", headers=AUTH))["items"]
        )
    state["task"] = _ok(http.get(f"/api/v1/tasks/{ids['task']}", headers=AUTH))
    state["jobs"] = _ok(http.get("/api/v1/jobs", params={"instanceId": ids["job_instance"]}, headers=AUTH))
    state["incidents"] = _ok(
        http.get("/api/v1/incidents", params={"instanceId": ids["incident_instance"]}, headers=AUTH)
    )
    state["definitions"] = _ok(http.get("/api/v1/process-definitions", headers=AUTH))
    return state


def _id_routes(http: TestClient) -> list[tuple[str, str, str]]:
    """(method, path, resource kind) of every operation of the OpenAPI document taking a resource id."""
    routes = []
    for path, operations in _ok(http.get("/openapi.json"))["paths"].items():
        if "{" not in path or path.startswith((NOT_WORKFLOW_DATA, *NEW_RESOURCE_IDS)):
            continue
        segments = path.split("/")
        first = next(i for i, s in enumerate(segments) if s.startswith("{"))
        kind = KINDS.get(segments[first - 1])
        assert kind is not None, f"{path}: say in KINDS which resource its id names"
        for method in operations:
            routes.append((method, path, kind))
    return routes


def _call(
    http: TestClient, method: str, path: str, kind: str, ids: dict[str, str], headers: dict[str, str]
) -> Any:
    segments = path.split("/")
    concrete = "/".join(
        ids[KINDS[segments[i - 1]]] if s.startswith("{") else s for i, s in enumerate(segments)
    )
    # keyed by the last segment ("{instance_id}" for SAP's PATCH) or, for OptimaJet's
    # /workflowapi/{operation}/{processId}, by the operation before the id
    body = BODIES.get((method, kind, segments[-1]), BODIES.get((method, kind, segments[-2])))
    return http.request(method.upper(), concrete, json=body, headers=headers)


def _assert_not_found(method: str, path: str, response: Any) -> None:
    """The edge's "does not exist": a problem document natively, OptimaJet's envelope on /workflowapi."""
    where = f"{method.upper()} {path}: {response.status_code} {response.text}"
    if path.startswith("/workflowapi/"):
        body = response.json()
        assert response.status_code == 200, where
        if path.startswith("/workflowapi/isexistprocess/"):
            assert (body["success"], body["data"]) == (True, False), where
        else:
            assert (body["success"], body["error"]) == (False, "NotFound"), where
            assert "does not exist" in body["message"], where
        return
    assert response.status_code == 404, where
    assert "does not exist" in _not_found_message(response), where


def _assert_hidden(http: TestClient, ids: dict[str, str], headers: dict[str, str], kinds: set[str]) -> None:
    routes = [r for r in _id_routes(http) if r[2] in kinds]
    assert {kind for _, _, kind in routes} == kinds, "every kind of resource has routes in the matrix"
    before = _state(http, ids)
    for method, path, kind in routes:
        response = _call(http, method, path, kind, ids, headers)
        _assert_not_found(method, path, response)
        assert _state(http, ids) == before, f"{method.upper()} {path} changed something it may not see"


def _not_found_message(response: Any) -> str:
    """The message of a 404 in its edge's shape: a native problem, SAP's ``{"error": {...}}`` or
    Camunda's ``{"status", "message", "instance"}``."""
    media = response.headers["content-type"]
    if media.startswith("application/problem+json"):
        return str(response.json()["detail"])
    assert media.startswith("application/json"), media
    body = response.json()
    return str(body["error"]["message"] if "error" in body else body["message"])


def _assert_collections_hide(http: TestClient, ids: dict[str, str], headers: dict[str, str]) -> None:
    for path, params in (
        ("/api/v1/process-instances", {}),
        ("/api/v1/tasks", {"processInstanceId": ids["instance"]}),
        ("/api/v1/jobs", {"instanceId": ids["job_instance"]}),
        ("/api/v1/incidents", {"instanceId": ids["incident_instance"]}),
    ):
        assert _ok(http.get(path, params=params, headers=headers))["items"] == [], path
    for path, params in ARRAY_COLLECTIONS:
        assert _ok(http.get(path, params=params, headers=headers)) == [], path
    # The job's lock expires for nobody: locked or not, a job of an invisible instance is not offered.
    fetch = {"workerId": "intruder", "topics": [{"name": "work-topic", "lockDuration": 1000}]}
    assert _ok(http.post("/api/v1/jobs/fetch-and-lock", json=fetch, headers=headers))["items"] == []


def test_own_client_can_neither_read_nor_change_another_clients_resources(http: TestClient) -> None:
    ids = _resources(http)
    own = _client_headers(http, "own-app", visibility="own", environment="default")
    _assert_hidden(http, ids, own, {"instance", "task", "job", "incident"})
    _assert_collections_hide(http, ids, own)


def test_other_environment_can_neither_read_nor_change_resources(http: TestClient) -> None:
    ids = _resources(http)
    sandbox = _client_headers(http, "sandbox-app", visibility="shared", environment="sandbox")
    _assert_hidden(http, ids, sandbox, {"instance", "task", "job", "incident", "definition", "process"})
    _assert_collections_hide(http, ids, sandbox)


def test_messages_and_signals_reach_only_visible_instances(http: TestClient) -> None:
    for name in ("message_catch.bpmn", "signal_catch.bpmn"):
        _ok(
            http.post(
                "/api/v1/process-definitions",
                content=bpmn(name),
                headers={**AUTH, "content-type": "application/xml"},
            )
        )
    start = "/api/v1/process-instances"
    waiting = [
        _ok(http.post(start, json={"definitionKey": "message_catch", "businessKey": "b-1"}, headers=AUTH)),
        _ok(http.post(start, json={"definitionKey": "signal_catch"}, headers=AUTH)),
    ]
    [first] = _ok(http.get("/api/v1/tasks", params={"processInstanceId": waiting[0]["id"]}, headers=AUTH))[
        "items"
    ]
    _ok(http.post(f"/api/v1/tasks/{first['id']}/complete", json={}, headers=AUTH))
    waiting[0] = _ok(http.get(f"/api/v1/process-instances/{waiting[0]['id']}", headers=AUTH))
    assert waiting[0]["activeElementIds"] == ["wait_paid"]
    own = _client_headers(http, "own-app", visibility="own", environment="default")

    for target in ({"processInstanceId": waiting[0]["id"]}, {"businessKey": "b-1"}, {}):
        response = http.post("/api/v1/messages", json={"name": "OrderPaid", **target}, headers=own)
        assert response.status_code == 404, response.text
    assert _ok(http.post("/api/v1/signals", json={"name": "Alarm"}, headers=own))["items"] == []

    for instance in waiting:
        got = _ok(http.get(f"/api/v1/process-instances/{instance['id']}", headers=AUTH))
        assert (got["status"], got["version"]) == ("RUNNING", instance["version"])
    # The owner's message still gets through: the instance was waiting all along.
    delivered = http.post("/api/v1/messages", json={"name": "OrderPaid", "businessKey": "b-1"}, headers=AUTH)
    assert [d["processInstanceId"] for d in _ok(delivered)["items"]] == [waiting[0]["id"]]
