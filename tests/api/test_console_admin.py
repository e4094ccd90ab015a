"""The console's administration pages without a browser: refusals, bad input, escaping, CSRF, 404s."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient

from flowport.api.app import create_app
from flowport.config import Settings
from flowport.persistence.db import write_transaction
from flowport.persistence.repositories import audit as audit_repo
from flowport.persistence.repositories import clients as client_repo
from flowport.persistence.repositories.audit import AuditEvent
from flowport.services import audit
from flowport.services.context import Actor
from tests.api.auth_helpers import services_of
from tests.helpers import AUTH

PASSWORD = "correct horse battery"
HOSTILE = '<script>alert("x")</script>'
ESCAPED = "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;"


@pytest.fixture
def app_client(settings: Settings) -> Iterator[TestClient]:
    """A browser-like client (no credentials of its own) of an app with users admin and clerk."""
    with TestClient(create_app(settings)) as client:
        for username, profile in (("admin", "Admin"), ("clerk", "ObjectReadWrite")):
            body = {"username": username, "password": PASSWORD, "profile": profile}
            created = client.post("/api/v1/admin/users", json=body, headers=AUTH)
            assert created.status_code == 201, created.text
        yield client


def log_in(client: TestClient, username: str) -> None:
    response = client.post(
        "/console/login", data={"username": username, "password": PASSWORD}, follow_redirects=False
    )
    assert response.status_code == 303, response.text


def csrf_of(page: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert found, "no CSRF field on the page"
    return found.group(1)


def page_csrf(client: TestClient, path: str = "/console/") -> str:
    response = client.get(path)
    assert response.status_code == 200, response.text
    return csrf_of(response.text)


def client_ids(client: TestClient) -> set[str]:
    listed = client.get("/api/v1/admin/clients", headers=AUTH)
    assert listed.status_code == 200, listed.text
    return {c["clientId"] for c in listed.json()["items"]}


def test_a_clerk_may_not_create_a_client_and_nothing_is_created(app_client: TestClient) -> None:
    log_in(app_client, "clerk")
    token = page_csrf(app_client)
    before = client_ids(app_client)
    response = app_client.post(
        "/console/clients", data={"csrf_token": token, "name": "sneaky", "client_id": "sneaky"}
    )
    assert response.status_code == 403
    assert response.headers["content-type"].startswith("text/html")
    assert "admin:clients" in response.text
    assert client_ids(app_client) == before
    for path in (
        "/console/clients",
        "/console/users",
        "/console/keys",
        "/console/environments",
        "/console/audit",
    ):
        assert app_client.get(path).status_code == 403, path


def test_a_hostile_client_name_renders_escaped_in_the_list_the_page_and_the_secret_page(
    app_client: TestClient,
) -> None:
    log_in(app_client, "admin")
    token = page_csrf(app_client, "/console/clients/new")
    created = app_client.post(
        "/console/clients",
        data={"csrf_token": token, "name": HOSTILE, "client_id": "hostile", "profile": "ObjectRead"},
    )
    assert created.status_code == 201, created.text
    for text in (
        created.text,
        app_client.get("/console/clients").text,
        app_client.get("/console/clients/hostile").text,
    ):
        assert HOSTILE not in text
        assert ESCAPED in text


def test_audit_details_holding_a_script_render_escaped(app_client: TestClient) -> None:
    services = services_of(app_client)
    with write_transaction(services.db) as conn:
        audit.record_action(
            conn,
            Actor(subject=HOSTILE),
            "test.event",
            subject=HOSTILE,
            env="default",
            details={"note": HOSTILE},
        )
    log_in(app_client, "admin")
    page = app_client.get("/console/audit", params={"event": "test.event"}).text
    assert HOSTILE not in page
    assert "&lt;script&gt;" in page
    assert "test.event" in page


def test_a_change_without_the_csrf_token_is_refused(app_client: TestClient) -> None:
    log_in(app_client, "admin")
    before = client_ids(app_client)
    for data in ({"name": "no token"}, {"name": "wrong token", "csrf_token": "not-the-token"}):
        response = app_client.post("/console/clients", data=data)
        assert response.status_code == 403, response.text
        assert response.headers["content-type"].startswith("text/html")
    assert client_ids(app_client) == before
    refused = app_client.post("/console/keys/rotate", data={})
    assert refused.status_code == 403


def test_a_post_from_another_site_is_refused(app_client: TestClient) -> None:
    log_in(app_client, "admin")
    token = page_csrf(app_client)
    response = app_client.post(
        "/console/environments",
        data={"csrf_token": token, "name": "evil"},
        headers={"Origin": "https://evil.example"},
    )
    assert response.status_code == 403
    names = [e["name"] for e in app_client.get("/api/v1/admin/environments", headers=AUTH).json()["items"]]
    assert "evil" not in names


@pytest.mark.parametrize(
    "path",
    [
        "/console/clients/no-such-client",
        "/console/users/default/nobody",
        "/console/users/nowhere/admin",
    ],
)
def test_an_unknown_id_is_an_html_404(app_client: TestClient, path: str) -> None:
    log_in(app_client, "admin")
    response = app_client.get(path)
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")
    assert "<h1>" in response.text


def test_actions_on_an_unknown_client_go_back_with_a_message(app_client: TestClient) -> None:
    log_in(app_client, "admin")
    token = page_csrf(app_client)
    response = app_client.post("/console/clients/missing/disable", data={"csrf_token": token})
    assert response.status_code == 404
    assert "No client with id &#39;missing&#39;" in response.text


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"name": "", "client_id": "empty-name"}, "A client needs a name"),
        ({"name": "   ", "client_id": "blank-name"}, "A client needs a name"),
        ({"name": "Robot", "client_id": "bad-profile", "profile": "Superuser"}, "Unknown profile"),
        ({"name": "Robot", "client_id": "bad id", "profile": "ObjectRead"}, "client id"),
        ({"name": "Robot", "client_id": "bad-life", "token_lifetime": "forever"}, "whole number"),
        ({"name": "Robot", "client_id": "bad-env", "environment": "nowhere"}, "Unknown environment"),
        ({"name": "Robot", "client_id": "bad-jwks", "jwks": "{not json"}, "not valid JSON"),
    ],
)
def test_bad_client_input_shows_the_message_keeps_the_input_and_creates_nothing(
    app_client: TestClient, fields: dict[str, str], message: str
) -> None:
    log_in(app_client, "admin")
    token = page_csrf(app_client, "/console/clients/new")
    before = client_ids(app_client)
    response = app_client.post("/console/clients", data={"csrf_token": token, **fields})
    assert response.status_code == 400, response.text
    assert message in response.text
    assert 'role="alert"' in response.text
    if fields["name"].strip():
        assert f'value="{fields["name"]}"' in response.text
    assert client_ids(app_client) == before
    assert "client_secret" not in response.text


def test_bad_user_input_shows_the_message_and_creates_nothing(app_client: TestClient) -> None:
    log_in(app_client, "admin")
    token = page_csrf(app_client, "/console/users/new")
    for fields, message in (
        ({"username": "", "password": PASSWORD}, "A username has"),
        ({"username": "short", "password": "short"}, "8"),
        ({"username": "ghost", "password": PASSWORD, "profile": "Wizard"}, "Unknown profile"),
    ):
        response = app_client.post("/console/users", data={"csrf_token": token, **fields})
        assert response.status_code == 400, response.text
        assert message in response.text
        assert PASSWORD not in response.text  # a refused form is filled in again, never the password
    users = app_client.get("/api/v1/admin/users", headers=AUTH).json()["items"]
    assert {u["username"] for u in users} == {"admin", "clerk"}


def test_the_secret_is_shown_once_and_never_on_the_client_page(app_client: TestClient) -> None:
    log_in(app_client, "admin")
    token = page_csrf(app_client, "/console/clients/new")
    created = app_client.post(
        "/console/clients", data={"csrf_token": token, "name": "Robot", "client_id": "robot"}
    )
    assert created.status_code == 201
    assert created.headers["cache-control"] == "no-store"
    secret = re.search(r'<code id="client-secret" class="secret">([^<]+)</code>', created.text)
    assert secret
    assert "will not be shown again" in created.text
    assert "/connect/token" in created.text
    for path in ("/console/clients/robot", "/console/clients", "/console/audit"):
        assert secret.group(1) not in app_client.get(path).text, path


def test_a_declared_client_cannot_be_rotated_and_the_page_says_why(app_client: TestClient) -> None:
    services = services_of(app_client)
    log_in(app_client, "admin")
    token = page_csrf(app_client, "/console/clients/new")
    app_client.post("/console/clients", data={"csrf_token": token, "name": "Robot", "client_id": "robot"})
    with write_transaction(services.db) as conn:  # as a client from the settings file is kept
        client_repo.update_client(conn, "robot", source="config")
    page = app_client.get("/console/clients/robot")
    assert "declared in the server" in page.text
    rotated = app_client.post(
        "/console/clients/robot/rotate-secret", data={"csrf_token": token, "when": "now"}
    )
    assert rotated.status_code == 200
    assert "is declared in the settings file" in rotated.text
    assert 'id="client-secret"' not in rotated.text


def test_the_audit_log_pages_with_a_next_link_that_keeps_the_filters(app_client: TestClient) -> None:
    services = services_of(app_client)
    with write_transaction(services.db) as conn:
        for n in range(55):
            audit.record_action(conn, Actor(subject="test"), "test.page", subject=f"s{n}", env="default")
        audit.record_action(conn, Actor(subject="test"), "test.other", subject="other", env="default")
    log_in(app_client, "admin")
    first = app_client.get("/console/audit", params={"event": "test.page"})
    assert first.text.count('<td class="mono">test.page</td>') == 50
    link = re.search(r'<a href="([^"]+)" rel="next">', first.text)
    assert link, "no next page link"
    next_url = html.unescape(link.group(1))
    assert "event=test.page" in next_url and "cursor=" in next_url
    second = app_client.get(next_url)
    assert second.text.count('<td class="mono">test.page</td>') == 5
    assert ">s0<" in second.text and ">s54<" not in second.text
    assert "test.other" not in second.text.split("<tbody>")[1]
    assert 'rel="next"' not in second.text
    bad = app_client.get("/console/audit", params={"cursor": "not-a-cursor"})
    assert bad.status_code == 400 and bad.headers["content-type"].startswith("text/html")


def test_rotating_with_a_grace_period_keeps_the_old_secret_working(app_client: TestClient) -> None:
    log_in(app_client, "admin")
    token = page_csrf(app_client, "/console/clients/new")
    created = app_client.post(
        "/console/clients", data={"csrf_token": token, "name": "Graceful", "client_id": "graceful"}
    )
    old = re.search(r'<code id="client-secret" class="secret">([^<]+)</code>', created.text)
    assert old
    rotated = app_client.post(
        "/console/clients/graceful/rotate-secret",
        data={"csrf_token": token, "when": "grace", "grace_seconds": "600"},
    )
    assert rotated.status_code == 200, rotated.text
    assert "still accepted until" in rotated.text
    new = re.search(r'<code id="client-secret" class="secret">([^<]+)</code>', rotated.text)
    assert new and new.group(1) != old.group(1)
    for secret in (old.group(1), new.group(1)):
        answer = app_client.post(
            "/connect/token",
            data={"grant_type": "client_credentials", "client_id": "graceful", "client_secret": secret},
        )
        assert answer.status_code == 200, answer.text
    refused = app_client.post(
        "/console/clients/graceful/rotate-secret",
        data={"csrf_token": token, "when": "grace", "grace_seconds": "forever"},
    )
    assert "The grace period must be a whole number" in refused.text


def test_the_audit_log_filters_by_subject_and_days_and_pages_keeping_them(app_client: TestClient) -> None:
    day = datetime(2026, 3, 10, tzinfo=UTC)
    events = [
        AuditEvent("test.day", "default", "test", "frank", at=day + timedelta(minutes=n)) for n in range(52)
    ]
    events += [
        AuditEvent("test.day", "default", "test", "frank", at=day - timedelta(seconds=1)),  # the day before
        AuditEvent("test.day", "default", "test", "frank", at=day + timedelta(days=2)),  # after the "to" day
        AuditEvent("test.day", "default", "test", "grace", at=day),
    ]
    with write_transaction(services_of(app_client).db) as conn:
        audit_repo.insert(conn, events)
    log_in(app_client, "admin")
    wanted = {"subject": "frank", "occurredFrom": "2026-03-10", "occurredTo": "2026-03-11"}
    first = app_client.get("/console/audit", params=wanted)
    assert first.status_code == 200, first.text
    assert (
        'value="frank"' in first.text
        and 'value="2026-03-10"' in first.text
        and 'value="2026-03-11"' in first.text
    )
    body = first.text.split("<tbody>")[1]
    assert body.count("<td>frank</td>") == 50 and "grace" not in body
    link = re.search(r'<a href="([^"]+)" rel="next">', first.text)
    assert link, "no next page link"
    next_url = html.unescape(link.group(1))
    for name, value in wanted.items():
        assert f"{name}={value}" in next_url, name
    second = app_client.get(next_url).text.split("<tbody>")[1]
    assert second.count("<td>frank</td>") == 2  # 52 on those days: the day before and after stay out
    assert "2026-03-09" not in second and "2026-03-12" not in second

    bad = app_client.get("/console/audit", params={"subject": "frank", "occurredFrom": "10/03/2026"})
    assert bad.status_code == 400 and bad.headers["content-type"].startswith("text/html")
    assert "The from date &#39;10/03/2026&#39; is not a date (use YYYY-MM-DD)" in bad.text
    assert 'value="10/03/2026"' in bad.text and 'value="frank"' in bad.text  # the form keeps what was typed
    backwards = app_client.get(
        "/console/audit", params={"occurredFrom": "2026-03-12", "occurredTo": "2026-03-10"}
    )
    assert backwards.status_code == 400 and "ends before it starts" in backwards.text


def test_changing_a_client_narrows_the_tokens_it_gets_from_now_on(app_client: TestClient) -> None:
    log_in(app_client, "admin")
    token = page_csrf(app_client, "/console/clients/new")
    created = app_client.post(
        "/console/clients",
        data={"csrf_token": token, "name": "Robot", "client_id": "robot", "profile": "ObjectReadWrite"},
    )
    secret = re.search(r'<code id="client-secret" class="secret">([^<]+)</code>', created.text)
    assert secret
    page = app_client.get("/console/clients/robot")
    assert 'action="/console/clients/robot"' in page.text  # the change form, filled in
    changed = app_client.post(
        "/console/clients/robot",
        data={"csrf_token": token, "name": "Read robot", "profile": "ObjectRead", "token_lifetime": "600"},
        follow_redirects=False,
    )
    assert changed.status_code == 303 and changed.headers["location"] == "/console/clients/robot"
    view = app_client.get("/api/v1/admin/clients/robot", headers=AUTH).json()
    assert (view["name"], view["profile"], view["tokenLifetime"]) == ("Read robot", "ObjectRead", 600)
    issued = app_client.post(
        "/connect/token",
        data={"grant_type": "client_credentials", "client_id": "robot", "client_secret": secret.group(1)},
    ).json()
    assert "instances:start" not in issued["scope"].split() and "instances:read" in issued["scope"].split()
    assert issued["expires_in"] == 600
    bad = app_client.post(
        "/console/clients/robot",
        data={"csrf_token": token, "name": "Read robot", "profile": "NoSuchProfile"},
        follow_redirects=False,
    )
    assert bad.status_code == 303
    assert app_client.get("/api/v1/admin/clients/robot", headers=AUTH).json()["profile"] == "ObjectRead"


def test_a_clerk_may_not_change_a_client(app_client: TestClient) -> None:
    log_in(app_client, "clerk")
    token = page_csrf(app_client)
    body = {"csrf_token": token, "name": "x", "profile": "Admin"}
    assert app_client.post("/console/clients/flowport-admin", data=body).status_code == 403
