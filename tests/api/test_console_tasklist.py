"""The console's Tasklist without a browser: refusals, wrong input, escaping, unknown ids, CSRF."""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.helpers import bpmn, deploy, ready_tasks, start

PASSWORD = "correct horse battery"
FORM = "user_task_form.bpmn"
KEY = "ExpenseClaim"


def person(client: TestClient, username: str, profile: str, groups: list[str]) -> TestClient:
    """A browser of its own (cookies) on the same app, logged in to the console as a new user."""
    body = {"username": username, "password": PASSWORD, "profile": profile, "groups": groups}
    assert client.post("/api/v1/admin/users", json=body).status_code == 201
    browser = TestClient(client.app, base_url=str(client.base_url))
    response = browser.post(
        "/console/login", data={"username": username, "password": PASSWORD}, follow_redirects=False
    )
    assert response.status_code == 303, response.text
    return browser


def csrf(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "the page has no CSRF field"
    return found.group(1)


def open_task(client: TestClient, variables: dict[str, Any] | None = None) -> dict[str, Any]:
    instance = start(client, KEY, variables)
    (task,) = ready_tasks(client, instance["id"])
    return task


def task_state(client: TestClient, task_id: str) -> str:
    state: str = client.get(f"/api/v1/tasks/{task_id}").json()["state"]
    return state


def instance_variables(client: TestClient, instance_id: str) -> dict[str, Any]:
    response = client.get(f"/api/v1/process-instances/{instance_id}")
    assert response.status_code == 200, response.text
    variables: dict[str, Any] = response.json()["variables"]
    return variables


@pytest.fixture
def clerk(client: TestClient) -> TestClient:
    deploy(client, FORM)
    return person(client, "clerk", "ObjectReadWrite", ["managers"])


def claimed(clerk: TestClient, task_id: str) -> str:
    """Claim the task as the clerk; the token of the task's page, to post its form with."""
    page = clerk.get(f"/console/tasks/{task_id}")
    response = clerk.post(
        f"/console/tasks/{task_id}/claim", data={"csrf_token": csrf(page.text)}, follow_redirects=False
    )
    assert response.status_code == 303
    return csrf(clerk.get(f"/console/tasks/{task_id}").text)


def test_a_reader_may_not_complete_and_sees_no_button(client: TestClient, clerk: TestClient) -> None:
    reader = person(client, "reader", "ObjectRead", ["managers"])
    task = open_task(client)
    page = reader.get(f"/console/tasks/{task['id']}")
    assert page.status_code == 200
    assert "Complete task" not in page.text and ">Claim<" not in page.text
    response = reader.post(
        f"/console/tasks/{task['id']}/complete",
        data={"csrf_token": csrf(page.text), "field.amount": "5"},
    )
    assert response.status_code == 403
    assert "tasks:complete" in response.text
    claim = reader.post(f"/console/tasks/{task['id']}/claim", data={"csrf_token": csrf(page.text)})
    assert claim.status_code == 403
    assert task_state(client, task["id"]) == "READY"


def test_a_wrong_typed_value_is_named_and_nothing_is_completed(client: TestClient, clerk: TestClient) -> None:
    task = open_task(client)
    token = claimed(clerk, task["id"])
    response = clerk.post(
        f"/console/tasks/{task['id']}/complete",
        data={"csrf_token": token, "field.amount": "abc", "field.rate": "1.5", "field.note": "typed"},
    )
    assert response.status_code == 400
    assert "Approved amount: must be a whole number, not &#39;abc&#39;" in response.text
    assert 'value="typed"' in response.text  # what was typed is still there
    assert task_state(client, task["id"]) == "READY"
    missing = clerk.post(f"/console/tasks/{task['id']}/complete", data={"csrf_token": token})
    assert missing.status_code == 400 and "Approved amount: is required" in missing.text
    assert task_state(client, task["id"]) == "READY"


@pytest.mark.parametrize(
    ("variables", "message"),
    [("{not json", "not valid JSON"), ("[1, 2]", "must be a JSON object")],
)
def test_bad_json_variables_are_refused(
    client: TestClient, clerk: TestClient, variables: str, message: str
) -> None:
    task = open_task(client)
    token = claimed(clerk, task["id"])
    response = clerk.post(
        f"/console/tasks/{task['id']}/complete",
        data={"csrf_token": token, "field.amount": "5", "variables": variables},
    )
    assert response.status_code == 400 and message in response.text
    assert task_state(client, task["id"]) == "READY"


def test_the_form_completes_with_typed_values(client: TestClient, clerk: TestClient) -> None:
    task = open_task(client)
    token = claimed(clerk, task["id"])
    form = {
        "csrf_token": token,
        "field.amount": "120",
        "field.rate": "0.5",
        "field.urgent": "true",
        "field.payOn": "2030-01-31",
        "field.channel": "cash",
        "field.note": "ok",
        "variables": '{"extra": [1, 2]}',
    }
    response = clerk.post(f"/console/tasks/{task['id']}/complete", data=form, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/console/tasks"
    values = instance_variables(client, task["processInstanceId"])
    assert values["amount"] == 120 and values["rate"] == 0.5 and values["urgent"] is True
    assert values["payOn"] == "2030-01-31" and values["channel"] == "cash" and values["extra"] == [1, 2]


def test_an_unclaimed_task_is_not_completed_and_the_page_says_why(
    client: TestClient, clerk: TestClient
) -> None:
    task = open_task(client)
    page = clerk.get(f"/console/tasks/{task['id']}")
    assert "Claim this task to complete it" in page.text
    response = clerk.post(
        f"/console/tasks/{task['id']}/complete", data={"csrf_token": csrf(page.text), "field.amount": "1"}
    )
    assert response.status_code == 409 and "is not assigned" in response.text
    assert task_state(client, task["id"]) == "READY"


def test_hostile_labels_and_variables_render_escaped(client: TestClient) -> None:
    hostile = bpmn(FORM).replace(b'label="Approved amount"', b'label="&lt;script&gt;alert(1)&lt;/script&gt;"')
    hostile = hostile.replace(b'name="Review the claim"', b'name="&lt;script&gt;alert(2)&lt;/script&gt;"')
    response = client.post(
        "/api/v1/process-definitions", content=hostile, headers={"content-type": "application/xml"}
    )
    assert response.status_code in (200, 201), response.text
    clerk = person(client, "clerk", "ObjectReadWrite", ["managers"])
    task = open_task(client, {"comment": "<script>alert(3)</script>"})
    claimed(clerk, task["id"])
    for path in (f"/console/tasks/{task['id']}", "/console/tasks?view=mine"):
        page = clerk.get(path)
        assert page.status_code == 200
        assert "<script>alert" not in page.text
    page = clerk.get(f"/console/tasks/{task['id']}").text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page  # the field's label
    assert "&lt;script&gt;alert(2)&lt;/script&gt;" in page  # the task's name
    assert "&lt;script&gt;alert(3)&lt;/script&gt;" in page  # the variable


def test_an_unknown_task_is_an_html_404(clerk: TestClient) -> None:
    response = clerk.get("/console/tasks/no-such-task")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")
    assert "Task no-such-task does not exist" in response.text


def test_a_change_without_the_csrf_token_is_refused(client: TestClient, clerk: TestClient) -> None:
    task = open_task(client)
    response = clerk.post(f"/console/tasks/{task['id']}/claim", data={})
    assert response.status_code == 403
    assert client.get(f"/api/v1/tasks/{task['id']}").json()["assignee"] is None
    token = claimed(clerk, task["id"])
    forged = clerk.post(
        f"/console/tasks/{task['id']}/complete", data={"csrf_token": token + "x", "field.amount": "1"}
    )
    assert forged.status_code == 403
    assert task_state(client, task["id"]) == "READY"


def test_the_lists_show_my_tasks_and_my_groups_tasks(client: TestClient, clerk: TestClient) -> None:
    mine, offered = open_task(client), open_task(client)
    claimed(clerk, mine["id"])
    own = clerk.get("/console/tasks?view=mine").text
    groups = clerk.get("/console/tasks?view=groups").text
    everything = clerk.get("/console/tasks?view=all").text
    assert mine["id"] in own and offered["id"] not in own
    assert offered["id"] in groups and mine["id"] not in groups
    assert mine["id"] in everything and offered["id"] in everything
    assert f'href="/console/instances/{mine["processInstanceId"]}"' in own


def test_a_command_completes_its_task(client: TestClient, clerk: TestClient) -> None:
    task = open_task(client)
    page = clerk.get(f"/console/tasks/{task['id']}").text
    assert "Bank transfer" in page and "Cash" in page
    response = clerk.post(
        f"/console/tasks/{task['id']}/command",
        data={"csrf_token": csrf(page), "command": "cash"},
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert task_state(client, task["id"]) == "COMPLETED"
    assert instance_variables(client, task["processInstanceId"])["channel"] == "cash"
