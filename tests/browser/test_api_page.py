"""The API page in a real browser: find an operation, send it, follow what it created, copy the code."""

from __future__ import annotations

import json
import re

import pytest
from playwright.sync_api import Browser, Locator, Page, expect

from tests.browser.conftest import (
    Console,
    assert_accessible,
    assert_no_script_errors,
    log_in,
    screenshot,
)

START = "post-api-v1-process-instances"


@pytest.fixture(scope="module", autouse=True)
def deployed(console: Console) -> None:
    console.deploy("user_task.bpmn")


def open_api_page(page: Page, username: str) -> None:
    log_in(page, username, next_path="/console/api")
    expect(page.get_by_role("heading", name="API", exact=True)).to_be_visible()


def operation(page: Page, op_id: str) -> Locator:
    """The operation's <details>, opened."""
    details = page.locator(f"details#{op_id}")
    if details.get_attribute("open") is None:
        details.locator("summary").click()
    expect(details.get_by_role("button", name="Send request")).to_be_visible()
    return details


def client(console: Console, profile: str) -> tuple[str, str]:
    response = console.api.post(
        "/api/v1/admin/clients", json={"name": f"API page {profile}", "profile": profile}
    )
    assert response.status_code == 201, response.text
    body = response.json()
    return body["clientId"], body["clientSecret"]


def refused_loads_only(page: Page) -> None:
    """No script error; a request answered 4xx is logged by Chromium, and is what the test wanted."""
    errors: list[str] = page.script_errors  # type: ignore[attr-defined]
    assert [e for e in errors if "Failed to load resource" not in e] == []


def test_start_an_instance_with_my_session_and_follow_the_link(page: Page, console: Console) -> None:
    open_api_page(page, "admin")
    page.get_by_label("Filter operations").fill("start a process instance")
    start = page.locator(f"details#{START}")
    expect(start).to_be_visible()
    expect(start.locator("summary")).to_contain_text("Start a process instance")
    expect(page.locator(f"details#{START} summary")).to_contain_text("POST")
    start = operation(page, START)
    expect(start).to_contain_text("instances:start")
    expect(start).to_contain_text("you hold it")
    expect(start.get_by_label("JSON body")).to_contain_text("definitionKey")  # prefilled with the example
    body = {"definitionKey": "user_task", "variables": {"note": "from the API page"}}
    start.get_by_label("JSON body").fill(json.dumps(body))
    expect(start.get_by_label("my session")).to_be_checked()
    start.get_by_role("button", name="Send request").click()
    result = start.locator("[data-result]")
    expect(result.locator("[data-result-status]")).to_have_text(re.compile(r"^Status 201"))
    expect(result).to_contain_text("/api/v1/process-instances/")  # the Location header
    link = result.get_by_role("link")
    expect(link).to_be_visible()
    instance_id = link.inner_text()
    assert json.loads(result.locator("[data-result-body]").inner_text())["id"] == instance_id
    assert_accessible(page)  # with one operation open, and its result
    screenshot(page, "api")
    assert_no_script_errors(page)

    link.click()
    page.wait_for_url(f"**/console/instances/{instance_id}")
    created = console.api.get(f"/api/v1/process-instances/{instance_id}")
    assert created.status_code == 200
    assert created.json()["definitionKey"] == "user_task"
    variables = console.api.get(f"/api/v1/process-instances/{instance_id}/variables").json()
    assert variables["note"] == "from the API page"


def test_a_client_token_sends_what_the_session_may_not(page: Page, console: Console) -> None:
    client_id, secret = client(console, "ObjectReadWrite")
    open_api_page(page, "reader")  # ObjectRead: may not start instances
    start = operation(page, START)
    expect(start).to_contain_text("you do not hold it")
    start.get_by_label("JSON body").fill(json.dumps({"definitionKey": "user_task"}))
    start.get_by_role("button", name="Send request").click()
    status = start.locator("[data-result-status]")
    expect(status).to_have_text(re.compile(r"^Status 403"))
    expect(start.locator("[data-result-body]")).to_contain_text("instances:start")

    start.get_by_label("a client").check()
    start.get_by_label("Client id").fill(client_id)
    start.get_by_label("Client secret").fill("not the secret")
    start.get_by_role("button", name="Send request").click()
    expect(status).to_contain_text("The token request failed (401)")

    start.get_by_label("Client secret").fill(secret)
    start.get_by_role("button", name="Send request").click()
    expect(status).to_have_text(re.compile(r"^Status 201"))
    instance_id = start.locator("[data-instance-link]").inner_text()
    assert console.api.get(f"/api/v1/process-instances/{instance_id}").status_code == 200

    # The client typed once serves every operation; its code names it (the secret stays out).
    listing = operation(page, "get-api-v1-process-definitions")
    expect(listing.get_by_label("Client id")).to_have_value(client_id)
    listing.get_by_label("a client").check()
    listing.get_by_role("button", name="Send request").click()
    expect(listing.locator("[data-result-status]")).to_have_text(re.compile(r"^Status 200"))
    expect(listing.locator("[data-result-body]")).to_contain_text('"key": "user_task"')
    expect(listing.locator('[data-code="curl"]')).to_contain_text(f"client_id={client_id}")
    assert secret not in page.content()
    refused_loads_only(page)


