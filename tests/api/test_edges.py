"""Each edge answers domain errors in its own shape; every route publishes its permission itself."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated, Any

import pytest
from fastapi import APIRouter, Depends, FastAPI, Query, Request, Response
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from pydantic import BaseModel

from flowport.api.app import API_ROUTERS, create_app
from flowport.api.deps import UseCaseContext, require, route_permission
from flowport.api.edge import EdgeRoute
from flowport.config import Settings
from flowport.errors import FlowportError
from flowport.services import instances
from tests.helpers import AUTH


class EnvelopeTranslator:
    """A product-style envelope: HTTP 200 for every handled failure (as OptimaJet's API answers)."""

    def translate(self, request: Request, error: FlowportError) -> Response:
        body = {"success": False, "data": None, "error": type(error).__name__, "message": error.detail}
        return JSONResponse(body)


class EnvelopeRoute(EdgeRoute):
    translator = EnvelopeTranslator()


class Note(BaseModel):
    text: str


envelope = APIRouter(prefix="/test-envelope", route_class=EnvelopeRoute)
Reader = Annotated[UseCaseContext, Depends(require("instances:read"))]


@envelope.get("/instances/{instance_id}")
def envelope_instance(instance_id: str, use: Reader, limit: Annotated[int, Query()] = 1) -> dict[str, Any]:
    view = instances.get(use.services, use.actor, instance_id)
    return {"success": True, "data": {"id": view.id}, "error": None, "message": None}


@envelope.post("/notes")
def envelope_note(note: Note, use: Reader) -> dict[str, Any]:
    return {"success": True, "data": note.text, "error": None, "message": None}


@pytest.fixture
def app(settings: Settings) -> FastAPI:
    """The real app plus a test-only edge mounted beside the native API."""
    app = create_app(settings)
    app.include_router(envelope)
    return app


@pytest.fixture
def both(app: FastAPI) -> Iterator[tuple[TestClient, TestClient]]:
    """An authenticated and an anonymous client of the same app."""
    with TestClient(app, headers=AUTH) as authenticated, TestClient(app) as anonymous:
        yield authenticated, anonymous


def test_a_domain_error_comes_out_in_each_edges_shape(both: tuple[TestClient, TestClient]) -> None:
    client, _ = both
    native = client.get("/api/v1/process-instances/missing")
    assert native.status_code == 404
    assert native.headers["content-type"] == "application/problem+json"
    problem = native.json()
    assert problem == {
        "type": "https://flowport.dev/problems/not-found",
        "title": "Not found",
        "status": 404,
        "detail": problem["detail"],
    }
    enveloped = client.get("/test-envelope/instances/missing")
    assert enveloped.status_code == 200
    assert enveloped.json() == {
        "success": False,
        "data": None,
        "error": "NotFound",
        "message": problem["detail"],
    }


def test_authentication_and_permission_failures_use_the_edges_shape(
    both: tuple[TestClient, TestClient],
) -> None:
    _, anonymous = both
    native = anonymous.get("/api/v1/process-instances/missing")
    assert native.status_code == 401
    assert native.headers["www-authenticate"] == 'Bearer realm="flowport"'
    enveloped = anonymous.get("/test-envelope/instances/missing")
    assert enveloped.status_code == 200
    assert enveloped.json()["error"] == "Unauthenticated"
    assert enveloped.json()["message"] == native.json()["detail"]


def test_request_faults_use_the_edges_shape(both: tuple[TestClient, TestClient]) -> None:
    client, _ = both
    native = client.get("/api/v1/process-instances", params={"limit": "many"})
    assert native.status_code == 400
    enveloped = client.get("/test-envelope/instances/x", params={"limit": "many"})
    assert enveloped.status_code == 200
    assert enveloped.json()["error"] == "InvalidRequest"
    assert enveloped.json()["message"] == native.json()["detail"]
    missing_field = client.post("/test-envelope/notes", json={})
    assert (missing_field.status_code, missing_field.json()["error"]) == (200, "InvalidRequest")
    assert missing_field.json()["message"].startswith("body.text:")
    strict = client.post(  # the strict JSON parser's fault reaches the edge's translator too
        "/test-envelope/notes",
        content=b'{"text": "a", "text": "b"}',
        headers={"content-type": "application/json"},
    )
    assert (strict.status_code, strict.json()["error"]) == (200, "InvalidJson")
    assert strict.json()["message"] == "The JSON object repeats the key 'text'"


def test_errors_outside_any_route_stay_problems(both: tuple[TestClient, TestClient]) -> None:
    client, _ = both
    unknown = client.get("/test-envelope/nothing-here")
    assert unknown.status_code == 404
    assert unknown.headers["content-type"] == "application/problem+json"
    wrong_method = client.delete("/test-envelope/notes")
    assert wrong_method.status_code == 405
    assert wrong_method.headers["content-type"] == "application/problem+json"


def test_a_router_included_outside_the_registry_still_publishes_its_permission(
    both: tuple[TestClient, TestClient],
) -> None:
    client, _ = both
    operation = client.get("/openapi.json").json()["paths"]["/test-envelope/notes"]["post"]
    assert operation["x-permission"] == "instances:read"
    assert operation["security"] == [{"oauth2": ["instances:read"]}, {"bearer": []}]


def _operations_from_routes() -> dict[tuple[str, str], str | None]:
    return {
        (method.lower(), route.path_format): route_permission(route)
        for router in API_ROUTERS
        for route in router.routes
        if isinstance(route, APIRoute) and route.include_in_schema
        for method in route.methods or ()
    }


def test_openapi_publishes_exactly_the_permissions_the_routes_declare(client: TestClient) -> None:
    """A router registered without its routes publishing their permissions fails here."""
    spec = client.get("/openapi.json").json()
    published = {
        (method, path): operation.get("x-permission")
        for path, operations in spec["paths"].items()
        for method, operation in operations.items()
    }
    declared = _operations_from_routes()
    assert published == declared
    assert sum(1 for permission in declared.values() if permission) > 30
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            permission = declared[(method, path)]
            expected = [{"oauth2": [permission]}, {"bearer": []}] if permission else None
            assert operation.get("security") == expected, (method, path)


def test_every_registered_route_belongs_to_an_edge() -> None:
    """Each route answers its domain errors through its edge's translator, not by accident."""
    routes = [route for router in API_ROUTERS for route in router.routes if isinstance(route, APIRoute)]
    assert [route.path for route in routes if not isinstance(route, EdgeRoute)] == []
