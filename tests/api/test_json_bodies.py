"""Every JSON body of the HTTP surface goes through one strict parser: bad JSON is a 400 that names the fault.

Before, a lone surrogate was stored and every later read was a 500, ``NaN`` and ``1e999`` were stored
and read back as null, a repeated key silently took the last value, and deep nesting was a 500.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from flowport.api.app import API_ROUTERS
from tests.helpers import deploy, ready_tasks, start

# name: (a JSON value as raw bytes, the fault the problem names, words its detail says)
BAD_VALUES: dict[str, tuple[bytes, str, str]] = {
    "lone surrogate in a string": (b'"\\ud800"', "lone-surrogate", "lone surrogate"),
    "lone surrogate in a key": (b'{"\\udc00x": 1}', "lone-surrogate", "lone surrogate"),
    "NaN": (b"NaN", "non-finite-number", "NaN is not a JSON number"),
    "Infinity": (b"Infinity", "non-finite-number", "Infinity is not a JSON number"),
    "-Infinity": (b"-Infinity", "non-finite-number", "-Infinity is not a JSON number"),
    "1e999": (b"1e999", "non-finite-number", "1e999 is out of range"),
    "duplicate key": (b'{"a": 1, "a": 2}', "duplicate-key", "repeats the key 'a'"),
    "1,000 deep": (b"[" * 1000 + b"]" * 1000, "too-deep", "deeper than 64 levels"),
    "50,000 deep": (b"[" * 50_000 + b"]" * 50_000, "too-deep", "deeper than 64 levels"),
    "invalid UTF-8": (b'"caf\xe9"', "invalid-utf8", "not valid UTF-8"),
    "invalid JSON": (b"tru", "invalid-json", "not valid JSON"),
}
PASSWORD = "correct horse battery"


@dataclass(frozen=True)
class World:
    instance_id: str
    task_id: str


@dataclass(frozen=True)
class JsonRouteCase:
    """A route that takes JSON: where the bad value goes, and what must not have changed."""

    method: str
    path: Callable[[World], str]
    body: Callable[[bytes], bytes]
    state: Callable[[TestClient, World], Any]
    accepted: int  # the status of the same request without the fault
    oauth: bool = False


def _instances(client: TestClient, _: World) -> int:
    return len(client.get("/api/v1/process-instances", params={"limit": 1000}).json()["items"])


CASES = {
    "start an instance": JsonRouteCase(
        "POST",
        lambda w: "/api/v1/process-instances",
        lambda v: b'{"definitionKey": "user_task", "variables": {"a": %s}}' % v,
        _instances,
        201,
    ),
    "merge variables": JsonRouteCase(
        "PATCH",
        lambda w: f"/api/v1/process-instances/{w.instance_id}/variables",
        lambda v: b'{"a": %s}' % v,
        lambda c, w: c.get(f"/api/v1/process-instances/{w.instance_id}/variables").json(),
        200,
    ),
    "complete a task": JsonRouteCase(
        "POST",
        lambda w: f"/api/v1/tasks/{w.task_id}/complete",
        lambda v: b'{"variables": {"a": %s}}' % v,
        lambda c, w: c.get(f"/api/v1/tasks/{w.task_id}").json()["state"],
        200,
    ),
    "send a message": JsonRouteCase(
        "POST",
        lambda w: "/api/v1/messages",
        lambda v: b'{"name": "StartOrder", "variables": {"a": %s}}' % v,
        _instances,
        200,
    ),
    "token endpoint": JsonRouteCase(
        "POST",
        lambda w: "/connect/token",
        lambda v: b'{"grant_type": "client_credentials", "client_id": "flowport-admin", "scope": %s}' % v,
        lambda c, w: None,
        401,
        oauth=True,
    ),
    "login": JsonRouteCase(
        "POST",
        lambda w: "/api/login",
        lambda v: b'{"username": "ann", "password": %s}' % v,
        lambda c, w: c.get("/api/v1/admin/audit", params={"event": "auth.failed"}).json()["items"],
        401,
    ),
}


@pytest.fixture
def world(client: TestClient) -> World:
    deploy(client, "user_task.bpmn")
    deploy(client, "message_start.bpmn")
    instance = start(client, "user_task", {"kept": 1})
    [task] = ready_tasks(client, instance["id"])
    user = client.post("/api/v1/admin/users", json={"username": "ann", "password": PASSWORD})
    assert user.status_code == 201, user.text
    return World(instance_id=instance["id"], task_id=task["id"])


@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_bad_json_is_refused_with_the_fault_named_and_nothing_changes(
    client: TestClient, world: World, case: JsonRouteCase
) -> None:
    before = case.state(client, world)
    for name, (value, fault, words) in BAD_VALUES.items():
        response = client.request(
            case.method,
            case.path(world),
            content=case.body(value),
            headers={"content-type": "application/json"},
        )
        assert response.status_code == 400, (name, response.text)
        body = response.json()
        if case.oauth:
            assert body["error"] == "invalid_request", name
            assert words in body["error_description"], (name, body)
        else:
            assert response.headers["content-type"] == "application/problem+json", name
            assert (body["status"], body["jsonError"]) == (400, fault), (name, body)
            assert words in body["detail"], (name, body)
    assert case.state(client, world) == before
    # the refusals come from the faults, not from the shape of the requests
    fine = client.request(
        case.method,
        case.path(world),
        content=case.body(b'"\\ud83d\\ude00 1.5e300"'),
        headers={"content-type": "application/json"},
    )
    assert fine.status_code == case.accepted, fine.text


def test_a_json_body_in_another_charset_is_refused(client: TestClient, world: World) -> None:
    response = client.patch(
        f"/api/v1/process-instances/{world.instance_id}/variables",
        content='{"a": 1}'.encode("utf-16"),
        headers={"content-type": "application/json; charset=utf-16"},
    )
    assert response.status_code == 400
    assert "charset=utf-16" in response.json()["detail"]


def test_a_repeated_top_level_field_is_refused(client: TestClient, world: World) -> None:
    response = client.post(
        "/api/v1/process-instances",
        content=b'{"definitionKey": "user_task", "businessKey": "a", "businessKey": "b"}',
        headers={"content-type": "application/json"},
    )
    assert response.status_code == 400
    assert response.json()["detail"] == "The JSON object repeats the key 'businessKey'"
    assert _instances(client, world) == 1


def test_every_route_parses_json_strictly() -> None:
    """New routes get the strict parser by being on a Flowport router; this keeps it so."""
    from flowport.api.json_route import JsonRoute  # here: the behaviour tests above run on any code

    routes = [route for router in API_ROUTERS for route in router.routes if isinstance(route, APIRoute)]
    assert routes
    assert [r.path for r in routes if not isinstance(r, JsonRoute)] == []
