"""Stored XSS: a BPMN label, a process name, a business key and a variable holding markup render inert.

Every page that shows them is visited in a real browser; a script that ran would set a global or
open a dialog. The text must still be shown, literally, so people see what was stored.
"""

from __future__ import annotations

from typing import Any

from playwright.sync_api import Dialog, Page, expect

from tests.browser.conftest import Console, log_in
from tests.helpers import FIXTURES

PAYLOAD = '<script>window.__xss=1</script><img src=x onerror="window.__xss=2">'
ATTRIBUTE_PAYLOAD = '"><svg onload="window.__xss=3">'


def hostile_definition() -> bytes:
    """The user task fixture, with markup in the process name and the task's label."""
    xml = (FIXTURES / "user_task.bpmn").read_text()
    xml = xml.replace(
        'id="user_task" name="User task"', 'id="hostile" name="Process &lt;b&gt;bold&lt;/b&gt;"'
    )
    label = (
        "Approve &lt;script&gt;window.__xss=1&lt;/script&gt;"
        "&lt;img src=x onerror=&quot;window.__xss=2&quot;&gt;"
    )
    xml = xml.replace(
        'name="Task 1" camunda:assignee="alice"', f'name="{label}" camunda:candidateGroups="managers"'
    )
    xml = xml.replace(
        'BPMNPlane_user_task" bpmnElement="user_task"', 'BPMNPlane_user_task" bpmnElement="hostile"'
    )
    return xml.encode()


def test_markup_in_stored_data_is_shown_as_text_and_never_runs(page: Page, console: Console) -> None:
    response = console.api.post(
        "/api/v1/process-definitions",
        content=hostile_definition(),
        headers={"content-type": "application/xml"},
    )
    assert response.status_code in (200, 201), response.text
    definition: dict[str, Any] = response.json()["definitions"][0]
    started = console.api.post(
        "/api/v1/process-instances",
        json={
            "definitionKey": "hostile",
            "businessKey": ATTRIBUTE_PAYLOAD,
            "variables": {"note": PAYLOAD, ATTRIBUTE_PAYLOAD: "key with markup"},
        },
    )
    assert started.status_code == 201, started.text
    instance = started.json()
    tasks = console.api.get("/api/v1/tasks", params={"processInstanceId": instance["id"]}).json()["items"]
    dialogs: list[str] = []

    def dismiss(dialog: Dialog) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", dismiss)
    log_in(page, "admin")
    for path in (
        "/console/",
        "/console/definitions",
        f"/console/definitions/{definition['id']}",
        "/console/instances",
        f"/console/instances/{instance['id']}",
        "/console/tasks?view=all",
        f"/console/tasks/{tasks[0]['id']}",
        "/console/audit",
    ):
        page.goto(path)
        expect(page.locator("main")).to_be_visible()
        assert page.evaluate("window.__xss") is None, path
        assert page.locator("main script, main img[src=x], main svg[onload]").count() == 0, path
    assert not dialogs

    page.goto(f"/console/instances/{instance['id']}")
    expect(page.locator("main")).to_contain_text("<script>window.__xss=1</script>")
    page.goto(f"/console/definitions/{definition['id']}")
    expect(page.locator(".diagram svg")).to_contain_text("Approve <script>")
