"""The dashboard in a real browser: figures that follow the data, API access, the environment switcher."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.browser.conftest import Console, assert_accessible, assert_no_script_errors, log_in, screenshot


def test_dashboard_counts_what_runs_and_shows_how_to_call_the_api(page: Page, console: Console) -> None:
    console.deploy("user_task.bpmn")
    first = console.start("user_task")
    console.start("user_task")
    assert console.api.post(f"/api/v1/process-instances/{first['id']}/cancel").status_code == 200
    log_in(page, "admin")
    expect(page.locator("#stat-running .value")).to_have_text("1")
    expect(page.locator("#stat-canceled .value")).to_have_text("1")
    expect(page.locator("#stat-tasks .value")).to_have_text("1")
    expect(page.locator("svg.chart rect.started")).to_have_count(14)
    expect(page.locator("#issuer")).to_have_text(console.url)
    expect(page.locator("#client-count")).to_contain_text("enabled")
    assert_accessible(page)
    assert_no_script_errors(page)
    screenshot(page, "dashboard")
    page.locator("#stat-running").click()
    expect(page).to_have_url(f"{console.url}/console/instances?status=RUNNING")


def test_a_reader_sees_the_figures_but_not_the_clients(page: Page) -> None:
    log_in(page, "reader")
    expect(page.get_by_role("heading", name="Process instances")).to_be_visible()
    expect(page.locator("#client-count")).to_have_count(0)
    expect(page.get_by_role("navigation", name="Main").get_by_role("link", name="Clients")).to_have_count(0)


def test_switching_environment_logs_in_there(page: Page, console: Console) -> None:
    assert console.api.post("/api/v1/admin/environments", json={"name": "staging"}).status_code == 201
    log_in(page, "admin")
    page.get_by_label("Switch to").select_option("staging")
    page.get_by_role("button", name="Switch").click()
    expect(page.get_by_role("heading", name="Log in to Flowport")).to_be_visible()
    expect(page.get_by_label("Environment (users belong to one)")).to_have_value("staging")
