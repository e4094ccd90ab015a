"""The console's instances pages without a browser: refusals, escaping, bad input, unknown ids, CSRF."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.helpers import AUTH, bpmn

PASSWORD = "correct horse battery"
HOSTILE = "<script>alert(1)</script>"


@pytest.fixture
def app_client(anonymous: TestClient) -> Iterator[TestClient]:
    """The app, with users admin (Admin) and reader (ObjectRead) and the user_task process deployed."""
    for name, profile in (("admin", "Admin"), ("reader", "ObjectRead")):
        body = {"username": name, "password": PASSWORD, "profile": profile}
        response = anonymous.post("/api/v1/admin/users", json=body, headers=AUTH)
        assert response.status_code == 201, response.text
    response = anonymous.post(
        "/api/v1/process-definitions",
        content=bpmn("user_task.bpmn"),
        headers={**AUTH, "content-type": "application/xml"},
    )
    assert response.status_code in (200, 201), response.text
    yield anonymous


def browser(app_client: TestClient, username: str) -> TestClient:
    """A client of the same app with its own cookies, logged in to the console as ``username``."""
    person = TestClient(app_client.app)
    response = person.post("/console/login", data={"username": username, "password": PASSWORD})
    assert response.status_code == 200, response.text  # the redirect to the dashboard was followed
    assert "flowport_session" in person.cookies
    return person


def start(client: TestClient, variables: dict[str, Any] | None = None, **extra: Any) -> dict[str, Any]:
    body = {"definitionKey": "user_task", "variables": variables or {}, **extra}
    response = client.post("/api/v1/process-instances", json=body, headers=AUTH)
    assert response.status_code == 201, response.text
    instance: dict[str, Any] = response.json()
    return instance


def status_of(client: TestClient, instance_id: str) -> str:
    response = client.get(f"/api/v1/process-instances/{instance_id}", headers=AUTH)
    assert response.status_code == 200, response.text
    status: str = response.json()["status"]
    return status


def csrf(page: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert found, "the page carries no CSRF token"
    return found.group(1)


def flash(response: Any) -> str:
    """The text of the flash message on the page a redirect led to."""
    found = re.search(r'<div class="flash flash-(\w+)"[^>]*>(.*?)</div>', response.text, re.S)
    assert found, "no flash message on the page"
    return f"{found.group(1)}: {html.unescape(found.group(2))}"


def test_a_reader_sees_no_actions_and_the_server_refuses_cancel(app_client: TestClient) -> None:
    instance = start(app_client)
    reader = browser(app_client, "reader")
    page = reader.get(f"/console/instances/{instance['id']}")
    assert page.status_code == 200
    assert "/cancel" not in page.text and "Edit variables" not in page.text
    refused = reader.post(f"/console/instances/{instance['id']}/cancel", data={"csrf_token": csrf(page.text)})
    assert refused.status_code == 403
    assert "instances:manage" in refused.text
    assert status_of(app_client, instance["id"]) == "RUNNING"


def test_an_admin_cancels_with_the_form(app_client: TestClient) -> None:
    instance = start(app_client)
    admin = browser(app_client, "admin")
    page = admin.get(f"/console/instances/{instance['id']}")
    done = admin.post(f"/console/instances/{instance['id']}/cancel", data={"csrf_token": csrf(page.text)})
    assert flash(done) == "success: The instance was canceled"
    assert status_of(app_client, instance["id"]) == "CANCELED"
    again = admin.post(f"/console/instances/{instance['id']}/cancel", data={"csrf_token": csrf(page.text)})
    assert again.status_code == 200 and flash(again).startswith("error: ")  # a conflict, not a 500


def test_hostile_variables_and_business_key_render_escaped(app_client: TestClient) -> None:
    instance = start(app_client, {"note": HOSTILE, HOSTILE: 1}, businessKey=f"bk{HOSTILE}")
    admin = browser(app_client, "admin")
    listing = admin.get("/console/instances")
    detail = admin.get(f"/console/instances/{instance['id']}")
    for page in (listing, detail):
        assert page.status_code == 200
        assert HOSTILE not in page.text
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text
    assert "<script" not in detail.text.replace(
        '<script src="/console/static/console.js" defer></script>', ""
    )


def test_bad_variables_json_is_refused_and_changes_nothing(app_client: TestClient) -> None:
    instance = start(app_client, {"amount": 5})
    admin = browser(app_client, "admin")
    page = admin.get(f"/console/instances/{instance['id']}")
    url = f"/console/instances/{instance['id']}/variables"
    for text, message in (
        ('{"amount": ', "error: The variables are not valid JSON"),
        ("[1, 2]", "error: The variables must be one JSON object"),
        ('{"a": 1, "a": 2}', "error: "),
    ):
        answer = admin.post(url, data={"csrf_token": csrf(page.text), "variables": text})
        assert answer.status_code == 200
        assert flash(answer).startswith(message), flash(answer)
    variables = app_client.get(f"/api/v1/process-instances/{instance['id']}/variables", headers=AUTH)
    assert variables.json() == {"amount": 5}
    saved = admin.post(url, data={"csrf_token": csrf(page.text), "variables": '{"amount": 7}'})
    assert flash(saved) == "success: The variables were saved"
    variables = app_client.get(f"/api/v1/process-instances/{instance['id']}/variables", headers=AUTH)
    assert variables.json() == {"amount": 7}


def test_unknown_instance_is_an_html_404(app_client: TestClient) -> None:
    admin = browser(app_client, "admin")
    response = admin.get("/console/instances/no-such-instance")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")
    assert "no-such-instance" in response.text and "does not exist" in response.text


def test_a_change_without_the_csrf_token_is_refused(app_client: TestClient) -> None:
    instance = start(app_client)
    admin = browser(app_client, "admin")
    refused = admin.post(f"/console/instances/{instance['id']}/suspend", data={})
    assert refused.status_code == 403
    wrong = admin.post(f"/console/instances/{instance['id']}/suspend", data={"csrf_token": "forged"})
    assert wrong.status_code == 403
    assert status_of(app_client, instance["id"]) == "RUNNING"


def test_the_list_filters_by_status_and_refuses_bad_filters_with_a_message(app_client: TestClient) -> None:
    running, canceled = start(app_client), start(app_client)
    assert (
        app_client.post(f"/api/v1/process-instances/{canceled['id']}/cancel", headers=AUTH).status_code == 200
    )
    admin = browser(app_client, "admin")
    page = admin.get("/console/instances", params={"status": "CANCELED"})
    assert canceled["id"] in page.text and running["id"] not in page.text
    bad = admin.get("/console/instances", params={"startedFrom": "yesterday", "cursor": "x"})
    assert bad.status_code == 400
    assert "is not a date" in bad.text and 'value="yesterday"' in bad.text


def test_an_incident_is_resolved_from_the_page_after_fixing_the_variables(app_client: TestClient) -> None:
    response = app_client.post(
        "/api/v1/process-definitions",
        content=bpmn("script_divide.bpmn"),
        headers={**AUTH, "content-type": "application/xml"},
    )
    assert response.status_code in (200, 201), response.text
    body = {"definitionKey": "script_divide", "variables": {"x": 0}}
    instance = app_client.post("/api/v1/process-instances", json=body, headers=AUTH).json()
    admin = browser(app_client, "admin")
    page = admin.get(f"/console/instances/{instance['id']}")
    assert "ZeroDivisionError" in page.text
    found = re.search(r'action="(/console/instances/[^"]+/incidents/[^"]+/resolve)"', page.text)
    assert found, "no resolve form"
    token = csrf(page.text)
    saved = admin.post(
        f"/console/instances/{instance['id']}/variables", data={"csrf_token": token, "variables": '{"x": 2}'}
    )
    assert flash(saved) == "success: The variables were saved"
    resolved = admin.post(found.group(1), data={"csrf_token": token})
    assert flash(resolved) == "success: The incident was resolved"
    assert "No open incident." in resolved.text
    again = admin.post(found.group(1), data={"csrf_token": token})
    assert flash(again) == f"error: Incident {found.group(1).split('/')[-2]} is already resolved"


def test_the_token_moves_back_to_an_element_chosen_in_the_form(app_client: TestClient) -> None:
    instance = start(app_client)
    admin = browser(app_client, "admin")
    page = admin.get(f"/console/instances/{instance['id']}")
    assert '<option value="task1">' in page.text
    url = f"/console/instances/{instance['id']}/move"
    moved = admin.post(
        url, data={"csrf_token": csrf(page.text), "to_element_id": "task1", "from_element_id": "task1"}
    )
    assert flash(moved) == "success: The token was moved to task1"
    assert "token moved" in moved.text
    nowhere = admin.post(url, data={"csrf_token": csrf(page.text), "to_element_id": "no_such_element"})
    assert nowhere.status_code == 200 and flash(nowhere).startswith("error: ")
    assert status_of(app_client, instance["id"]) == "RUNNING"
