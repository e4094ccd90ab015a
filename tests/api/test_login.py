"""`POST /api/login` and `/api/logout`: session cookie, CSRF token, one 401 for every failure, lockout."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Annotated

import pytest
from fastapi import APIRouter, Depends
from fastapi.testclient import TestClient

from flowport.api.deps import UseCaseContext, require
from flowport.api.native import NativeRoute
from flowport.api.routers.session import PUBLIC_PATHS
from flowport.config import AuthSettings, Settings
from flowport.services import audit, sessions
from flowport.services.context import Actor
from flowport.services.users import UserSpec
from flowport.services.users import create as create_user
from tests.api.auth_helpers import admin_settings, bare_client, problem, services_of

PASSWORD = "correct horse"


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return admin_settings(database_url, tmp_path, auth=AuthSettings(failure_threshold=3))


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    yield from bare_client(settings)


@pytest.fixture
def ann(client: TestClient) -> str:
    spec = UserSpec(
        username="ann",
        password=PASSWORD,
        groups=["managers"],
        roles=["approver"],
        profile="ObjectRead",
        permissions=["tasks:complete"],
        visibility="own",
    )
    create_user(services_of(client), Actor(subject="test"), spec)
    return "ann"


def set_cookie(response: object) -> str:
    headers = response.headers  # type: ignore[attr-defined]
    cookies = [v for k, v in headers.multi_items() if k == "set-cookie" and v.startswith("flowport_session=")]
    assert len(cookies) == 1
    return str(cookies[0])


def test_login_with_the_query_string_sets_a_safe_cookie_and_returns_a_csrf_token(
    client: TestClient, ann: str
) -> None:
    response = client.post("/api/login", params={"username": ann, "password": PASSWORD})
    assert response.status_code == 200, response.text
    body = response.json()
    assert len(body["csrfToken"]) >= 43 and body["username"] == "ann" and body["environment"] == "default"
    assert response.headers["x-csrf-token"] == body["csrfToken"]
    assert response.headers["cache-control"] == "no-store"
    cookie = set_cookie(response).lower()
    assert "httponly" in cookie and "samesite=lax" in cookie and "path=/" in cookie
    assert "secure" not in cookie  # plain http: a Secure cookie would never be sent back
    assert f"max-age={8 * 3600}" in cookie


@pytest.mark.parametrize("how", ["form", "json"])
def test_login_takes_a_form_or_json(client: TestClient, ann: str, how: str) -> None:
    credentials = {"username": ann, "password": PASSWORD}
    response = (
        client.post("/api/login", data=credentials)
        if how == "form"
        else client.post("/api/login", json=credentials)
    )
    assert response.status_code == 200, response.text
    assert response.json()["csrfToken"]


def test_the_cookie_is_secure_behind_https(database_url: str, tmp_path: Path) -> None:
    from flowport.api.app import create_app

    settings = admin_settings(database_url, tmp_path, public_url="https://flow.example.com")
    with TestClient(create_app(settings)) as client:
        create_user(services_of(client), Actor(subject="test"), UserSpec(username="bo", password=PASSWORD))
        response = client.post("/api/login", json={"username": "bo", "password": PASSWORD})
        assert response.status_code == 200, response.text
        assert "secure" in set_cookie(response).lower()


def test_unknown_user_bad_password_and_locked_user_get_the_same_401(client: TestClient, ann: str) -> None:
    unknown = client.post("/api/login", json={"username": "nobody", "password": PASSWORD})
    wrong = client.post("/api/login", json={"username": ann, "password": "wrong password"})
    from flowport.services import users

    users.update(services_of(client), Actor(subject="test"), "default", ann, {"locked": True})
    locked = client.post("/api/login", json={"username": ann, "password": PASSWORD})
    bodies = [problem(r, 401) for r in (unknown, wrong, locked)]
    assert bodies[0] == bodies[1] == bodies[2]
    assert all("set-cookie" not in r.headers for r in (unknown, wrong, locked))


def test_missing_credentials_are_a_400(client: TestClient) -> None:
    problem(client.post("/api/login", json={"username": "ann"}), 400)
    problem(client.post("/api/login"), 400)
    problem(
        client.post("/api/login", content=b"{not json", headers={"content-type": "application/json"}), 400
    )


def test_credentials_given_twice_are_refused_not_picked_from(client: TestClient, ann: str) -> None:
    """As RFC 6749 section 3.2 says of token requests: a repeated parameter is an error."""
    query = f"/api/login?username=mallory&username={ann}&password={PASSWORD}".replace(" ", "%20")
    twice = problem(client.post(query), 400)
    assert "username is given more than once" in twice["detail"]
    form = f"username={ann}&password=wrong&password={PASSWORD}".replace(" ", "+")
    response = client.post(
        "/api/login", content=form, headers={"content-type": "application/x-www-form-urlencoded"}
    )
    assert "password is given more than once" in problem(response, 400)["detail"]
    assert "set-cookie" not in response.headers
    once = f"username={ann}&password={PASSWORD}".replace(" ", "+")
    ok = client.post(
        "/api/login", content=once, headers={"content-type": "application/x-www-form-urlencoded"}
    )
    assert ok.status_code == 200, ok.text


def test_repeated_failures_lock_out_with_429_even_for_the_right_password(
    client: TestClient, ann: str
) -> None:
    for _ in range(3):
        assert client.post("/api/login", json={"username": ann, "password": "bad guess"}).status_code == 401
    response = client.post("/api/login", json={"username": ann, "password": PASSWORD})
    problem(response, 429)
    assert int(response.headers["retry-after"]) >= 1
    lockouts = audit.search(services_of(client), None, "auth.lockout", None, 10).items
    assert [(e.subject, e.details and e.details["endpoint"]) for e in lockouts] == [("ann", "login")]


def test_the_session_acts_as_the_user(client: TestClient, ann: str) -> None:
    login = client.post("/api/login", json={"username": ann, "password": PASSWORD})
    token = client.cookies["flowport_session"]
    principal = sessions.principal_for_session(services_of(client), token)
    assert principal is not None
    assert principal.kind == "user" and principal.subject == "ann" and principal.env == "default"
    assert principal.groups == ("managers",) and principal.visibility == "own"
    assert "tasks:complete" in principal.permissions and "tasks:read" in principal.permissions
    assert "definitions:deploy" not in principal.permissions  # roles grant nothing
    assert sessions.csrf_matches(services_of(client), token, login.json()["csrfToken"])
    assert not sessions.csrf_matches(services_of(client), token, "forged")
    assert not sessions.csrf_matches(services_of(client), "no-such-session", login.json()["csrfToken"])
    # The cookie authenticates API calls.
    tasks = client.get("/api/v1/tasks")
    assert tasks.status_code == 200, tasks.text
    # Unsafe methods need the CSRF token as well as the cookie (the guard of every API route).
    start = {"definitionKey": "none"}
    refused = problem(client.post("/api/v1/process-instances", json=start), 403)
    assert refused["missingHeader"] == "x-csrf-token" and "x-csrf-token" in refused["detail"]
    assert "www-authenticate" not in client.post("/api/v1/process-instances", json=start).headers
    forged = client.post("/api/v1/process-instances", json=start, headers={"x-csrf-token": "forged"})
    assert problem(forged, 403)["title"] == "CSRF token required"
    with_csrf = client.post(
        "/api/v1/process-instances", json=start, headers={"x-csrf-token": login.json()["csrfToken"]}
    )
    assert with_csrf.status_code == 403  # authenticated; ObjectRead may not start instances


def test_a_session_expires(client: TestClient, ann: str) -> None:
    client.post("/api/login", json={"username": ann, "password": PASSWORD})
    token = client.cookies["flowport_session"]
    services = services_of(client)
    real_clock = services.clock
    services.clock = lambda: real_clock() + timedelta(hours=8, seconds=1)
    try:
        assert sessions.principal_for_session(services, token) is None
    finally:
        services.clock = real_clock
    assert sessions.principal_for_session(services, token) is not None


def test_logout_ends_the_session_and_clears_the_cookie(client: TestClient, ann: str) -> None:
    login = client.post("/api/login", json={"username": ann, "password": PASSWORD})
    token = client.cookies["flowport_session"]
    response = client.post("/api/logout", headers={"x-csrf-token": login.json()["csrfToken"]})
    assert response.status_code == 204
    cookie = set_cookie(response).lower()
    assert "max-age=0" in cookie or "expires=thu, 01 jan 1970" in cookie
    assert sessions.principal_for_session(services_of(client), token) is None
    assert client.post("/api/logout").status_code == 204  # without a session: still fine


def test_logout_by_cookie_needs_the_csrf_token(client: TestClient, ann: str) -> None:
    # Another site's form could otherwise end the user's session (a logout CSRF).
    login = client.post("/api/login", json={"username": ann, "password": PASSWORD})
    token = client.cookies["flowport_session"]
    for headers in ({}, {"x-csrf-token": "forged"}):
        refused = problem(client.post("/api/logout", headers=headers), 403)
        assert refused["missingHeader"] == "x-csrf-token"
        assert "set-cookie" not in client.post("/api/logout", headers=headers).headers
    assert sessions.principal_for_session(services_of(client), token) is not None  # still logged in
    ended = client.post("/api/logout", headers={"x-csrf-token": login.json()["csrfToken"]})
    assert ended.status_code == 204
    assert sessions.principal_for_session(services_of(client), token) is None


def test_login_and_logout_are_the_public_paths(client: TestClient) -> None:
    assert {"/api/login", "/api/logout"} == PUBLIC_PATHS


def test_the_environment_header_picks_where_the_user_lives(client: TestClient) -> None:
    from flowport.services import environments

    services = services_of(client)
    environments.create(services, Actor(subject="test"), "lab")
    create_user(
        services, Actor(subject="test"), UserSpec(username="lea", password=PASSWORD, environment="lab")
    )
    credentials = {"username": "lea", "password": PASSWORD}
    problem(client.post("/api/login", json=credentials), 401)  # not in the default environment
    response = client.post("/api/login", json=credentials, headers={"x-ws-env": "lab"})
    assert response.status_code == 200, response.text
    assert response.json()["environment"] == "lab"
    principal = sessions.principal_for_session(services, client.cookies["flowport_session"])
    assert principal is not None and principal.env == "lab"


# A route that only reads although its method is POST (a search with a body) declares it.
_reads = APIRouter(route_class=NativeRoute)
_Searcher = Annotated[UseCaseContext, Depends(require("tasks:read", reads_only=True))]
_Changer = Annotated[UseCaseContext, Depends(require("tasks:read"))]


@_reads.post("/test-reads/search")
def _search(use: _Searcher) -> dict[str, str | None]:
    return {"subject": use.actor.subject}


@_reads.post("/test-reads/change")
def _change(use: _Changer) -> dict[str, str | None]:
    return {"subject": use.actor.subject}


def test_a_post_declared_reads_only_needs_no_csrf_header_with_a_session(client: TestClient, ann: str) -> None:
    client.app.include_router(_reads)  # type: ignore[attr-defined]
    login = client.post("/api/login", params={"username": ann, "password": PASSWORD})
    assert login.status_code == 200, login.text
    searched = client.post("/test-reads/search", json={})
    assert searched.status_code == 200 and searched.json() == {"subject": ann}
    refused = client.post("/test-reads/change", json={})
    assert problem(refused, 403)["missingHeader"] == "x-csrf-token"
    changed = client.post("/test-reads/change", json={}, headers={"x-csrf-token": login.json()["csrfToken"]})
    assert changed.status_code == 200