def test_code_tabs_show_the_token_request_and_follow_the_form(page: Page) -> None:
    open_api_page(page, "admin")
    closed = page.locator(f"details#{START}")
    expect(closed.locator("[data-code]")).to_have_count(0)  # no code until it is opened
    expect(page.locator("[data-code]")).to_have_count(0)
    with page.expect_request(re.compile(r"/console/api/code/all\?operation=" + START)) as fetched:
        start = operation(page, START)
    assert "target=" not in fetched.value.url  # one request brings every target
    tabs = start.get_by_role("tablist")
    curl = start.get_by_role("tabpanel")
    expect(tabs.get_by_role("tab", name="curl")).to_have_attribute("aria-selected", "true")
    expect(curl).to_contain_text("grant_type=client_credentials")
    expect(curl).to_contain_text("/connect/token")
    expect(curl).to_contain_text("Authorization: Bearer $ACCESS_TOKEN")
    expect(curl.get_by_role("button", name="Copy code")).to_be_visible()
    for label, text, token_request in [
        ("Python (requests)", "requests.post(", "client_credentials"),
        ("Python (Flowport SDK)", "flowport.instances.start(", "token_url="),  # the SDK asks itself
        ("JavaScript (fetch)", "await fetch(", "client_credentials"),
        ("C# (HttpClient)", "HttpClient", "client_credentials"),
    ]:
        tabs.get_by_role("tab", name=label).click()
        panel = start.get_by_role("tabpanel")
        expect(panel).to_contain_text(text)
        expect(panel).to_contain_text(token_request)  # each one gets a token first

    tabs.get_by_role("tab", name="Python (requests)").focus()
    page.keyboard.press("ArrowLeft")
    expect(tabs.get_by_role("tab", name="curl")).to_have_attribute("aria-selected", "true")

    start.get_by_label("JSON body").fill('{"definitionKey": "typed-in-the-form"}')
    expect(start.locator('[data-code="curl"]')).to_contain_text("typed-in-the-form")
    expect(start.locator('[data-code="python-sdk"]')).to_contain_text("typed-in-the-form")
    start.get_by_label("JSON body").fill('{"definitionKey": ')
    expect(start.locator("[data-code-status]")).to_contain_text("not valid JSON")
    expect(start.locator('[data-code="curl"]')).to_contain_text("typed-in-the-form")  # kept
    refused_loads_only(page)


def test_without_javascript_each_target_is_a_plain_text_link(browser: Browser, console: Console) -> None:
    context = browser.new_context(base_url=console.url, java_script_enabled=False)
    try:
        page = context.new_page()
        open_api_page(page, "admin")
        start = page.locator(f"details#{START}")
        start.locator("summary").click()  # <details> opens without JavaScript
        expect(start.get_by_label("JSON body")).to_be_visible()
        links = start.locator(".code-links").get_by_role("link")
        expect(links).to_have_count(5)
        curl = links.get_by_text("curl", exact=True).get_attribute("href")
        start.get_by_role("link", name="C# (HttpClient)").click()
        expect(page.locator("body")).to_contain_text("HttpClient")
        expect(page.locator("body")).to_contain_text("client_credentials")
        assert curl is not None
        page.goto(curl)
        expect(page.locator("body")).to_contain_text("grant_type=client_credentials")
        expect(page.locator("body")).to_contain_text("Authorization: Bearer $ACCESS_TOKEN")
    finally:
        context.close()


def test_the_filter_box_narrows_the_list(page: Page) -> None:
    open_api_page(page, "admin")
    operations = page.locator("details.operation")
    total = operations.count()
    assert total > 100
    assert_accessible(page)  # every group listed, every operation collapsed
    status = page.locator("#api-filter-status")
    expect(status).to_have_text(f"{total} operations")
    box = page.get_by_label("Filter operations")
    box.fill("graphql")
    expect(page.locator("details.operation:visible")).to_have_count(1)
    expect(page.locator("details#post-graphql")).to_be_visible()
    expect(status).to_have_text(f"1 of {total} operations")
    toc = page.get_by_role("navigation", name="Groups")
    expect(toc.get_by_role("link", name="Camunda Tasklist GraphQL")).to_be_visible()
    expect(toc.get_by_role("link", name="OptimaJet Workflow API")).to_be_hidden()
    box.fill("workflowapi createinstance")
    expect(page.locator("details.operation:visible")).to_have_count(2)  # GET and POST
    box.fill("no such operation anywhere")
    expect(page.get_by_text("No operation matches.")).to_be_visible()
    box.fill("")
    expect(page.locator("details.operation:visible")).to_have_count(total)
    assert_no_script_errors(page)


def test_a_link_to_an_operation_opens_it(page: Page) -> None:
    log_in(page, "admin", next_path="/console/api")
    page.goto(f"/console/api#{START}")
    expect(page.locator(f"details#{START}")).to_have_attribute("open", "")
    expect(page.locator(f"details#{START}").get_by_role("button", name="Send request")).to_be_visible()


def test_phone_width(page: Page) -> None:
    page.set_viewport_size({"width": 390, "height": 844})
    open_api_page(page, "clerk")
    start = operation(page, START)
    start.get_by_label("JSON body").fill(json.dumps({"definitionKey": "user_task"}))
    start.get_by_role("button", name="Send request").click()
    expect(start.locator("[data-result-status]")).to_have_text(re.compile(r"^Status 201"))
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 1, f"the page scrolls sideways by {overflow}px at phone width"
    assert_accessible(page)
    screenshot(page, "api-phone")
    assert_no_script_errors(page)
