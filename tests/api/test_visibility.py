"""Visibility (SAP's defaultCollectionQueryFilter) and environments: who sees which instances and tasks."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from flowport.api.app import create_app
from tests.api.oauth_support import access_token, oauth_settings
from tests.helpers import AUTH, STATIC_AUTH_SETTINGS, bpmn

OWN, OWN_SECRET = "own-app", "own-app-secret-0123456789abcdef0123456789"
SHARED, SHARED_SECRET = "shared-app", "shared-app-secret-0123456789abcdef01234567"
SANDBOX, SANDBOX_SECRET = "sandbox-app", "sandbox-app-secret-0123456789abcdef0123456"
CLIENTS: list[dict[str, Any]] = [
    {"client_id": OWN, "client_secret": OWN_SECRET, "profile": "ObjectReadWrite", "visibility": "own"},
    {"client_id": SHARED, "client_secret": SHARED_SECRET, "profile": "ObjectReadWrite"},
    {
        "client_id": SANDBOX,
        "client_secret": SANDBOX_SECRET,
        "profile": "ObjectReadWrite",
        "environment": "sandbox",
    },
]


@pytest.fixture
def http(database_url: str, tmp_path: Path) -> Any:
    settings = oauth_settings(database_url, tmp_path, **STATIC_AUTH_SETTINGS)
    settings.auth.clients = []
    with TestClient(create_app(settings)) as client:
        assert (
            client.post("/api/v1/admin/environments", json={"name": "sandbox"}, headers=AUTH).status_code
            == 201
        )
        yield client


def _bearer(http: TestClient, client_id: str, secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {access_token(http, client_id, secret)}"}


def _register(http: TestClient) -> dict[str, dict[str, str]]:
    for spec in CLIENTS:
        body = {
            "name": spec["client_id"],
            "clientId": spec["client_id"],
            "profile": spec["profile"],
            "visibility": spec.get("visibility", "shared"),
            "environment": spec.get("environment", "default"),
        }
        created = http.post("/api/v1/admin/clients", json=body, headers=AUTH)
        assert created.status_code == 201, created.text
        spec["client_secret"] = created.json()["clientSecret"]
    return {spec["client_id"]: _bearer(http, spec["client_id"], spec["client_secret"]) for spec in CLIENTS}


def _deploy(http: TestClient, headers: dict[str, str], name: str) -> None:
    response = http.post(
        "/api/v1/process-definitions",
        content=bpmn(name),
        headers={**headers, "content-type": "application/xml"},
    )
    assert response.status_code == 201, response.text


def _start(http: TestClient, headers: dict[str, str], key: str) -> str:
    response = http.post("/api/v1/process-instances", json={"definitionKey": key}, headers=headers)
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def _ids(response: Any) -> set[str]:
    assert response.status_code == 200, response.text
    return {item["id"] for item in response.json()["items"]}


def test_own_visibility_sees_only_its_instances(http: TestClient) -> None:
    tokens = _register(http)
    own, shared = tokens[OWN], tokens[SHARED]
    _deploy(http, AUTH, "user_task.bpmn")
    mine = _start(http, own, "user_task")
    theirs = _start(http, shared, "user_task")

    assert _ids(http.get("/api/v1/process-instances", headers=own)) == {mine}
    assert _ids(http.get("/api/v1/process-instances", headers=shared)) == {mine, theirs}
    assert http.get(f"/api/v1/process-instances/{mine}", headers=own).json()["startedBy"] == OWN
    hidden = http.get(f"/api/v1/process-instances/{theirs}", headers=own)
    assert hidden.status_code == 404  # not 403: its existence is not revealed either


def test_own_visibility_sees_only_tasks_it_may_act_on(http: TestClient) -> None:
    tokens = _register(http)
    own, shared = tokens[OWN], tokens[SHARED]
    _deploy(http, AUTH, "user_task_candidates.bpmn")
    _start(http, own, "user_task_candidates")
    _start(http, shared, "user_task_candidates")
    everyone = _ids(http.get("/api/v1/tasks", headers=shared))
    assert len(everyone) == 2
    # The tasks go to bob and carol or the sales and support groups: not to this client.
    assert _ids(http.get("/api/v1/tasks", headers=own)) == set()
    task = sorted(everyone)[0]
    assigned = http.post(f"/api/v1/tasks/{task}/claim", json={"assignee": OWN}, headers=AUTH)
    assert assigned.status_code == 200, assigned.text
    assert _ids(http.get("/api/v1/tasks", headers=own)) == {task}


def test_environments_keep_data_apart(http: TestClient) -> None:
    tokens = _register(http)
    sandbox, shared = tokens[SANDBOX], tokens[SHARED]
    _deploy(http, sandbox, "user_task.bpmn")
    in_sandbox = _start(http, sandbox, "user_task")

    listed = http.get("/api/v1/process-definitions", headers=shared)
    assert listed.status_code == 200 and listed.json()["items"] == []
    assert http.get(f"/api/v1/process-instances/{in_sandbox}", headers=shared).status_code == 404
    not_deployed_here = http.post(
        "/api/v1/process-instances", json={"definitionKey": "user_task"}, headers=shared
    )
    assert not_deployed_here.status_code == 404
    assert _ids(http.get("/api/v1/tasks", headers=shared)) == set()
    assert len(_ids(http.get("/api/v1/tasks", headers=sandbox))) == 1
    # A sandbox token used against the default environment is refused outright.
    crossing = http.get("/api/v1/process-instances", headers={**sandbox, "x-ws-env": "default"})
    assert crossing.status_code == 401
    # The static admin token is bound to the default environment too.
    assert http.get("/api/v1/process-instances", headers={**AUTH, "x-ws-env": "sandbox"}).status_code == 401
