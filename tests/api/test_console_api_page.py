"""The console's API page without a browser: it lists every operation, its code endpoint is safe."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from html import unescape

import pytest
from fastapi.testclient import TestClient

from flowport.api.app import create_app
from flowport.config import Settings
from flowport.web.api_catalog import build_catalog
from flowport.web.api_page import page_of
from flowport.web.codegen import Target
from tests.helpers import AUTH, bpmn

PASSWORD = "correct horse battery"
START = "post-api-v1-process-instances"
HOSTILE = "</code></pre><script>alert(1)</script>'\"$(id)`id`"


@pytest.fixture
def app_client(settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings)) as client:
        yield client


def log_in(client: TestClient, username: str, profile: str) -> None:
    body = {"username": username, "password": PASSWORD, "profile": profile, "groups": []}
    created = client.post("/api/v1/admin/users", json=body, headers=AUTH)
    assert created.status_code == 201, created.text
    response = client.post(
        "/console/login", data={"username": username, "password": PASSWORD}, follow_redirects=False
    )
    assert response.status_code == 303, response.text


@pytest.fixture
def admin(app_client: TestClient) -> TestClient:
    log_in(app_client, "ann", "Admin")
    return app_client


def code(client: TestClient, **params: str) -> str:
    response = client.get("/console/api/code", params=params)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain")
    return response.text


def test_every_operation_of_the_catalog_is_on_the_page(admin: TestClient) -> None:
    response = admin.get("/console/api")
    assert response.status_code == 200
    assert "script-src 'self'" in response.headers["content-security-policy"]
    catalog = build_catalog(admin.app.openapi())  # type: ignore[attr-defined]
    ids = set(re.findall(r'<details class="operation" id="([^"]+)"', response.text))
    assert ids == {op.id for op in catalog.operations()}
    assert len(ids) > 100
    for group in catalog.groups:
        assert f'href="#{group.id}"' in response.text  # the table of contents
    # Only the page's own two script files: everything else is escaped text.
    assert re.findall(r"<script[^>]*>", response.text) == [
        '<script src="/console/static/api.js" defer>',
        '<script src="/console/static/console.js" defer>',
    ]


def test_the_page_embeds_no_code_but_links_every_target_as_plain_text(admin: TestClient) -> None:
    response = admin.get("/console/api")
    size = len(response.content)
    assert size < 500_000, f"the API page weighs {size} bytes"  # it was 1.76 MB with all the code
    page = response.text
    # No code block and no code text: closed operations carry none (the browser fetches it).
    assert "data-code=" not in page and "<pre><code" not in page and "<code id=" not in page
    assert "grant_type=client_credentials" not in page and "Authorization: Bearer" not in page
    assert "Send request" not in page.split("<template", 1)[0]  # the send part is cloned when opened
    catalog = build_catalog(admin.app.openapi())  # type: ignore[attr-defined]
    links = set(re.findall(r'href="/console/api/code\?operation=([^"&]+)&amp;target=([^"]+)"', page))
    assert links == {(op.id, t.value) for op in catalog.operations() for t in Target}
    start = page.split(f'id="{START}"', 1)[1].split("</details>", 1)[0]
    href = re.findall(r'href="(/console/api/code\?[^"]+target=curl)"', start)[0]
    curl = code(admin, **dict(pair.split("=", 1) for pair in unescape(href).split("?", 1)[1].split("&")))
    assert "grant_type=client_credentials" in curl and '"definitionKey"' in curl  # the example


def test_the_page_carries_the_session_csrf_token_that_the_api_accepts(
    admin: TestClient, settings: Settings
) -> None:
    admin.post(
        "/api/v1/process-definitions",
        content=bpmn("user_task.bpmn"),
        headers={**AUTH, "content-type": "application/xml"},
    )
    page = admin.get("/console/api").text
    match = re.search(r'<meta name="csrf-token" content="([^"]+)">', page)
    assert match is not None
    body = {"definitionKey": "user_task"}
    refused = admin.post("/api/v1/process-instances", json=body)  # the cookie alone: no
    assert refused.status_code == 403
    started = admin.post(
        "/api/v1/process-instances", json=body, headers={"x-csrf-token": unescape(match.group(1))}
    )
    assert started.status_code == 201, started.text
    assert started.headers["location"] == f"/api/v1/process-instances/{started.json()['id']}"
    assert f"{settings.effective_public_url}/connect/token" in page  # the base URL of the code


def test_the_page_says_which_permissions_the_viewer_holds(app_client: TestClient) -> None:
    log_in(app_client, "rita", "ObjectRead")
    page = app_client.get("/console/api").text
    start = page.split(f'id="{START}"', 1)[1].split("</details>", 1)[0]
    assert "instances:start" in start and "you do not hold it" in start
    listing = page.split('id="get-api-v1-process-instances"', 1)[1].split("</details>", 1)[0]
    assert "you hold it" in listing


@pytest.mark.parametrize("target", [t.value for t in Target])
def test_the_code_endpoint_writes_every_target_with_the_token_request(
    admin: TestClient, settings: Settings, target: str
) -> None:
    text = code(
        admin, operation=START, target=target, body='{"definitionKey": "order-42"}', client_id="billing"
    )
    assert "order-42" in text and "billing" in text
    assert f"{settings.effective_public_url}/connect/token" in text
    assert "FLOWPORT_CLIENT_SECRET" in text  # the secret is read from the environment
    public = code(admin, operation="get-healthz", target=target)
    assert "/healthz" in public and "FLOWPORT_CLIENT_SECRET" not in public


def all_code(client: TestClient, **params: str) -> dict[str, str]:
    response = client.get("/console/api/code/all", params=params)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert body["operation"] == params["operation"]
    assert [s["target"] for s in body["snippets"]] == [t.value for t in Target]  # the tabs' order
    return {s["target"]: s["code"] for s in body["snippets"]}


def test_the_lazy_endpoint_gives_every_target_of_an_operation_at_once(
    admin: TestClient, settings: Settings
) -> None:
    example = all_code(admin, operation=START)
    token_url = f"{settings.effective_public_url}/connect/token"
    for target in Target:
        assert token_url in example[target.value], target  # every target gets a token first
        assert "/api/v1/process-instances" in example[target.value] or target is Target.PYTHON_SDK
        assert example[target.value] == code(admin, operation=START, target=target.value)
    # What the opened form holds: the same values as /code, in one request.
    typed = all_code(admin, operation=START, body='{"definitionKey": "order-42"}', client_id="billing")
    assert all("order-42" in text and "billing" in text for text in typed.values())
    assert "FLOWPORT_CLIENT_SECRET" in typed["curl"]
    public = all_code(admin, operation="get-healthz")
    assert all("/healthz" in text and token_url not in text for text in public.values())


def test_the_lazy_endpoint_refuses_bad_requests(admin: TestClient, app_client: TestClient) -> None:
    bad_json = admin.get("/console/api/code/all", params={"operation": START, "body": "{"})
    assert bad_json.status_code == 400 and "not valid JSON" in bad_json.json()["detail"]
    unknown = admin.get("/console/api/code/all", params={"operation": "no-such-operation"})
    assert unknown.status_code == 404 and unknown.headers["content-type"].startswith("text/html")
    hostile = admin.get("/console/api/code/all", params={"operation": START, "client_id": HOSTILE})
    assert hostile.status_code == 200
    assert hostile.headers["content-type"].startswith("application/json")
    assert hostile.headers["x-content-type-options"] == "nosniff"
    # The same code (and escaping) as the plain-text endpoint; the page inserts it with textContent.
    for snippet in hostile.json()["snippets"]:
        assert snippet["code"] == code(admin, operation=START, target=snippet["target"], client_id=HOSTILE)
    admin.cookies.clear()
    gone = admin.get(f"/console/api/code/all?operation={START}", follow_redirects=False)
    assert gone.status_code == 303 and gone.headers["location"].startswith("/console/login")


def test_the_code_uses_path_query_and_form_values_and_never_a_secret(admin: TestClient) -> None:
    text = code(
        admin,
        operation="get-api-v1-process-instances-instance-id-history",
        target="curl",
        **{"path.instance_id": "a/b", "query.limit": "7", "query.cursor": "", "query.unknown": "x"},
    )
    assert "/api/v1/process-instances/a%2Fb/history?limit=7" in text
    assert "unknown" not in text and "cursor" not in text
    token = code(
        admin,
        operation="post-connect-token",
        target="python-requests",
        **{"form.grant_type": "client_credentials", "form.client_id": "app", "form.client_secret": "s3cret!"},
    )
    assert "s3cret!" not in token and 'os.environ["FLOWPORT_CLIENT_SECRET"]' in token
    login = code(
        admin, operation="post-api-login", target="curl", **{"form.username": "u", "form.password": "pw!"}
    )
    assert "pw!" not in login and "FLOWPORT_PASSWORD" in login


def test_hostile_values_stay_data(admin: TestClient) -> None:
    response = admin.get(
        "/console/api/code",
        params={
            "operation": START,
            "target": "javascript-fetch",
            "body": json.dumps({"definitionKey": "x", "variables": {"note": HOSTILE}}),
            "client_id": HOSTILE,
        },
    )
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    assert response.headers["x-content-type-options"] == "nosniff"  # never sniffed as a page
    assert "default-src 'none'" in response.headers["content-security-policy"]
    assert response.text.count(json.dumps(HOSTILE)) == 2  # JavaScript string literals: data, not code
    path = code(
        admin,
        operation="get-api-v1-process-instances-instance-id",
        target="curl",
        **{"path.instance_id": HOSTILE},
    )
    assert "<script>" not in path  # percent-encoded into one path segment
    assert "%3C%2Fcode%3E%3C%2Fpre%3E%3Cscript%3E" in path


def test_bad_requests_for_code(admin: TestClient) -> None:
    unknown = admin.get("/console/api/code", params={"operation": "no-such-operation", "target": "curl"})
    assert unknown.status_code == 404
    assert unknown.headers["content-type"].startswith("text/html")
    assert "no-such-operation" in unknown.text
    bad_target = admin.get("/console/api/code", params={"operation": START, "target": "cobol"})
    assert bad_target.status_code == 400
    bad_json = admin.get("/console/api/code", params={"operation": START, "target": "curl", "body": "{"})
    assert bad_json.status_code == 400 and "not valid JSON" in bad_json.text
    header = admin.get(
        "/console/api/code",
        params={"operation": "get-api-v1-tasks", "target": "curl", "header.x": "1\r\nX: 2"},
    )
    assert header.status_code == 200  # undeclared headers are not taken at all


def test_the_page_and_the_code_need_a_login(app_client: TestClient) -> None:
    for path in ("/console/api", f"/console/api/code?operation={START}&target=curl"):
        response = app_client.get(path, follow_redirects=False)
        assert response.status_code == 303
        assert response.headers["location"].startswith("/console/login?next=/console/api")


def test_the_catalog_is_built_once_per_app(admin: TestClient, settings: Settings) -> None:
    app = admin.app
    first = page_of(app, settings.effective_public_url)  # type: ignore[arg-type]
    assert page_of(app, settings.effective_public_url) is first  # type: ignore[arg-type]
    assert first.views[START].body_text.startswith("{")
    # The opened operation's code for the example's values is the code built with the catalog.
    cached = {s.target: s.code for s in first.views[START].snippets}
    view = first.views[START]
    assert all_code(admin, operation=START, body=view.body_text) == cached
    assert all_code(admin, operation=START) == cached
