"""Problem documents become exceptions that carry what the caller needs to act."""

from __future__ import annotations

import httpx
import pytest

from flowport.client import (
    ApiError,
    Conflict,
    InvalidDefinition,
    InvalidRequest,
    NotFound,
    PermissionDenied,
    RateLimited,
    ServerError,
    ServiceUnavailable,
)
from tests.unit.sdk.fake_server import FakeServer, problem

PATH = "/api/v1/process-instances/i-1"


def _raised(answer: httpx.Response) -> ApiError:
    server = FakeServer()
    server.route("GET", PATH, answer)
    with server.client(retries=0) as client, pytest.raises(ApiError) as raised:
        client.instances.get("i-1")
    return raised.value


def test_404_is_not_found_with_the_servers_detail() -> None:
    error = _raised(problem(404, "Not found", "No process instance i-1"))
    assert isinstance(error, NotFound)
    assert (error.status, error.title, error.detail) == (404, "Not found", "No process instance i-1")
    assert str(error) == "404 Not found: No process instance i-1"


def test_409_is_conflict_with_the_current_version() -> None:
    error = _raised(problem(409, "Conflict", "changed meanwhile", currentVersion=7))
    assert isinstance(error, Conflict)
    assert error.current_version == 7


def test_403_names_the_missing_permission() -> None:
    error = _raised(problem(403, "Forbidden", "needs instances:read", missingPermission="instances:read"))
    assert isinstance(error, PermissionDenied)
    assert error.missing_permission == "instances:read"


def test_422_names_the_element_and_line() -> None:
    error = _raised(problem(422, "Invalid process definition", "no target", elementId="flow_1", line=12))
    assert isinstance(error, InvalidDefinition)
    assert (error.element_id, error.line) == ("flow_1", 12)


def test_429_carries_retry_after_in_seconds() -> None:
    error = _raised(problem(429, "Too many requests", headers={"Retry-After": "17"}))
    assert isinstance(error, RateLimited)
    assert error.retry_after == 17


def test_400_names_the_json_rule() -> None:
    error = _raised(problem(400, "Invalid request", "repeated key", jsonError="duplicate-key"))
    assert isinstance(error, InvalidRequest)
    assert error.json_error == "duplicate-key"


def test_503_and_500_are_server_errors() -> None:
    assert isinstance(_raised(problem(503, "Unavailable", headers={"Retry-After": "2"})), ServiceUnavailable)
    error = _raised(problem(500, "Internal server error"))
    assert isinstance(error, ServerError)
    assert not isinstance(error, ServiceUnavailable)


def test_an_answer_that_is_not_a_problem_document_is_still_an_error() -> None:
    error = _raised(httpx.Response(502, text="<html>Bad gateway</html>"))
    assert isinstance(error, ServerError)
    assert error.status == 502
    assert "Bad gateway" in error.detail
