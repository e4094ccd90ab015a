"""Operational surface: health, readiness, metrics, OpenAPI, self-hosted docs, limits, errors."""

from __future__ import annotations

from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from flowport.api.app import API_ROUTERS
from flowport.api.deps import route_permission
from flowport.api.routers import oauth, session
from flowport.web.console import ConsoleRoute
from tests.helpers import deploy, ready_tasks, start

UNGUARDED = {"/healthz", "/readyz", *oauth.PUBLIC_PATHS, *session.PUBLIC_PATHS}


def test_health_and_readiness(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    assert client.get("/readyz").json() == {"status": "ready"}


def test_metrics_count_instances_and_requests(client: TestClient) -> None:
    deploy(client, "user_task.bpmn")
    instance = start(client, "user_task")
    client.post(f"/api/v1/tasks/{ready_tasks(client, instance['id'])[0]['id']}/complete", json={})
    text = client.get("/metrics").text
    assert "flowport_instances_started_total 1" in text
    assert "flowport_tasks_completed_total 1" in text
    assert (
        'flowport_http_requests_total{method="POST",route="/api/v1/process-instances",status="201"} 1' in text
    )
    assert "flowport_http_request_seconds_bucket" in text


def test_every_api_route_declares_a_permission_in_openapi(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    missing = []
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            if path not in UNGUARDED and "x-permission" not in operation:
                missing.append(f"{method.upper()} {path}")
    assert missing == []
    for router in API_ROUTERS:
        for route in router.routes:
            # console pages check the permission of each thing they show or do (tests/api/test_console_*)
            if (
                isinstance(route, APIRoute)
                and route.path not in UNGUARDED
                and not isinstance(route, ConsoleRoute)
            ):
                assert route_permission(route), route.path
    start = spec["paths"]["/api/v1/process-instances"]["post"]
    assert start["x-permission"] == "instances:start"
    # The docs' "Authorize" button gets a token with client credentials, scoped to what is needed.
    assert start["security"] == [{"oauth2": ["instances:start"]}, {"bearer": []}]
    schemes = spec["components"]["securitySchemes"]
    flow = schemes["oauth2"]["flows"]["clientCredentials"]
    assert flow["tokenUrl"].endswith("/connect/token") and "instances:start" in flow["scopes"]
    assert schemes["bearer"] == {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}
    assert "security" not in spec["paths"]["/healthz"]["get"]


def test_docs_are_self_hosted(client: TestClient) -> None:
    page = client.get("/docs")
    assert page.status_code == 200
    assert "/docs/static/swagger-ui-bundle.js" in page.text
    assert "cdn" not in page.text.lower()
    assert client.get("/docs/static/swagger-ui-bundle.js").status_code == 200


def test_oversized_body_is_413_problem(client: TestClient) -> None:
    huge = {"definitionKey": "x", "variables": {"blob": "x" * (11 * 1024 * 1024)}}
    response = client.post("/api/v1/process-instances", json=huge)
    assert response.status_code == 413
    assert response.json()["status"] == 413


def test_unknown_route_and_wrong_method_are_problems(client: TestClient) -> None:
    missing = client.get("/api/v1/nothing-here")
    assert missing.status_code == 404
    assert missing.headers["content-type"] == "application/problem+json"
    wrong = client.delete("/api/v1/tasks")
    assert wrong.status_code == 405
