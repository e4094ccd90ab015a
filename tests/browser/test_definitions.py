"""The Definitions pages in a real browser: upload several files at once, see the list and a diagram."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.browser.conftest import (
    Console,
    assert_accessible,
    assert_no_script_errors,
    log_in,
    screenshot,
)
from tests.helpers import FIXTURES


def test_upload_two_files_at_once_shows_each_outcome_and_the_deployed_one(
    page: Page, console: Console
) -> None:
    log_in(page, "admin", next_path="/console/definitions")
    page.get_by_label("BPMN files", exact=True).set_input_files(
        [FIXTURES / "user_task.bpmn", FIXTURES / "bad_malformed.bpmn"]
    )
    expect(page.locator("[data-dropzone-files]")).to_have_text("user_task.bpmn, bad_malformed.bpmn")
    page.get_by_role("button", name="Deploy").click()

    results = page.locator("table.upload-results")
    expect(page.get_by_text("1 of 2 files deployed; 1 refused.")).to_be_visible()
    good = results.get_by_role("row").filter(has_text="user_task.bpmn")
    expect(good).to_contain_text("Deployed")
    expect(good.get_by_role("link", name="user_task")).to_be_visible()
    bad = results.get_by_role("row").filter(has_text="bad_malformed.bpmn")
    expect(bad).to_contain_text("Failed")
    expect(bad).to_contain_text("not well-formed XML")
    expect(bad).to_contain_text("line 15")
    listing = page.locator("table.definitions")
    expect(listing.get_by_role("row").filter(has_text="user_task")).to_contain_text("User task")
    assert_accessible(page)
    screenshot(page, "definitions-upload")

    page.goto("/console/definitions")
    expect(page.locator("table.definitions").get_by_role("link", name="user_task")).to_be_visible()
    assert_accessible(page)
    screenshot(page, "definitions")
    assert_no_script_errors(page)


def test_the_definition_page_draws_the_diagram_and_lists_versions_and_xml(
    page: Page, console: Console
) -> None:
    first = console.deploy("lanes.bpmn")
    log_in(page, "admin", next_path="/console/definitions")
    page.locator("table.definitions").get_by_role("link", name=first["key"]).click()
    expect(page).to_have_url(re.compile(f"/console/definitions/{first['id']}$"))

    diagram = page.locator(".diagram svg")
    expect(diagram).to_be_visible()
    expect(diagram.locator("[data-element-id]").first).to_be_attached()
    expect(page.get_by_role("link", name="Version 1")).to_have_count(0)  # this one: no link to itself
    expect(page.locator("#definition-xml")).to_contain_text("<bpmn:definitions")
    expect(page.get_by_role("button", name="Copy XML")).to_be_visible()
    with page.expect_download() as download:
        page.get_by_role("link", name="Download XML").first.click()
    assert download.value.suggested_filename == f"{first['key']}-v1.bpmn"
    assert_accessible(page)
    screenshot(page, "definition")
    assert_no_script_errors(page)


def test_the_task_label_is_drawn_and_versions_link_to_each_other(page: Page, console: Console) -> None:
    first = console.deploy("user_task.bpmn")
    changed = (FIXTURES / "user_task.bpmn").read_bytes().replace(b'name="Task 1"', b'name="Check order"')
    response = console.api.post(
        "/api/v1/process-definitions", content=changed, headers={"content-type": "application/xml"}
    )
    assert response.status_code == 201, response.text
    second = response.json()["definitions"][0]
    log_in(page, "admin", next_path=f"/console/definitions/{second['id']}")
    expect(page.locator(".diagram svg")).to_contain_text("Check order")
    page.get_by_role("link", name=f"Version {first['version']}", exact=True).click()
    expect(page).to_have_url(re.compile(f"/console/definitions/{first['id']}$"))
    expect(page.locator(".diagram svg")).to_contain_text("Task 1")
    assert_no_script_errors(page)


def test_a_reader_sees_no_upload_form_and_no_delete_button(page: Page, console: Console) -> None:
    definition = console.deploy("service_task.bpmn")
    log_in(page, "reader", next_path="/console/definitions")
    expect(page.get_by_role("heading", name="Definitions", exact=True)).to_be_visible()
    expect(page.get_by_role("heading", name="Upload BPMN files")).to_have_count(0)
    expect(page.locator("input[type=file]")).to_have_count(0)
    page.goto(f"/console/definitions/{definition['id']}")
    expect(page.locator(".diagram svg")).to_be_visible()
    expect(page.get_by_role("button", name=re.compile("^Delete"))).to_have_count(0)


def test_delete_asks_first_and_the_cascade_is_its_own_choice(page: Page, console: Console) -> None:
    definition = console.deploy("manual_task.bpmn")
    log_in(page, "admin", next_path=f"/console/definitions/{definition['id']}")
    page.get_by_role("button", name="Delete with its instances").click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text("AND all its instances")
    dialog.get_by_role("button", name="Cancel").click()
    expect(page).to_have_url(re.compile(f"/console/definitions/{definition['id']}$"))

    page.get_by_role("button", name="Delete this version").click()
    expect(dialog).to_contain_text(f"Really delete version 1 of {definition['key']}?")
    dialog.get_by_role("button", name="Confirm").click()
    expect(page).to_have_url(re.compile("/console/definitions$"))
    expect(page.get_by_role("status")).to_have_text(f"Deleted version 1 of {definition['key']}.")
    assert console.api.get(f"/api/v1/process-definitions/{definition['id']}").status_code == 404
    assert_no_script_errors(page)


def test_the_pages_fit_a_phone(page: Page, console: Console) -> None:
    definition = console.deploy("parallel_gateway.bpmn")
    page.set_viewport_size({"width": 390, "height": 844})
    log_in(page, "admin", next_path="/console/definitions")
    expect(page.get_by_label("BPMN files", exact=True)).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert_accessible(page)
    screenshot(page, "definitions-phone")
    page.goto(f"/console/definitions/{definition['id']}")
    expect(page.locator(".diagram svg")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert_accessible(page)
    screenshot(page, "definition-phone")


def test_files_over_the_upload_limit_are_stopped_with_a_message(page: Page, console: Console) -> None:
    log_in(page, "admin", next_path="/console/definitions")
    big = {"name": "big.bpmn", "mimeType": "application/xml", "buffer": b" " * (11 * 1024 * 1024)}
    page.get_by_label("BPMN files", exact=True).set_input_files([big])
    page.get_by_role("button", name="Deploy").click()
    expect(page.get_by_role("alert")).to_contain_text("too large together")
    expect(page).to_have_url(re.compile("/console/definitions$"))
    expect(page.get_by_role("heading", name="Upload results")).to_have_count(0)
    assert_no_script_errors(page)
