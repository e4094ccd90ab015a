"""One live Flowport server for the whole Camunda suite, with the clients and users Tasklist users have.

Set-up goes through Flowport's own admin and native APIs (static admin token); the tests then talk
to the server only as Camunda clients do: a token from a JSON token request, or the session cookie
of ``POST /api/login?username=demo&password=demo``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.databases import private_postgres_schema
from tests.e2e.server import LiveServer
from tests.helpers import AUTH

REVIEW_BPMN = (Path(__file__).parent / "review.bpmn").read_bytes()
ALICE_PASSWORD = "alice-password-123"


@dataclass
class Camunda:
    """The live server, tokens of its registered clients, and helpers for set-up through the native API."""

    url: str
    tokens: dict[str, str] = field(default_factory=dict)

    def bearer(self, client: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[client]}"}

    def admin(self, method: str, path: str, headers: dict[str, str] | None = None, **kwargs: Any) -> Any:
        """A set-up call with the static admin token (never a Camunda request)."""
        headers = {**AUTH, **(headers or {})}
        response = httpx.request(method, f"{self.url}{path}", headers=headers, timeout=30, **kwargs)
        assert response.status_code in (200, 201, 204), response.text
        return response.json() if response.content else None

    def start_review(self, **variables: Any) -> str:
        """A new instance waiting at 'Review expense' (offered to group managers); its id."""
        body = {"definitionKey": "tasklist_review", "variables": variables}
        instance: str = self.admin("POST", "/api/v1/process-instances", json=body)["id"]
        return instance

    def task_of(self, instance_id: str) -> str:
        """The id of the instance's open task."""
        [task] = self.admin("GET", "/api/v1/tasks", params={"processInstanceId": instance_id})["items"]
        task_id: str = task["id"]
        return task_id

    def token(self, client_id: str, secret: str, audience: str = "tasklist-api") -> str:
        """A token as Camunda clients ask for one: a JSON body with client_id, secret, audience, grant type.

        Camunda's clients name the audience ``tasklist-api``: one of the names the API accepts for
        itself (``auth.audience_aliases``), besides its own ``flowport``.
        """
        body = {
            "client_id": client_id,
            "client_secret": secret,
            "audience": audience,
            "grant_type": "client_credentials",
        }
        response = httpx.post(f"{self.url}/oauth/token", json=body, timeout=30)
        assert response.status_code == 200, response.text
        value: str = response.json()["access_token"]
        return value


def _database_url(kind: str, tmp: Path) -> Iterator[str]:
    if kind == "sqlite":
        yield f"sqlite:///{tmp / 'flowport.db'}"
        return
    with private_postgres_schema() as url:
        yield url


@pytest.fixture(scope="package", params=["sqlite", "postgresql"])
def camunda(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Camunda]:
    """The live server: demo mode (user demo/demo, group managers), clients registered by the admin API."""
    tmp = tmp_path_factory.mktemp(f"camunda-{request.param}")
    for database_url in _database_url(request.param, tmp):
        with LiveServer(tmp, database_url, demo=True) as server:
            yield _set_up(Camunda(server.url))


def _set_up(camunda: Camunda) -> Camunda:
    camunda.admin("POST", "/api/v1/admin/environments", json={"name": "sandbox"})
    for client_id, profile, visibility, environment in (
        ("tasklist-app", "ObjectReadWrite", "shared", "default"),
        ("reader-app", "ObjectRead", "shared", "default"),
        ("own-app", "Admin", "own", "default"),
        ("sandbox-app", "Admin", "shared", "sandbox"),
    ):
        body = {
            "name": client_id,
            "clientId": client_id,
            "profile": profile,
            "visibility": visibility,
            "environment": environment,
        }
        secret = camunda.admin("POST", "/api/v1/admin/clients", json=body)["clientSecret"]
        camunda.tokens[client_id] = camunda.token(client_id, secret)
    user = {
        "username": "alice",
        "password": ALICE_PASSWORD,
        "groups": ["managers"],
        "profile": "ObjectReadWrite",
    }
    camunda.admin("POST", "/api/v1/admin/users", json=user)
    camunda.admin(
        "POST",
        "/api/v1/process-definitions",
        content=REVIEW_BPMN,
        headers={"content-type": "application/xml"},
    )
    return camunda


@pytest.fixture
def as_client(camunda: Camunda) -> Iterator[Callable[[str], httpx.Client]]:
    """HTTP clients sending a registered client's bearer token (client credentials), closed after the test."""
    opened: list[httpx.Client] = []

    def client(name: str) -> httpx.Client:
        opened.append(httpx.Client(base_url=camunda.url, headers=camunda.bearer(name), timeout=30))
        return opened[-1]

    yield client
    for each in opened:
        each.close()


@pytest.fixture
def app(as_client: Callable[[str], httpx.Client]) -> httpx.Client:
    """The Camunda application's client (profile ObjectReadWrite)."""
    return as_client("tasklist-app")


@pytest.fixture
def login(camunda: Camunda) -> Iterator[Callable[..., tuple[httpx.Client, str]]]:
    """Cookie sessions as the Tasklist web app opens them: (client, CSRF token); closed after the test."""
    opened: list[httpx.Client] = []

    def log_in(username: str = "demo", password: str = "demo") -> tuple[httpx.Client, str]:
        browser = httpx.Client(base_url=camunda.url, timeout=30)
        opened.append(browser)
        response = browser.post("/api/login", params={"username": username, "password": password})
        assert response.status_code == 200, response.text
        assert response.cookies.get("flowport_session")
        return browser, response.json()["csrfToken"]

    yield log_in
    for each in opened:
        each.close()


MakeClient = Callable[[str], httpx.Client]
Login = Callable[..., tuple[httpx.Client, str]]
