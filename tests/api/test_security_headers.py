"""Security headers on every kind of response; the docs page runs under a CSP with no inline script."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from flowport.api.app import create_app
from flowport.config import Settings
from tests.helpers import AUTH, deploy


@pytest.fixture
def lenient(settings: Settings) -> Iterator[TestClient]:
    """A client that sees a 500 as a response (the app gains a route that fails) instead of raising."""
    app: FastAPI = create_app(settings)

    @app.get("/api/v1/fails")
    def fails() -> None:
        raise RuntimeError("a defect")

    with TestClient(app, headers=AUTH, raise_server_exceptions=False) as test_client:
        yield test_client


def _responses(client: TestClient) -> dict[str, Any]:
    deploy(client, "user_task.bpmn")
    return {
        "data": client.get("/api/v1/process-instances"),
        "created": client.post("/api/v1/process-instances", json={"definitionKey": "user_task"}),
        "problem": client.get("/api/v1/process-instances/missing"),
        "unauthenticated": client.get("/api/v1/tasks", headers={"Authorization": ""}),
        "too large": client.post(
            "/api/v1/process-instances", content=b"{}", headers={"content-length": str(10**12)}
        ),
        "token error": client.post("/connect/token", data={"grant_type": "client_credentials"}),
        "failure": client.get("/api/v1/fails"),
        "metrics": client.get("/metrics"),
    }


def test_every_response_carries_nosniff_and_api_answers_are_not_stored(lenient: TestClient) -> None:
    responses = _responses(lenient)
    statuses = {name: r.status_code for name, r in responses.items()}
    assert (statuses["created"], statuses["too large"], statuses["failure"]) == (201, 413, 500)
    for name, response in responses.items():
        assert response.headers["x-content-type-options"] == "nosniff", name
        assert response.headers["cache-control"] == "no-store", name
        assert response.headers["x-frame-options"] == "DENY", name


def test_static_assets_and_the_jwks_keep_their_caching(client: TestClient) -> None:
    for path in (
        "/docs/static/swagger-ui-bundle.js",
        "/docs/static/swagger-ui.css",
        "/docs/assets/swagger-init.js",
    ):
        asset = client.get(path)
        assert asset.status_code == 200, path
        assert asset.headers["x-content-type-options"] == "nosniff", path
        assert "no-store" not in asset.headers.get("cache-control", ""), path
    jwks = client.get("/.well-known/jwks.json")
    assert jwks.headers["cache-control"] == "public, max-age=60"
    assert jwks.headers["x-content-type-options"] == "nosniff"


def _directives(policy: str) -> dict[str, list[str]]:
    parsed = (part.split() for part in policy.split(";") if part.strip())
    return {words[0]: words[1:] for words in parsed}


def test_the_docs_page_runs_under_a_policy_with_no_inline_script(client: TestClient) -> None:
    page = client.get("/docs")
    assert page.status_code == 200
    policy = _directives(page.headers["content-security-policy"])
    assert policy["script-src"] == policy["style-src"] == ["'self'"]
    assert policy["default-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert page.headers["x-frame-options"] == "DENY"
    assert page.headers["referrer-policy"] in ("no-referrer", "strict-origin")
    assert page.headers["x-content-type-options"] == "nosniff"
    scripts = re.findall(r"<script\b([^>]*)>(.*?)</script>", page.text, flags=re.S | re.I)
    assert scripts, "the page loads Swagger UI"
    assert [attrs for attrs, body in scripts if "src=" not in attrs or body.strip()] == []
    assert not re.search(r"\son[a-z]+\s*=", page.text, flags=re.I)  # no inline event handlers either
    for attrs, _ in scripts:
        src = re.search(r'src="([^"]+)"', attrs)
        assert src is not None and src.group(1).startswith("/docs/")
        served = client.get(src.group(1))
        assert served.status_code == 200
        assert "javascript" in served.headers["content-type"]  # nosniff: a script needs a script type
    init = client.get("/docs/assets/swagger-init.js").text
    assert "SwaggerUIBundle(" in init and "data-openapi-url" in init
    assert 'data-openapi-url="/openapi.json"' in page.text


def test_the_docs_may_call_the_token_endpoint_of_the_public_url(
    client: TestClient, settings: Settings
) -> None:
    policy = _directives(client.get("/docs").headers["content-security-policy"])
    public = settings.effective_public_url.rstrip("/")
    assert "'self'" in policy["connect-src"]
    assert any(public.startswith(source) for source in policy["connect-src"] if source != "'self'")
