"""Retries: idempotent calls retry on connection errors and 503; others never retry silently."""

from __future__ import annotations

import httpx
import pytest

from flowport.client import ServiceUnavailable, TransportError
from tests.unit.sdk.fake_server import FakeServer, instance_json, job_json, problem


def _refusing(times: int, then: httpx.Response) -> object:
    calls = {"n": 0}

    def answer(request: httpx.Request) -> httpx.Response:
        calls["n"] += 1
        if calls["n"] <= times:
            raise httpx.ConnectError("connection refused", request=request)
        return then

    return answer


def test_a_get_retries_connection_errors() -> None:
    server = FakeServer()
    server.route(
        "GET", "/api/v1/process-instances/i-1", _refusing(2, httpx.Response(200, json=instance_json()))
    )  # type: ignore[arg-type]
    with server.client(retries=3) as client:
        assert client.instances.get("i-1").id == "i-1"


def test_a_get_gives_up_after_its_retries() -> None:
    server = FakeServer()
    server.route("GET", "/api/v1/process-instances/i-1", _refusing(10, httpx.Response(200)))  # type: ignore[arg-type]
    with server.client(retries=2) as client, pytest.raises(TransportError) as raised:
        client.instances.get("i-1")
    assert "GET /api/v1/process-instances/i-1" in str(raised.value)
    assert isinstance(raised.value.__cause__, httpx.ConnectError)


def test_a_post_is_not_retried_after_a_connection_error() -> None:
    server = FakeServer()
    attempts: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        attempts.append(request)
        raise httpx.ReadTimeout("no answer", request=request)  # it may have been applied

    server.route("POST", "/api/v1/process-instances", answer)
    with server.client(retries=3) as client, pytest.raises(TransportError):
        client.instances.start("approval")
    assert len(attempts) == 1


def test_a_get_retries_503_and_honours_retry_after() -> None:
    server = FakeServer()
    busy = problem(503, "Unavailable", headers={"Retry-After": "3"})
    server.route("GET", "/api/v1/process-instances/i-1", [busy, httpx.Response(200, json=instance_json())])
    waits: list[float] = []
    with server.client(retries=3) as client:
        client._sleep = waits.append  # type: ignore[method-assign]
        client.instances.get("i-1")
    assert waits == [3.0]


def test_a_post_answered_503_raises_at_once() -> None:
    server = FakeServer()
    server.route("POST", "/api/v1/tasks/t-1/complete", problem(503, "Unavailable"))
    with server.client(retries=3) as client, pytest.raises(ServiceUnavailable):
        client.tasks.complete("t-1", {"ok": True})
    assert len(server.api_requests()) == 1


def test_posts_that_are_safe_to_repeat_do_retry() -> None:
    server = FakeServer()
    locked = httpx.Response(200, json=job_json())
    server.route("POST", "/api/v1/jobs/j-1/extend-lock", _refusing(1, locked))  # type: ignore[arg-type]
    deployed = httpx.Response(200, json={"definitions": [], "created": []})
    server.route("POST", "/api/v1/process-definitions", _refusing(1, deployed))  # type: ignore[arg-type]
    with server.client(retries=1) as client:
        assert client.jobs.extend_lock("j-1", "w", 30).id == "j-1"
        assert client.definitions.deploy(b"<definitions/>").definitions == ()


def test_a_token_request_retries_connection_errors() -> None:
    server = FakeServer()
    server.route("GET", "/api/v1/process-instances/i-1", httpx.Response(200, json=instance_json()))
    original = server.handle
    failed = {"n": 0}

    def handle(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/oauth/token" and failed["n"] == 0:
            failed["n"] += 1
            raise httpx.ConnectError("refused", request=request)
        return original(request)

    server.handle = handle  # type: ignore[method-assign]
    with server.client() as client:
        client.instances.get("i-1")
    assert server.token_requests == 1
