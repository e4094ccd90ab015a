"""The instances pages in a real browser: filter and page the list, read an instance, operate it."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import (
    Console,
    assert_accessible,
    assert_no_script_errors,
    log_in,
    screenshot,
)


@pytest.fixture(scope="module", autouse=True)
def deployed(console: Console) -> None:
    console.deploy("user_task.bpmn")


def confirm(page: Page, button: str) -> None:
    """Click an action's button, then confirm in the console's dialog."""
    page.get_by_role("button", name=button, exact=True).click()
    dialog = page.locator("#confirm-dialog")
    expect(dialog).to_be_visible()
    dialog.get_by_role("button", name="Confirm").click()


def test_the_list_filters_by_status_and_pages_through(page: Page, console: Console) -> None:
    started = [console.start("user_task", {"n": n})["id"] for n in range(3)]
    canceled = console.start("user_task")["id"]
    assert console.api.post(f"/api/v1/process-instances/{canceled}/cancel").status_code == 200
    log_in(page, "admin", next_path="/console/instances")
    expect(page.get_by_role("heading", name="Instances")).to_be_visible()
    page.get_by_label("Status").select_option("CANCELED")
    page.get_by_role("button", name="Filter").click()
    expect(page.get_by_role("link", name=canceled)).to_be_visible()
    for instance_id in started:
        expect(page.get_by_role("link", name=instance_id)).to_have_count(0)
    expect(page.locator("table.instances .badge-canceled").first).to_have_text("CANCELED")
    assert_accessible(page)
    screenshot(page, "instances")

    # Two a page, running only: the next-page link keeps the filter, and no instance shows twice.
    page.goto("/console/instances?status=RUNNING&limit=2")
    seen: list[str] = []
    while True:
        rows = page.locator("table.instances tbody tr td:first-child a")
        expect(rows.first).to_be_visible()
        assert rows.count() <= 2
        seen += rows.all_inner_texts()
        expect(page.locator("table.instances .badge-running")).to_have_count(rows.count())
        following = page.get_by_role("link", name="Next page")
        if following.count() == 0:
            break
        assert "status=RUNNING" in (following.get_attribute("href") or "")
        following.click()
    assert len(seen) == len(set(seen))
    assert set(started) <= set(seen) and canceled not in seen
    assert_no_script_errors(page)


def test_an_instance_shows_its_diagram_and_is_operated(page: Page, console: Console) -> None:
    instance = console.start("user_task", {"amount": 5, "customer": "Ann"})
    url = f"/console/instances/{instance['id']}"
    log_in(page, "admin", next_path=url)
    expect(page.get_by_role("heading", name=f"Instance {instance['id']}")).to_be_visible()
    diagram = page.locator(".diagram svg")
    expect(diagram.locator('.active[data-element-id="task1"]')).to_have_count(1)
    expect(diagram.locator('.completed[data-element-id="start"]')).to_have_count(1)
    expect(diagram.locator('.active[data-element-id="start"]')).to_have_count(0)
    expect(page.locator(".legend")).to_contain_text("Active")
    expect(page.locator("ol.timeline li").first).to_contain_text("instance started")
    expect(page.locator("pre.variables")).to_contain_text('"customer": "Ann"')
    tasks = console.api.get("/api/v1/tasks", params={"processInstanceId": instance["id"]}).json()["items"]
    task_link = page.get_by_role("link", name="Task 1")
    expect(task_link).to_have_attribute("href", f"/console/tasks/{tasks[0]['id']}")
    assert_accessible(page)
    screenshot(page, "instance")

    confirm(page, "Suspend")
    expect(page.get_by_role("status")).to_have_text("The instance was suspended")
    expect(page.locator("h1 .badge")).to_have_text("SUSPENDED")
    confirm(page, "Resume")
    expect(page.get_by_role("status")).to_have_text("The instance was resumed")
    expect(page.locator("h1 .badge")).to_have_text("RUNNING")

    page.get_by_label("Edit variables").fill('{"amount": 9, "customer": "Bob"}')
    confirm(page, "Save variables")
    expect(page.get_by_role("status")).to_have_text("The variables were saved")
    expect(page.locator("pre.variables")).to_contain_text('"customer": "Bob"')
    variables = console.api.get(f"/api/v1/process-instances/{instance['id']}/variables").json()
    assert variables == {"amount": 9, "customer": "Bob"}

    page.get_by_label("Edit variables").fill("not json")
    confirm(page, "Save variables")
    expect(page.get_by_role("alert")).to_contain_text("The variables are not valid JSON")

    confirm(page, "Cancel instance")
    expect(page.get_by_role("status")).to_have_text("The instance was canceled")
    expect(page.locator("h1 .badge")).to_have_text("CANCELED")
    expect(page.get_by_role("button", name="Cancel instance")).to_have_count(0)
    assert console.api.get(f"/api/v1/process-instances/{instance['id']}").json()["status"] == "CANCELED"
    assert_no_script_errors(page)


def test_dismissing_the_dialog_changes_nothing(page: Page, console: Console) -> None:
    instance = console.start("user_task")
    log_in(page, "clerk", next_path=f"/console/instances/{instance['id']}")
    page.get_by_role("button", name="Cancel instance").click()
    page.locator("#confirm-dialog").get_by_role("button", name="Cancel").click()
    expect(page.locator("#confirm-dialog")).to_be_hidden()
    expect(page.locator("h1 .badge")).to_have_text("RUNNING")
    assert console.api.get(f"/api/v1/process-instances/{instance['id']}").json()["status"] == "RUNNING"


def test_a_reader_sees_no_action(page: Page, console: Console) -> None:
    instance = console.start("user_task")
    log_in(page, "reader", next_path=f"/console/instances/{instance['id']}")
    expect(page.locator('.diagram .active[data-element-id="task1"]')).to_have_count(1)
    expect(page.get_by_role("heading", name="Actions")).to_have_count(0)
    for name in ("Suspend", "Cancel instance", "Move token", "Save variables"):
        expect(page.get_by_role("button", name=name)).to_have_count(0)
    expect(page.get_by_text("Listing jobs needs the permission jobs:work")).to_be_visible()


def test_the_instance_page_at_phone_width(page: Page, console: Console) -> None:
    instance = console.start("user_task", {"note": "phone"})
    page.set_viewport_size({"width": 390, "height": 844})
    log_in(page, "admin", next_path=f"/console/instances/{instance['id']}")
    expect(page.locator(".diagram svg")).to_be_visible()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page scrolls sideways ({width}px)"
    assert_accessible(page)
    screenshot(page, "instance-phone")
    page.goto("/console/instances")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the list scrolls sideways ({width}px)"
    assert_no_script_errors(page)
