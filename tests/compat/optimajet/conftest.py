"""One real Flowport server for the whole suite, with the clients OptimaJet applications would register.

Requests are raw HTTP (``requests``), exactly as OptimaJet's clients send them; tokens come from the
real token endpoint (``POST /connect/token`` with a form body). Set-up that is not part of the
contract (deploying BPMN, suspending an instance) goes through the native API with the suite's
static admin token.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.databases import private_postgres_schema
from tests.e2e.server import LiveServer
from tests.helpers import AUTH, STATIC_AUTH_SETTINGS, bpmn

SECRET = "optimajet-contract-secret-0123456789abcdef"
CLIENTS = {
    # client id: (profile, environment, visibility)
    "oj-app": ("ObjectReadWrite", "default", "shared"),
    "oj-reader": ("ObjectRead", "default", "shared"),
    "oj-own": ("ObjectReadWrite", "default", "own"),
    "oj-sandbox": ("ObjectReadWrite", "sandbox", "shared"),
    "oj-admin": ("Admin", "default", "shared"),
}
SCHEMES = ("optimajet_test_scheme.bpmn", "optimajet_enum_form.bpmn", "user_task.bpmn", "script_divide.bpmn")


@dataclass
class Workflow:
    """The live server, a bearer header per client, and helpers for set-up through the native API."""

    url: str
    bearer: dict[str, dict[str, str]]

    def call(self, operation: str, client: str = "oj-app", method: str = "POST", **kwargs: Any) -> Any:
        """``/workflowapi/<operation>`` as a client sends it; returns the response."""
        headers = {**self.bearer[client], **kwargs.pop("headers", {})}
        return requests.request(
            method, f"{self.url}/workflowapi/{operation}", headers=headers, timeout=30, **kwargs
        )

    def ok(self, operation: str, client: str = "oj-app", **kwargs: Any) -> Any:
        """The ``data`` of a successful answer (asserting it was one)."""
        response = self.call(operation, client, **kwargs)
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["success"] is True and body["error"] is None, body
        return body["data"]

    def failure(self, operation: str, client: str = "oj-app", **kwargs: Any) -> dict[str, Any]:
        """A handled failure: HTTP 200, ``success: false``, an error kind and a message."""
        response = self.call(operation, client, **kwargs)
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        assert body["success"] is False and body["data"] is None and body["error"] and body["message"], body
        return body

    def create(self, scheme: str = "TestScheme", client: str = "oj-app", **params: Any) -> str:
        process_id = str(uuid.uuid4())
        self.ok(f"createinstance/{process_id}", client, json={"schemeCode": scheme, **params})
        return process_id

    def native(self, method: str, path: str, **kwargs: Any) -> Any:
        response = requests.request(method, f"{self.url}{path}", headers=AUTH, timeout=30, **kwargs)
        assert response.status_code < 300, response.text
        return response.json() if response.content else None


def token(url: str, client_id: str, **extra: str) -> requests.Response:
    """OptimaJet's token request: a form body with client_id, client_secret and grant_type."""
    form = {"client_id": client_id, "client_secret": SECRET, "grant_type": "client_credentials", **extra}
    return requests.post(f"{url}/connect/token", data=form, timeout=30)


@pytest.fixture(scope="package", params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest) -> Iterator[str | None]:
    """The server's database: its own SQLite file, or a private schema in the test PostgreSQL."""
    if request.param == "sqlite":
        yield None
        return
    with private_postgres_schema() as url:
        yield url


@pytest.fixture(scope="package")
def server(tmp_path_factory: pytest.TempPathFactory, database_url: str | None) -> Iterator[LiveServer]:
    data_dir: Path = tmp_path_factory.mktemp("optimajet")
    clients = [
        {"client_id": cid, "client_secret": SECRET, "profile": profile, "environment": env, "visibility": vis}
        for cid, (profile, env, vis) in CLIENTS.items()
    ]
    auth = {**STATIC_AUTH_SETTINGS, "clients": clients}
    with LiveServer(data_dir, database_url, auth=auth, scheduler_max_sleep=0.2) as live:
        for name in SCHEMES:
            deployed = requests.post(
                f"{live.url}/api/v1/process-definitions",
                data=bpmn(name),
                headers={**AUTH, "content-type": "application/xml"},
                timeout=30,
            )
            assert deployed.status_code in (200, 201), deployed.text
        yield live


@pytest.fixture(scope="package")
def wf(server: LiveServer) -> Workflow:
    bearer = {}
    for client_id in CLIENTS:
        response = token(server.url, client_id)
        assert response.status_code == 200, response.text
        bearer[client_id] = {"Authorization": f"Bearer {response.json()['access_token']}"}
    bearer["anonymous"] = {}
    return Workflow(server.url, bearer)
