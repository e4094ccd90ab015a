"""Logging in and out of the console in a real browser; an expired session goes to the login page and back."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.browser.conftest import (
    Console,
    assert_accessible,
    assert_no_script_errors,
    log_in,
    screenshot,
)


def test_a_page_asks_for_a_login_and_returns_to_it(page: Page, console: Console) -> None:
    page.goto("/console/instances?status=running")
    expect(page).to_have_url(f"{console.url}/console/login?next=/console/instances%3Fstatus%3Drunning")
    expect(page.get_by_role("heading", name="Log in to Flowport")).to_be_visible()
    assert_accessible(page)
    screenshot(page, "login")
    page.get_by_label("Username").fill("admin")
    page.get_by_label("Password").fill("correct horse battery")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/console/instances?status=running")
    assert_no_script_errors(page)


def test_wrong_password_is_refused_with_a_message(page: Page) -> None:
    page.goto("/console/login")
    page.get_by_label("Username").fill("admin")
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("alert")).to_have_text("Wrong username or password")
    expect(page.get_by_label("Username")).to_have_value("admin")


def test_logout_ends_the_session(page: Page) -> None:
    log_in(page, "clerk")
    expect(page.locator(".who .user")).to_have_text("clerk")
    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_text("You are logged out.")).to_be_visible()
    page.goto("/console/")
    expect(page).to_have_url("**/console/login?next=/console/".replace("**", page.url.split("/console")[0]))


def test_an_ended_session_sends_the_browser_to_the_login_page_and_back(page: Page) -> None:
    log_in(page, "clerk")
    page.context.clear_cookies()  # as when the session expired: the cookie no longer opens one
    page.context.add_cookies([{"name": "flowport_session", "value": "expired", "url": page.url}])
    page.goto("/console/tasks")
    expect(page.get_by_role("heading", name="Log in to Flowport")).to_be_visible()
    page.get_by_label("Username").fill("clerk")
    page.get_by_label("Password").fill("correct horse battery")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/console/tasks")


def test_menu_is_a_button_at_phone_width(page: Page) -> None:
    page.set_viewport_size({"width": 390, "height": 844})
    log_in(page, "admin")
    nav = page.get_by_role("navigation", name="Main")
    expect(nav).to_be_hidden()
    page.get_by_role("button", name="Menu").click()
    expect(nav.get_by_role("link", name="Clients")).to_be_visible()
    screenshot(page, "dashboard-phone")


def test_the_console_is_usable_with_the_keyboard_alone(page: Page, console: Console) -> None:
    """Log in, skip to the content, move through the menu and confirm an action without a mouse."""
    page.goto("/console/login")
    expect(page.get_by_label("Username")).to_be_focused()  # the form starts where typing starts
    page.keyboard.type("clerk")
    page.keyboard.press("Tab")
    page.keyboard.type("correct horse battery")
    page.keyboard.press("Enter")
    page.wait_for_url("**/console/")
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to content")).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Flowport")).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.get_by_role("navigation", name="Main").get_by_role("link", name="Dashboard")).to_be_focused()
    page.get_by_role("button", name="Log out").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_text("You are logged out.")).to_be_visible()


def test_the_error_page_is_accessible(page: Page) -> None:
    log_in(page, "admin")
    response = page.goto("/console/no-such-page")
    assert response is not None and response.status == 404
    expect(page.get_by_role("alert")).to_contain_text("There is no console page")
    assert_accessible(page)
    screenshot(page, "not-found")
