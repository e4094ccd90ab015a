"""Browser tests: Playwright driving Debian's Chromium (headless) against a real server process.

One server serves the module's tests (starting it and the browser is the slow part); each test
gets a fresh browser context, so cookies never leak between tests. Screenshots of the pages go to
``tests/browser/screenshots/`` (git-ignored) for people to look at; nothing compares them.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright

from tests.e2e.server import LiveServer
from tests.helpers import AUTH, FIXTURES

SCREENSHOTS = Path(__file__).parent / "screenshots"
PASSWORD = "correct horse battery"
USERS = {
    "admin": {"profile": "Admin", "groups": ["managers"]},
    "clerk": {"profile": "ObjectReadWrite", "groups": ["managers"]},
    "reader": {"profile": "ObjectRead", "groups": []},
}
# Debian's package; the tests never download a browser (the machine has no internet).
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def chromium_path() -> str:
    path = os.environ.get("FLOWPORT_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    if path is None:
        pytest.fail("Chromium is not installed: `apt-get install chromium` (.ci/run does it)")
    return path


class Console:
    """The server under test, its API (static admin token) and the console's people."""

    def __init__(self, server: LiveServer) -> None:
        self.server = server
        self.url = server.url
        self.api = httpx.Client(base_url=server.url, headers=AUTH, timeout=30)

    def create_user(self, username: str, profile: str, groups: list[str]) -> None:
        body = {"username": username, "password": PASSWORD, "profile": profile, "groups": groups}
        response = self.api.post("/api/v1/admin/users", json=body)
        assert response.status_code == 201, response.text

    def deploy(self, name: str) -> dict[str, Any]:
        response = self.api.post(
            "/api/v1/process-definitions",
            content=(FIXTURES / name).read_bytes(),
            headers={"content-type": "application/xml"},
        )
        assert response.status_code in (200, 201), response.text
        definition: dict[str, Any] = response.json()["definitions"][0]
        return definition

    def start(self, key: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        body = {"definitionKey": key, "variables": variables or {}}
        response = self.api.post("/api/v1/process-instances", json=body)
        assert response.status_code == 201, response.text
        instance: dict[str, Any] = response.json()
        return instance


@pytest.fixture(scope="module")
def console(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Console]:
    with LiveServer(tmp_path_factory.mktemp("console")) as server:
        running = Console(server)
        with running.api:
            for username, spec in USERS.items():
                running.create_user(username, spec["profile"], spec["groups"])
            yield running


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Chromium for one test module. Not for the session: Playwright's sync API keeps an event
    loop running in this thread while it is on, and later tests that call ``asyncio.run`` (the
    SDK's async client, the server's shutdown) would find it."""
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def context(browser: Browser, console: Console) -> Iterator[BrowserContext]:
    created = browser.new_context(base_url=console.url, viewport={"width": 1280, "height": 900})
    created.set_default_timeout(15_000)
    yield created
    created.close()


@pytest.fixture
def page(context: BrowserContext) -> Page:
    opened = context.new_page()
    errors: list[str] = []
    opened.on("pageerror", lambda error: errors.append(str(error)))
    opened.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    opened.script_errors = errors  # type: ignore[attr-defined]
    return opened


def log_in(page: Page, username: str, password: str = PASSWORD, *, next_path: str = "/console/") -> None:
    """Fill the login form as a person would and wait for the page it leads to."""
    page.goto(f"/console/login?next={next_path}")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"**{next_path}")


def screenshot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


_AXE = Axe()


def assert_accessible(page: Page) -> None:
    """axe-core finds no serious or critical violation on the page as it is now."""
    results = _AXE.run(page)
    serious = [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
        for v in results.response["violations"]
        if v.get("impact") in ("serious", "critical")
    ]
    assert not serious, "\n".join(serious)


def assert_no_script_errors(page: Page) -> None:
    """No script failed and nothing was refused by the Content-Security-Policy."""
    errors: list[str] = page.script_errors  # type: ignore[attr-defined]
    assert not errors, errors
