"""WorkSpan-style application users, replayed as WorkSpan's integrations send them (raw HTTP).

An application user is an OAuth client with a profile (``ObjectRead`` / ``ObjectReadWrite``) in an
environment; it asks for tokens with a JSON body and names its environment in ``x-ws-env``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.compat.readme import bash_blocks, run_bash
from tests.e2e.server import LiveServer
from tests.helpers import AUTH, STATIC_TOKEN

ENV = "ws-sandbox"
USER_ID = "ws-reporting"
WS = {"x-ws-env": ENV}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    with LiveServer(Path(tmp_path_factory.mktemp("workspan"))) as live:
        yield live


@pytest.fixture(scope="module")
def app_user(server: LiveServer) -> dict[str, Any]:
    """Created by an administrator: an environment and an ObjectRead application user in it."""
    with httpx.Client(base_url=server.url, headers=AUTH) as admin:
        assert admin.post("/api/v1/admin/environments", json={"name": ENV}).status_code == 201
        created = admin.post(
            "/api/v1/admin/clients",
            json={
                "name": "Reporting",
                "clientId": USER_ID,
                "profile": "ObjectRead",
                "environment": ENV,
                "refreshTokens": True,
            },
        )
    assert created.status_code == 201, created.text
    body: dict[str, Any] = created.json()
    return body


def _token(server: LiveServer, secret: str) -> httpx.Response:
    """The token request as WorkSpan's integrations send it: a JSON body, the environment header."""
    return httpx.post(
        f"{server.url}/oauth/token",
        headers={"Content-Type": "application/json", **WS},
        content=json.dumps(
            {"client_id": USER_ID, "client_secret": secret, "grant_type": "client_credentials"}
        ),
    )


def test_an_object_read_user_reads_but_cannot_write(server: LiveServer, app_user: dict[str, Any]) -> None:
    response = _token(server, app_user["clientSecret"])
    assert response.status_code == 200, response.text
    token = response.json()["access_token"]
    assert response.json()["refresh_token"]
    bearer = {"Authorization": f"Bearer {token}", **WS}

    read = httpx.get(f"{server.url}/api/v1/process-definitions", headers=bearer)
    assert read.status_code == 200 and read.json()["items"] == []

    write = httpx.post(
        f"{server.url}/api/v1/process-instances", headers=bearer, json={"definitionKey": "anything"}
    )
    assert write.status_code == 403
    assert write.json()["missingPermission"] == "instances:start"

    # The token belongs to its environment: naming another one is refused.
    elsewhere = httpx.get(
        f"{server.url}/api/v1/process-definitions",
        headers={"Authorization": f"Bearer {token}", "x-ws-env": "default"},
    )
    assert elsewhere.status_code == 401


def test_refresh_rotates_and_a_reused_token_revokes_the_family(
    server: LiveServer, app_user: dict[str, Any]
) -> None:
    first = _token(server, app_user["clientSecret"]).json()

    def refresh(value: str) -> httpx.Response:
        return httpx.post(
            f"{server.url}/oauth/token",
            headers={"Content-Type": "application/json", **WS},
            json={
                "client_id": USER_ID,
                "client_secret": app_user["clientSecret"],
                "grant_type": "refresh_token",
                "refresh_token": value,
            },
        )

    rotated = refresh(first["refresh_token"])
    assert rotated.status_code == 200, rotated.text
    second = rotated.json()
    assert second["refresh_token"] != first["refresh_token"]

    reused = refresh(first["refresh_token"])
    assert reused.status_code == 400 and reused.json()["error"] == "invalid_grant"
    # The whole family is revoked: the rotated refresh token and its access token stop working.
    assert refresh(second["refresh_token"]).json()["error"] == "invalid_grant"
    read = httpx.get(
        f"{server.url}/api/v1/process-definitions",
        headers={"Authorization": f"Bearer {second['access_token']}", **WS},
    )
    assert read.status_code == 401


def test_a_secret_reset_at_once_ends_the_old_secret(server: LiveServer, app_user: dict[str, Any]) -> None:
    old = app_user["clientSecret"]
    reset = httpx.post(
        f"{server.url}/api/v1/admin/clients/{USER_ID}/rotate-secret",
        headers=AUTH,
        json={"now": True},
    )
    assert reset.status_code == 200, reset.text
    new = reset.json()["clientSecret"]
    assert new != old and reset.json()["previousSecretValidUntil"] is None

    refused = _token(server, old)
    assert refused.status_code == 401 and refused.json()["error"] == "invalid_client"
    assert _token(server, new).status_code == 200
    app_user["clientSecret"] = new


def test_the_readme_section_runs_as_written(server: LiveServer) -> None:
    (script,) = bash_blocks("## Coming from WorkSpan")
    out = run_bash(script, server.url, {"TOKEN": STATIC_TOKEN})
    assert '"name":"sandbox"' in out  # the environment was created
    assert '"items":[]' in out  # the application user's read, in its sandbox
    reset = out.strip().splitlines()[-1]  # the secret reset: a new secret, the old one ended
    assert '"clientSecret"' in reset and '"previousSecretValidUntil":null' in reset
