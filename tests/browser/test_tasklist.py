"""The Tasklist in a real browser: find a group's task, claim it, fill its generated form, complete it."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import (
    Console,
    assert_accessible,
    assert_no_script_errors,
    log_in,
    screenshot,
)

KEY = "ExpenseClaim"


@pytest.fixture(scope="module", autouse=True)
def deployed(console: Console) -> None:
    console.deploy("user_task_form.bpmn")


def ready_task(console: Console, instance_id: str) -> dict[str, Any]:
    response = console.api.get("/api/v1/tasks", params={"processInstanceId": instance_id})
    (task,) = response.json()["items"]
    return dict(task)


def test_a_clerk_claims_a_groups_task_and_completes_it_with_the_generated_form(
    page: Page, console: Console
) -> None:
    instance = console.start(KEY, {"claimant": "Dana"})
    task = ready_task(console, instance["id"])
    log_in(page, "clerk", next_path="/console/tasks")
    page.get_by_role("link", name="My groups' tasks").click()
    row = page.get_by_role("row").filter(has=page.locator(f'a[href="/console/instances/{instance["id"]}"]'))
    expect(row.get_by_role("cell", name="unassigned")).to_be_visible()
    assert_accessible(page)
    screenshot(page, "tasklist")
    row.get_by_role("button", name="Claim").click()
    expect(page.get_by_role("status")).to_have_text("Task claimed")

    page.get_by_role("link", name="My tasks").click()
    mine = page.get_by_role("row").filter(has_text=instance["id"])
    mine.get_by_role("link", name="Review the claim").click()
    expect(page.get_by_role("heading", name="Review the claim", level=1)).to_be_visible()
    # The form follows the BPMN's fields: types, labels, defaults, required.
    expect(page.get_by_label("Note to the claimant")).to_have_value("Looks fine")
    amount = page.get_by_label("Approved amount")
    expect(amount).to_have_attribute("type", "number")
    expect(amount).to_have_attribute("step", "1")
    expect(amount).to_have_attribute("required", "")
    expect(page.get_by_label("Exchange rate")).to_have_value("1.0")
    expect(page.get_by_label("Pay urgently")).not_to_be_checked()
    expect(page.get_by_label("Pay on")).to_have_attribute("type", "date")
    expect(page.get_by_label("Payment channel")).to_have_value("bank")
    expect(page.get_by_role("button", name="Bank transfer")).to_be_visible()  # its commands
    assert_accessible(page)
    screenshot(page, "task")

    amount.fill("250")
    page.get_by_label("Exchange rate").fill("0.75")
    page.get_by_label("Pay urgently").check()
    page.get_by_label("Pay on").fill("2030-03-15")
    page.get_by_label("Payment channel").select_option(label="Cash")
    page.get_by_role("button", name="Complete task").click()
    expect(page.get_by_role("status")).to_have_text("Task 'Review the claim' completed")
    expect(page).to_have_url(f"{console.url}/console/tasks")
    assert_no_script_errors(page)

    variables = console.api.get(f"/api/v1/process-instances/{instance['id']}").json()["variables"]
    assert variables["amount"] == 250 and isinstance(variables["amount"], int)
    assert variables["rate"] == 0.75 and variables["urgent"] is True
    assert variables["payOn"] == "2030-03-15" and variables["channel"] == "cash"
    assert variables["note"] == "Looks fine" and variables["claimant"] == "Dana"
    assert console.api.get(f"/api/v1/tasks/{task['id']}").json()["state"] == "COMPLETED"


def test_a_claimed_task_goes_back_to_the_group_when_unclaimed(page: Page, console: Console) -> None:
    instance = console.start(KEY)
    task = ready_task(console, instance["id"])
    log_in(page, "clerk", next_path=f"/console/tasks/{task['id']}")
    expect(page.get_by_text("Claim this task to complete it.")).to_be_visible()
    page.get_by_role("button", name="Claim").click()
    expect(page.get_by_role("status")).to_have_text("Task claimed")
    expect(page.get_by_role("button", name="Complete task")).to_be_visible()
    page.get_by_role("button", name="Unclaim").click()
    expect(page.get_by_role("status")).to_have_text("Task unclaimed")
    expect(page.get_by_role("button", name="Complete task")).to_have_count(0)
    assert console.api.get(f"/api/v1/tasks/{task['id']}").json()["assignee"] is None
    page.goto("/console/tasks?view=groups")
    expect(page.locator(f'a[href="/console/tasks/{task["id"]}"]')).to_be_visible()


def test_a_wrong_value_is_shown_and_nothing_completes(page: Page, console: Console) -> None:
    instance = console.start(KEY)
    task = ready_task(console, instance["id"])
    log_in(page, "clerk", next_path=f"/console/tasks/{task['id']}")
    page.get_by_role("button", name="Claim").click()
    page.get_by_label("Approved amount").fill("5")
    page.get_by_text("More variables (JSON)").click()
    page.get_by_label("Variables to set, as a JSON object").fill("{oops")
    page.get_by_role("button", name="Complete task").click()
    expect(page.get_by_role("alert")).to_contain_text("The variables are not valid JSON")
    expect(page.get_by_label("Approved amount")).to_have_value("5")
    assert console.api.get(f"/api/v1/tasks/{task['id']}").json()["state"] == "READY"


def test_a_reader_sees_tasks_but_no_claim_or_complete(page: Page, console: Console) -> None:
    instance = console.start(KEY)
    task = ready_task(console, instance["id"])
    log_in(page, "reader", next_path="/console/tasks?view=all")
    expect(page.locator(f'a[href="/console/tasks/{task["id"]}"]')).to_be_visible()
    expect(page.get_by_role("button", name="Claim")).to_have_count(0)
    page.locator(f'a[href="/console/tasks/{task["id"]}"]').click()
    expect(page.get_by_role("heading", name="Review the claim", level=1)).to_be_visible()
    expect(page.get_by_role("button", name="Claim")).to_have_count(0)
    expect(page.get_by_role("button", name="Complete task")).to_have_count(0)
    expect(page.get_by_role("button", name="Bank transfer")).to_have_count(0)
    assert_no_script_errors(page)


def test_the_tasklist_at_phone_width(page: Page, console: Console) -> None:
    instance = console.start(KEY)
    task = ready_task(console, instance["id"])
    page.set_viewport_size({"width": 390, "height": 844})
    log_in(page, "clerk", next_path="/console/tasks?view=groups")
    expect(page.locator(f'a[href="/console/tasks/{task["id"]}"]')).to_be_visible()
    assert_accessible(page)
    screenshot(page, "tasklist-phone")
    page.locator(f'a[href="/console/tasks/{task["id"]}"]').click()
    page.get_by_role("button", name="Claim").click()
    expect(page.get_by_role("button", name="Complete task")).to_be_visible()
    wide = page.evaluate("document.documentElement.scrollWidth")
    assert wide <= 390, f"the task page is {wide}px wide at phone width"
    assert_accessible(page)
    screenshot(page, "task-phone")
