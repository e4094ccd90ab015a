"""The web console's edge: security headers, login CSRF, CSRF on changes, safe redirects, HTML errors."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from flowport.api.app import create_app
from flowport.config import Settings
from flowport.web.console import safe_next
from tests.helpers import AUTH, STATIC_AUTH_SETTINGS

PASSWORD = "correct horse battery"


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(
        data_dir=tmp_path,
        database_url=f"sqlite:///{tmp_path / 'flowport.db'}",  # type: ignore[arg-type]
        auth=STATIC_AUTH_SETTINGS,  # type: ignore[arg-type]
    )


@pytest.fixture
def browser(settings: Settings) -> Iterator[TestClient]:
    """A browser-like client (no credentials of its own) whose admin user exists."""
    with TestClient(create_app(settings), follow_redirects=False) as client:
        body = {"username": "ada", "password": PASSWORD, "profile": "Admin"}
        assert client.post("/api/v1/admin/users", json=body, headers=AUTH).status_code == 201
        yield client


def log_in(client: TestClient, username: str = "ada") -> str:
    """Log in through the console's form; the CSRF token its pages carry."""
    response = client.post("/console/login", data={"username": username, "password": PASSWORD})
    assert response.status_code == 303, response.text
    return csrf_of(client.get("/console/").text)


def csrf_of(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "the page carries no CSRF token"
    return match.group(1)


def test_every_console_answer_carries_the_security_headers(browser: TestClient) -> None:
    log_in(browser)
    for path in ("/console/login", "/console/", "/console/no-such-page"):
        response = browser.get(path)
        policy = response.headers["content-security-policy"]
        assert "script-src 'self'" in policy and "unsafe-inline" not in policy, path
        assert "frame-ancestors 'none'" in policy
        assert response.headers["x-frame-options"] == "DENY"
        assert response.headers["referrer-policy"] == "same-origin"
        assert response.headers["cache-control"] == "no-store"


def test_static_files_are_served_and_cacheable(browser: TestClient) -> None:
    css = browser.get("/console/static/console.css")
    assert css.status_code == 200 and css.headers["content-type"].startswith("text/css")
    assert "no-store" not in css.headers.get("cache-control", "")
    assert ".fp-body" in browser.get("/console/diagram.css").text


def test_without_a_session_a_page_sends_the_browser_to_the_login(browser: TestClient) -> None:
    response = browser.get("/console/definitions?key=a b")
    assert response.status_code == 303
    assert response.headers["location"] == "/console/login?next=/console/definitions%3Fkey%3Da%20b"
    assert browser.get("/console/no-such-page").status_code == 303  # unknown pages too: nothing leaks


def test_a_bearer_token_is_not_a_console_login(browser: TestClient) -> None:
    response = browser.get("/console/", headers=AUTH)
    assert response.status_code == 303 and response.headers["location"].startswith("/console/login")


def test_an_unknown_page_is_an_html_404(browser: TestClient) -> None:
    log_in(browser)
    response = browser.get("/console/no-such-page")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")
    assert "There is no console page /console/no-such-page" in response.text


def test_login_from_another_site_is_refused(browser: TestClient) -> None:
    response = browser.post(
        "/console/login",
        data={"username": "ada", "password": PASSWORD},
        headers={"origin": "https://evil.example"},
    )
    assert response.status_code == 403
    assert "flowport_session" not in response.headers.get("set-cookie", "")


def test_a_wrong_password_shows_the_form_again_with_a_message(browser: TestClient) -> None:
    response = browser.post("/console/login", data={"username": "ada", "password": "wrong password"})
    assert response.status_code == 401
    assert "Wrong username or password" in response.text
    assert 'value="ada"' in response.text and "flowport_session" not in response.headers.get("set-cookie", "")


@pytest.mark.parametrize(
    "target", ["//evil.example/", "https://evil.example/", "/console\\@evil", "/api/v1/x"]
)
def test_the_login_never_redirects_off_the_console(browser: TestClient, target: str) -> None:
    response = browser.post("/console/login", data={"username": "ada", "password": PASSWORD, "next": target})
    assert response.headers["location"] == "/console/"
    assert safe_next(target) == "/console/"


def test_logout_needs_the_sessions_csrf_token(browser: TestClient) -> None:
    csrf = log_in(browser)
    refused = browser.post("/console/logout", data={"csrf_token": "forged"})
    assert refused.status_code == 403
    assert browser.get("/console/").status_code == 200  # still logged in
    done = browser.post("/console/logout", data={"csrf_token": csrf})
    assert done.status_code == 303 and done.headers["location"] == "/console/login?logged_out=1"
    assert browser.get("/console/").status_code == 303


def test_a_change_from_another_origin_is_refused_even_with_the_token(browser: TestClient) -> None:
    csrf = log_in(browser)
    response = browser.post(
        "/console/logout", data={"csrf_token": csrf}, headers={"origin": "https://evil.example"}
    )
    assert response.status_code == 403
    assert browser.get("/console/").status_code == 200


def test_the_csrf_token_is_the_sessions_own(browser: TestClient, settings: Settings) -> None:
    """Another session's token (a second login) does not confirm changes in this one."""
    mine = log_in(browser)
    with TestClient(browser.app, follow_redirects=False) as other:
        theirs = log_in(other)
    assert theirs != mine
    assert browser.post("/console/logout", data={"csrf_token": theirs}).status_code == 403


def test_a_tampered_flash_message_is_ignored(browser: TestClient) -> None:
    log_in(browser)
    browser.cookies.set("flowport_flash", "not base64 json!", path="/console")
    assert browser.get("/console/").status_code == 200


def test_the_open_mode_needs_no_login_and_switches_environments(tmp_path: Path) -> None:
    settings = Settings(
        data_dir=tmp_path,
        database_url=f"sqlite:///{tmp_path / 'open.db'}",  # type: ignore[arg-type]
        auth={"mode": "open"},  # type: ignore[arg-type]
    )
    with TestClient(create_app(settings), follow_redirects=False) as client:
        page = client.get("/console/")
        assert page.status_code == 200 and "open mode" in page.text
        assert client.post("/api/v1/admin/environments", json={"name": "staging"}).status_code == 201
        switched = client.post("/console/environment", data={"environment": "staging"})
        assert switched.status_code == 303
        assert 'title="Environment">staging<' in client.get("/console/").text
        unknown = client.post("/console/environment", data={"environment": "nowhere"})
        assert unknown.status_code == 404
