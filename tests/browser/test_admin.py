"""The administration pages in a real browser: a client created here gets tokens over raw HTTP."""

from __future__ import annotations

import httpx
from playwright.sync_api import Page, expect

from tests.browser.conftest import (
    PASSWORD,
    Console,
    assert_accessible,
    assert_no_script_errors,
    log_in,
    screenshot,
)


def token_response(console: Console, client_id: str, secret: str) -> httpx.Response:
    """The token endpoint's answer to a client-credentials request, over plain HTTP."""
    return httpx.post(
        f"{console.url}/connect/token",
        data={"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret},
        timeout=30,
    )


def confirm(page: Page) -> None:
    """Say yes in the console's confirmation dialog."""
    dialog = page.locator("#confirm-dialog")
    expect(dialog).to_be_visible()
    dialog.get_by_role("button", name="Confirm").click()


def test_a_client_created_in_the_browser_gets_a_token_and_rotating_at_once_ends_the_old_secret(
    page: Page, console: Console
) -> None:
    log_in(page, "admin", next_path="/console/clients")
    expect(page.get_by_role("heading", name="Clients", exact=True)).to_be_visible()
    page.get_by_role("link", name="Register a client").click()
    expect(page.get_by_role("heading", name="Register a client")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Name").fill("Invoice robot")
    page.get_by_label("Client id").fill("invoice-robot")
    page.get_by_label("Profile").select_option("ObjectRead")
    page.get_by_label("instances:start").check()
    page.get_by_role("button", name="Register the client").click()

    expect(page.get_by_role("heading", name="Client Invoice robot registered")).to_be_visible()
    expect(page.locator("#secret-warning")).to_contain_text("will not be shown again")
    expect(page.get_by_role("button", name="Copy secret")).to_be_visible()
    expect(page.locator("#token-example")).to_contain_text(f"{console.url}/connect/token")
    secret = page.locator("#client-secret").inner_text().strip()
    assert len(secret) >= 40
    assert_accessible(page)
    screenshot(page, "admin-client-created")

    issued = token_response(console, "invoice-robot", secret)
    assert issued.status_code == 200, issued.text
    access = issued.json()["access_token"]
    listed = httpx.get(
        f"{console.url}/api/v1/process-definitions", headers={"Authorization": f"Bearer {access}"}, timeout=30
    )
    assert listed.status_code == 200, listed.text
    assert "items" in listed.json()

    page.get_by_role("link", name="Go to the client's page").click()
    expect(page.get_by_role("heading", name="Client Invoice robot")).to_be_visible()
    page.reload()
    expect(page.locator("#effective-permissions")).to_contain_text("instances:start")
    assert secret not in page.content()
    assert_accessible(page)
    screenshot(page, "admin-client")

    page.get_by_label("stops working at once").check()
    page.get_by_role("button", name="Rotate the secret").click()
    confirm(page)
    expect(page.get_by_role("heading", name="New secret for Invoice robot")).to_be_visible()
    expect(page.locator("dl.facts")).to_contain_text("no longer accepted")
    new_secret = page.locator("#client-secret").inner_text().strip()
    assert new_secret != secret
    refused = token_response(console, "invoice-robot", secret)
    assert refused.status_code == 401, refused.text
    assert token_response(console, "invoice-robot", new_secret).status_code == 200

    page.goto("/console/clients")
    row = page.get_by_role("row").filter(has_text="invoice-robot")
    expect(row).to_contain_text("enabled")
    assert new_secret not in page.content()
    assert_accessible(page)
    screenshot(page, "admin-clients")
    assert_no_script_errors(page)


def test_disable_then_delete_a_client_each_after_a_confirmation(page: Page, console: Console) -> None:
    created = console.api.post("/api/v1/admin/clients", json={"name": "Temp", "clientId": "temp-client"})
    assert created.status_code == 201, created.text
    secret = created.json()["clientSecret"]
    log_in(page, "admin", next_path="/console/clients/temp-client")
    page.get_by_role("button", name="Disable").click()
    page.locator("#confirm-dialog").get_by_role("button", name="Cancel").click()
    expect(page.get_by_role("button", name="Disable")).to_be_visible()  # nothing happened
    page.get_by_role("button", name="Disable").click()
    confirm(page)
    expect(page.get_by_role("status")).to_contain_text("disabled")
    expect(page.locator("dl.facts")).to_contain_text("disabled")
    assert token_response(console, "temp-client", secret).status_code == 401
    page.get_by_role("button", name="Delete").click()
    confirm(page)
    expect(page).to_have_url(f"{console.url}/console/clients")
    expect(page.get_by_role("status")).to_contain_text("Client temp-client is deleted.")
    assert console.api.get("/api/v1/admin/clients/temp-client").status_code == 404


def test_a_clerk_sees_no_admin_menu_and_gets_a_403_page(page: Page, console: Console) -> None:
    log_in(page, "clerk")
    nav = page.get_by_role("navigation", name="Main")
    expect(nav.get_by_role("link", name="Dashboard")).to_be_visible()
    for label in ("Clients", "Users", "Keys", "Environments", "Audit"):
        expect(nav.get_by_role("link", name=label)).to_have_count(0)
    response = page.goto("/console/clients")
    assert response is not None and response.status == 403
    expect(page.get_by_role("alert")).to_contain_text("admin:clients")
    assert_accessible(page)


def test_users_create_edit_lock_and_delete(page: Page, console: Console) -> None:
    log_in(page, "admin", next_path="/console/users")
    expect(page.get_by_role("row").filter(has_text="clerk")).to_contain_text("ObjectReadWrite")
    assert_accessible(page)
    screenshot(page, "admin-users")
    page.get_by_role("link", name="Create a user").click()
    page.get_by_label("Username").fill("dora")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_label("Groups").fill("managers, auditors")
    page.get_by_label("Profile").select_option("ObjectRead")
    assert_accessible(page)
    page.get_by_role("button", name="Create the user").click()

    expect(page.get_by_role("heading", name="User dora")).to_be_visible()
    expect(page.locator("dl.facts")).to_contain_text("managers, auditors")
    assert_accessible(page)
    screenshot(page, "admin-user")
    page.get_by_label("Groups").fill("auditors")
    page.get_by_label("tasks:complete").check()
    page.get_by_role("button", name="Save the changes").click()
    expect(page.get_by_role("status")).to_contain_text("The user is changed")
    expect(page.locator("dl.facts")).to_contain_text("auditors")
    expect(page.locator("#effective-permissions")).to_contain_text("tasks:complete")

    page.get_by_role("button", name="Lock").click()
    confirm(page)
    expect(page.locator("dl.facts")).to_contain_text("locked")
    credentials = {"username": "dora", "password": PASSWORD}
    login = httpx.post(f"{console.url}/api/login", json=credentials, timeout=30)
    assert login.status_code == 401
    page.get_by_role("button", name="Unlock").click()
    confirm(page)
    expect(page.locator("dl.facts")).to_contain_text("active")

    page.get_by_role("button", name="Delete").click()
    confirm(page)
    expect(page.get_by_role("status")).to_contain_text("User dora is deleted.")
    expect(page.get_by_role("row").filter(has_text="dora")).to_have_count(0)
    assert_no_script_errors(page)


def test_keys_rotate_and_environments_create_and_delete(page: Page, console: Console) -> None:
    httpx.get(f"{console.url}/.well-known/jwks.json", timeout=30)  # the server has its first key
    log_in(page, "admin", next_path="/console/keys")
    rows = page.locator("tbody tr")
    before = rows.count()
    page.get_by_role("button", name="Rotate the signing key").click()
    confirm(page)
    expect(page.get_by_role("status")).to_contain_text("A new signing key is active")
    expect(rows).to_have_count(before + 1)
    expect(rows.first).to_contain_text("active")
    expect(rows.nth(1)).to_contain_text("retiring")
    assert_accessible(page)
    screenshot(page, "admin-keys")

    page.goto("/console/environments")
    page.get_by_label("New environment").fill("sandbox-a")
    page.get_by_role("button", name="Create").click()
    expect(page.get_by_role("status")).to_contain_text("Environment sandbox-a is created.")
    expect(page.get_by_role("row").filter(has_text="sandbox-a")).to_be_visible()
    assert_accessible(page)
    screenshot(page, "admin-environments")
    page.get_by_role("button", name="Delete sandbox-a").click()
    confirm(page)
    expect(page.get_by_role("status")).to_contain_text("Environment sandbox-a is deleted.")
    expect(page.get_by_role("row").filter(has_text="sandbox-a")).to_have_count(0)
    assert_no_script_errors(page)


def test_the_audit_log_filters_by_event_subject_and_days_and_shows_details(
    page: Page, console: Console
) -> None:
    for n in range(3):
        body = {"name": f"Audited {n}", "clientId": f"audited-{n}"}
        assert console.api.post("/api/v1/admin/clients", json=body).status_code == 201
    log_in(page, "admin", next_path="/console/audit")
    expect(page.get_by_role("heading", name="Audit log")).to_be_visible()
    page.get_by_label("Event").fill("client.created")
    page.get_by_role("button", name="Filter").click()
    expect(page).to_have_url(
        f"{console.url}/console/audit?subject=&event=client.created&environment=&occurredFrom=&occurredTo="
    )
    rows = page.locator("tbody tr")
    expect(rows.filter(has_text="audited-2")).to_have_count(1)
    expect(rows.filter(has_text="audited-1")).to_have_count(1)
    expect(page.locator("tbody td.mono").filter(has_text="user.created")).to_have_count(0)
    first = rows.filter(has_text="audited-2")
    first.get_by_text("Details").click()
    expect(first.locator("pre")).to_contain_text('"name": "Audited 2"')
    assert_accessible(page)
    screenshot(page, "admin-audit")

    page.get_by_label("Subject").fill("audited-1")
    page.get_by_label("From").fill("2000-01-01")
    page.get_by_label("To").fill("2999-12-31")
    page.get_by_role("button", name="Filter").click()
    expect(rows.filter(has_text="audited-1")).to_have_count(1)
    expect(rows.filter(has_text="audited-2")).to_have_count(0)
    expect(page.get_by_label("From")).to_have_value("2000-01-01")
    assert_no_script_errors(page)  # before the 400 below, which the browser logs as a failed load
    page.get_by_label("To").fill("1999-12-31")
    page.get_by_role("button", name="Filter").click()
    expect(page.get_by_role("alert")).to_contain_text("ends before it starts")
    expect(page.get_by_label("Subject")).to_have_value("audited-1")
    assert_accessible(page)


def test_the_client_pages_work_at_phone_width(page: Page, console: Console) -> None:
    page.set_viewport_size({"width": 390, "height": 844})
    log_in(page, "admin", next_path="/console/clients/new")
    page.get_by_label("Name").fill("Phone robot")
    page.get_by_role("button", name="Register the client").click()
    expect(page.get_by_role("button", name="Copy secret")).to_be_visible()
    assert_accessible(page)
    screenshot(page, "admin-client-created-phone")
    page.goto("/console/clients")
    expect(page.get_by_role("cell", name="Phone robot")).to_be_visible()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page is {width} px wide: only the table may scroll"
    assert_accessible(page)
    screenshot(page, "admin-clients-phone")
