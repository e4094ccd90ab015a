"""One real Flowport server for the SAP Workflow API contract suite, and the clients SAP users register.

The server runs in its own process (LiveServer) for the whole package; each test starts the
instances it looks at, so tests do not depend on each other. Tokens come from the real token
endpoint, asked exactly as SAP's documentation does: ``POST /oauth/token?grant_type=client_credentials``
with HTTP Basic client authentication.
"""

from __future__ import annotations

import base64
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.databases import private_postgres_schema
from tests.e2e.server import LiveServer
from tests.helpers import AUTH, bpmn

FIXTURES = ("user_task.bpmn", "user_task_candidates.bpmn", "message_catch.bpmn", "script_divide.bpmn")
# Client id -> what it is registered with (admin API body, less name and id).
CLIENTS: dict[str, dict[str, Any]] = {
    "sap-app": {"profile": "ObjectReadWrite"},
    # SAP authorities only, as an SAP admin grants them: may read, may not start or send.
    "sap-reader": {
        "profile": None,
        "permissions": ["WORKFLOW_DEFINITION_GET", "WORKFLOW_INSTANCE_GET", "TASK_GET"],
    },
    # Completes tasks but may not reserve them for someone.
    "sap-completer": {
        "profile": None,
        "permissions": ["TASK_GET", "TASK_COMPLETE", "WORKFLOW_INSTANCE_START"],
    },
    "sap-own": {"profile": "ObjectReadWrite", "visibility": "own"},
    "sap-sandbox": {"profile": "ObjectReadWrite", "environment": "sandbox"},
}


@dataclass
class Sap:
    """The running server, a raw HTTP client and a bearer header per registered client."""

    server: LiveServer
    http: httpx.Client
    secrets: dict[str, str]
    headers: dict[str, dict[str, str]]

    def as_(self, client_id: str) -> dict[str, str]:
        """Headers an SAP client sends: its bearer token and JSON."""
        return {**self.headers[client_id], "Content-Type": "application/json", "Accept": "application/json"}

    def start(
        self, definition_id: str, context: dict[str, Any] | None = None, client: str = "sap-app", **extra: Any
    ) -> dict[str, Any]:
        body = {"definitionId": definition_id, "context": context or {}, **extra}
        response = self.http.post("/v1/workflow-instances", json=body, headers=self.as_(client))
        assert response.status_code == 201, response.text
        started: dict[str, Any] = response.json()
        return started

    def tasks_of(self, instance_id: str, client: str = "sap-app") -> list[dict[str, Any]]:
        response = self.http.get(
            "/v1/task-instances", params={"workflowInstanceId": instance_id}, headers=self.as_(client)
        )
        assert response.status_code == 200, response.text
        found: list[dict[str, Any]] = response.json()
        return found


def basic(client_id: str, secret: str) -> str:
    return "Basic " + base64.b64encode(f"{client_id}:{secret}".encode()).decode()


def fetch_token(http: httpx.Client, client_id: str, secret: str) -> str:
    """SAP's documented token request, byte for byte: grant type in the query, HTTP Basic."""
    response = http.post(
        "/oauth/token?grant_type=client_credentials", headers={"Authorization": basic(client_id, secret)}
    )
    assert response.status_code == 200, response.text
    token: str = response.json()["access_token"]
    return token


def _register(http: httpx.Client) -> dict[str, str]:
    created = http.post("/api/v1/admin/environments", json={"name": "sandbox"}, headers=AUTH)
    assert created.status_code == 201, created.text
    secrets = {}
    for client_id, settings in CLIENTS.items():
        body = {"name": client_id, "clientId": client_id, **settings}
        response = http.post("/api/v1/admin/clients", json=body, headers=AUTH)
        assert response.status_code == 201, response.text
        secrets[client_id] = response.json()["clientSecret"]
    return secrets


def _deploy(http: httpx.Client, env_headers: dict[str, str] | None = None) -> None:
    for name in FIXTURES:
        response = http.post(
            "/api/v1/process-definitions",
            content=bpmn(name),
            headers={**(env_headers or AUTH), "Content-Type": "application/xml"},
        )
        assert response.status_code in (200, 201), response.text


@pytest.fixture(scope="package", params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest) -> Iterator[str | None]:
    """The server's database for the whole package: SQLite in its data dir, or a private PostgreSQL schema."""
    if request.param == "sqlite":
        yield None
        return
    with private_postgres_schema() as url:
        yield url


@pytest.fixture(scope="package")
def sap(tmp_path_factory: pytest.TempPathFactory, database_url: str | None) -> Iterator[Sap]:
    data_dir: Path = tmp_path_factory.mktemp("sap-server")
    with (
        LiveServer(data_dir, database_url, scheduler_max_sleep=0.2) as server,
        httpx.Client(base_url=server.url) as http,
    ):
        _deploy(http)
        secrets = _register(http)
        headers = {
            cid: {"Authorization": f"Bearer {fetch_token(http, cid, s)}"} for cid, s in secrets.items()
        }
        yield Sap(server, http, secrets, headers)
