"""The API page's generated code, run for real (curl in bash, Python in a subprocess) on a live server."""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from flowport.web.api_catalog import Catalog, build_catalog
from flowport.web.codegen import ExampleRequest, Target, generate
from tests.e2e.server import LiveServer
from tests.helpers import FIXTURES, STATIC_AUTH_SETTINGS

CLIENT_ID, SECRET = "codegen-app", "codegen-secret-for-the-e2e-suite-0123456789"
AUTH: dict[str, Any] = {
    **STATIC_AUTH_SETTINGS,
    "clients": [{"client_id": CLIENT_ID, "client_secret": SECRET, "profile": "Admin"}],
    "master_key": "e2e-master-key-for-generated-code",
}


@pytest.fixture
def server(tmp_path: Path) -> Iterator[LiveServer]:
    with LiveServer(tmp_path, scheduler_enabled=False, auth=AUTH) as live:
        yield live


def run(code: str, target: Target, cwd: Path) -> str:
    env = {**os.environ, "FLOWPORT_CLIENT_SECRET": SECRET}
    command = ["bash", "-c", code] if target is Target.CURL else [sys.executable, "-c", code]
    done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=30)
    assert done.returncode == 0, f"{code}\n---\n{done.stdout}\n{done.stderr}"
    assert SECRET not in code
    return done.stdout


def test_generated_code_runs_against_a_live_server(server: LiveServer, tmp_path: Path) -> None:
    catalog: Catalog = build_catalog(httpx.get(f"{server.url}/openapi.json").json())
    token_path = httpx.get(f"{server.url}/.well-known/openid-configuration").json()["token_endpoint"]
    assert token_path == server.url + catalog.token_path

    def example(method: str, path: str, **values: Any) -> tuple[Any, ExampleRequest]:
        op = catalog.find(method, path)
        base = ExampleRequest.example_for(op, server.url, client_id=CLIENT_ID, token_path=catalog.token_path)
        return op, ExampleRequest(**{**base.__dict__, **values})

    (tmp_path / "user task.bpmn").write_bytes((FIXTURES / "user_task.bpmn").read_bytes())
    (tmp_path / "scheme.bpmn").write_bytes((FIXTURES / "optimajet_test_scheme.bpmn").read_bytes())

    # curl: deploy a BPMN file (multipart upload)
    op, request = example("POST", "/api/v1/process-definitions", files={"file": "user task.bpmn"})
    deployed = json.loads(run(generate(op, request, Target.CURL), Target.CURL, tmp_path))
    assert deployed["definitions"][0]["key"] == "user_task"

    # python-sdk: deploy the OptimaJet scheme through the SDK's typed method
    op, request = example("POST", "/api/v1/process-definitions", files={"file": "scheme.bpmn"})
    code = generate(op, request, Target.PYTHON_SDK)
    assert "flowport.definitions.deploy(" in code
    run(code, Target.PYTHON_SDK, tmp_path)

    # python-requests: start an instance with a variable full of characters that need quoting
    note = 'it\'s "quoted" $HOME `id` ✓\nline two'
    body = {"definitionKey": "user_task", "variables": {"note": note}, "businessKey": "order-1"}
    op, request = example("POST", "/api/v1/process-instances", json_body=body)
    started = ast.literal_eval(
        run(generate(op, request, Target.PYTHON_REQUESTS), Target.PYTHON_REQUESTS, tmp_path)
    )
    instance_id = started["id"]
    variables = httpx.get(
        f"{server.url}/api/v1/process-instances/{instance_id}/variables", headers=server.headers
    )
    assert variables.json()["note"] == note

    # curl: list the instance's tasks
    op, request = example("GET", "/api/v1/tasks", query={"processInstanceId": instance_id})
    tasks = json.loads(run(generate(op, request, Target.CURL), Target.CURL, tmp_path))
    assert [task["processInstanceId"] for task in tasks["items"]] == [instance_id]

    # python-sdk, no SDK method: OptimaJet createinstance through Client.execute
    op, request = example(
        "POST",
        "/workflowapi/createinstance/{processId}",
        path_params={"processId": "oj-instance-1"},
        json_body={"schemeCode": "TestScheme", "identityId": "alice"},
    )
    code = generate(op, request, Target.PYTHON_SDK)
    assert "flowport.execute(" in code
    run(code, Target.PYTHON_SDK, tmp_path)
    created = httpx.get(f"{server.url}/api/v1/process-instances/oj-instance-1", headers=server.headers)
    assert created.status_code == 200, created.text

    # curl: the SAP facade reads the same instance
    op, request = example(
        "GET", "/v1/workflow-instances/{instance_id}", path_params={"instance_id": instance_id}
    )
    sap = json.loads(run(generate(op, request, Target.CURL), Target.CURL, tmp_path))
    assert sap["id"] == instance_id and sap["businessKey"] == "order-1"
