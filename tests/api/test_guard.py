"""Every route of the API is guarded: no credential 401, wrong credential 401, missing right 403."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from flowport.api.app import API_ROUTERS, create_app
from flowport.api.deps import route_permission
from flowport.config import Settings
from flowport.web.console import ConsoleRoute
from tests.helpers import STATIC_TOKEN, deploy

PUBLIC = {"/healthz", "/readyz"}
# The console's way in and its stylesheet; every other console page sends a browser to the login.
CONSOLE_PUBLIC = {"/console", "/console/login", "/console/diagram.css"}


def _public(path: str) -> bool:
    return path in PUBLIC or path.startswith(("/.well-known/", "/connect/", "/oauth/", "/api/log"))


def test_every_non_public_route_answers_401_without_credentials(anonymous: TestClient) -> None:
    checked = 0
    for router in API_ROUTERS:
        for route in router.routes:
            if not isinstance(route, APIRoute) or _public(route.path) or isinstance(route, ConsoleRoute):
                continue
            assert route_permission(route), f"{route.path} declares no permission"
            path = re.sub(r"\{[^}]+\}", "x", route.path)
            for method in route.methods or ():
                response = anonymous.request(method, path)
                assert response.status_code == 401, (method, path, response.status_code)
                assert response.headers["www-authenticate"].startswith("Bearer")
                checked += 1
    assert checked > 30


def test_every_console_page_sends_a_browser_without_session_to_the_login(anonymous: TestClient) -> None:
    checked = 0
    for router in API_ROUTERS:
        for route in router.routes:
            if not isinstance(route, ConsoleRoute) or route.path in CONSOLE_PUBLIC:
                continue
            path = re.sub(r"\{[^}]+\}", "x", route.path)
            for method in route.methods or ():
                response = anonymous.request(method, path, follow_redirects=False)
                assert response.status_code == 303, (method, path, response.status_code)
                assert response.headers["location"].startswith("/console/login?next="), (method, path)
                checked += 1
    assert checked > 20


def test_public_routes_stay_open(anonymous: TestClient) -> None:
    assert anonymous.get("/healthz").status_code == 200
    assert anonymous.get("/readyz").status_code == 200
    assert anonymous.get("/openapi.json").status_code == 200
    assert anonymous.get("/docs").status_code == 200
    assert anonymous.get("/metrics").status_code == 401


def test_no_credentials_challenge_has_no_error_code(anonymous: TestClient) -> None:
    response = anonymous.get("/api/v1/process-instances")
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == 'Bearer realm="flowport"'
    assert response.headers["content-type"] == "application/problem+json"


def test_invalid_token_is_401_invalid_token(anonymous: TestClient) -> None:
    for token in ("garbage", "a.b.c", STATIC_TOKEN + "x"):
        response = anonymous.get("/api/v1/process-instances", headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 401, token
        assert 'error="invalid_token"' in response.headers["www-authenticate"]


def test_other_schemes_are_refused(anonymous: TestClient) -> None:
    response = anonymous.get("/api/v1/process-instances", headers={"Authorization": "Basic dXNlcjpwdw=="})
    assert response.status_code == 401
    assert 'error="invalid_request"' in response.headers["www-authenticate"]


@pytest.fixture
def reader(settings: Settings) -> Iterator[TestClient]:
    limited = settings.model_copy(
        update={
            "auth": settings.auth.model_copy(update={"static_token_profile": "ObjectRead"}),
        }
    )
    with TestClient(create_app(limited), headers={"Authorization": f"Bearer {STATIC_TOKEN}"}) as http:
        yield http


def test_missing_permission_is_403_naming_it(reader: TestClient) -> None:
    assert reader.get("/api/v1/process-instances").status_code == 200
    response = reader.post("/api/v1/process-instances", json={"definitionKey": "x"})
    assert response.status_code == 403
    problem = response.json()
    assert problem["detail"] == "User does not have sufficient privileges."
    assert problem["missingPermission"] == "instances:start"
    challenge = response.headers["www-authenticate"]
    assert 'error="insufficient_scope"' in challenge
    assert 'scope="instances:start"' in challenge
    assert reader.get("/metrics").status_code == 403


def test_credential_is_bound_to_its_environment(client: TestClient) -> None:
    assert client.get("/api/v1/process-instances", headers={"x-ws-env": "default"}).status_code == 200
    response = client.get("/api/v1/process-instances", headers={"x-ws-env": "sandbox"})
    assert response.status_code == 401
    assert "environment" in response.json()["detail"]


def test_open_mode_needs_no_credentials(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, auth={"mode": "open"})  # type: ignore[arg-type]
    with TestClient(create_app(settings)) as http:
        deploy(http, "user_task.bpmn")
        assert http.get("/api/v1/process-definitions").json()["items"][0]["key"] == "user_task"
        assert http.get("/metrics").status_code == 200


def test_open_mode_keeps_environments_apart(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, auth={"mode": "open"})  # type: ignore[arg-type]
    with TestClient(create_app(settings)) as http:
        deploy(http, "user_task.bpmn")
        sandbox = http.get("/api/v1/process-definitions", headers={"x-ws-env": "sandbox"}).json()
        assert sandbox["items"] == []
