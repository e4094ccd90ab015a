"""The SAP Workflow API calls of the issue, sent exactly as SAP's users send them."""

from __future__ import annotations

import base64
import json

from tests.compat.sap.conftest import Sap

INSTANCE_FIELDS = {
    "id",
    "definitionId",
    "definitionVersion",
    "subject",
    "status",
    "businessKey",
    "startedAt",
    "startedBy",
    "completedAt",
    "rootInstanceId",
    "parentInstanceId",
}


def test_token_then_start_then_list_definitions_verbatim(sap: Sap) -> None:
    basic = base64.b64encode(b"sap-app:" + sap.secrets["sap-app"].encode()).decode()
    token = sap.http.post(
        "/oauth/token?grant_type=client_credentials", headers={"Authorization": f"Basic {basic}"}
    )
    assert token.status_code == 200, token.text
    assert token.json()["token_type"] == "Bearer"
    bearer = {"Authorization": f"Bearer {token.json()['access_token']}"}

    started = sap.http.post(
        "/v1/workflow-instances",
        content=json.dumps({"definitionId": "user_task", "context": {"product": "Camera", "price": 100}}),
        headers={**bearer, "Content-Type": "application/json", "Accept": "application/json"},
    )
    assert started.status_code == 201, started.text
    instance = started.json()
    assert set(instance) == INSTANCE_FIELDS
    assert instance["definitionId"] == "user_task"
    assert instance["definitionVersion"] == "1"
    assert instance["status"] == "RUNNING"
    assert instance["startedBy"] == "sap-app"
    assert instance["completedAt"] is None
    assert instance["startedAt"].endswith("Z") and len(instance["startedAt"]) == len(
        "2017-11-27T11:21:41.834Z"
    )
    context = sap.http.get(f"/v1/workflow-instances/{instance['id']}/context", headers=bearer)
    assert context.json() == {"product": "Camera", "price": 100}

    definitions = sap.http.get("/v1/workflow-definitions", headers={**bearer, "Accept": "application/json"})
    assert definitions.status_code == 200, definitions.text
    listed = {d["id"]: d for d in definitions.json()}
    assert {"user_task", "user_task_candidates", "message_catch", "script_divide"} <= set(listed)
    assert set(listed["user_task"]) == {"id", "name", "version", "createdAt", "createdBy", "jobs"}
    assert listed["user_task"]["name"] == "User task" and listed["user_task"]["version"] == "1"


def test_the_documented_operations_are_in_the_openapi_document_under_their_own_tag(sap: Sap) -> None:
    paths = sap.http.get("/openapi.json").json()["paths"]
    expected = {
        ("get", "/v1/workflow-definitions"),
        ("get", "/v1/workflow-definitions/{definition_id}"),
        ("get", "/v1/workflow-definitions/{definition_id}/versions"),
        ("get", "/v1/workflow-definitions/{definition_id}/model"),
        ("delete", "/v1/workflow-definitions/{definition_id}"),
        ("post", "/v1/workflow-instances"),
        ("get", "/v1/workflow-instances"),
        ("get", "/v1/workflow-instances/{instance_id}"),
        ("patch", "/v1/workflow-instances/{instance_id}"),
        ("get", "/v1/workflow-instances/{instance_id}/context"),
        ("put", "/v1/workflow-instances/{instance_id}/context"),
        ("patch", "/v1/workflow-instances/{instance_id}/context"),
        ("get", "/v1/workflow-instances/{instance_id}/execution-logs"),
        ("get", "/v1/workflow-instances/{instance_id}/error-messages"),
        ("get", "/v1/task-instances"),
        ("get", "/v1/task-instances/{task_id}"),
        ("get", "/v1/task-instances/{task_id}/context"),
        ("patch", "/v1/task-instances/{task_id}"),
        ("post", "/v1/messages"),
    }
    sap_prefixes = ("/v1/workflow-", "/v1/task-instances", "/v1/messages")
    published = {(m, p) for p, ops in paths.items() if p.startswith(sap_prefixes) for m in ops}
    assert published == expected
    for method, path in expected:
        operation = paths[path][method]
        assert operation["tags"] == ["SAP Workflow API v1"], (method, path)
        assert operation["x-permission"] and operation["x-sap-authority"], (method, path)
    start = paths["/v1/workflow-instances"]["post"]
    assert start["x-sap-authority"] == "WORKFLOW_INSTANCE_START"
    assert start["x-permission"] == "instances:start"
    schema_ref = start["requestBody"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
    schemas = sap.http.get("/openapi.json").json()["components"]["schemas"]
    assert schemas[schema_ref]["examples"][0]["context"] == {"product": "Camera", "price": 100}
