"""Tokens: fetched once through discovery, cached, renewed before expiry and once after a 401."""

from __future__ import annotations

import asyncio
import logging
import threading

import httpx
import pytest

from flowport.client import AuthenticationError, Unauthorized
from flowport.client.credentials import Secret
from flowport.client.tokens import IssuedToken, TokenSource, default_margin
from tests.unit.sdk.fake_server import BASE, SECRET, FakeServer, instance_json, invalid_token, problem


def _instance_route(server: FakeServer) -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        token = request.headers.get("authorization", "").removeprefix("Bearer ")
        return httpx.Response(200, json=instance_json()) if token in server.valid else invalid_token()

    server.route("GET", "/api/v1/process-instances/i-1", answer)


def test_one_token_serves_many_calls_and_is_sent_as_bearer() -> None:
    server = FakeServer()
    _instance_route(server)
    with server.client() as client:
        for _ in range(5):
            assert client.instances.get("i-1").id == "i-1"
    assert server.token_requests == 1
    assert {r.headers["authorization"] for r in server.api_requests()} == {"Bearer token-1"}
    token_request = next(r for r in server.requests if r.url.path == "/oauth/token")
    assert token_request.headers["authorization"].startswith("Basic ")
    assert b"grant_type=client_credentials" in token_request.content


def test_scope_audience_and_environment_are_sent() -> None:
    server = FakeServer()
    _instance_route(server)
    with server.client(scope="instances:read", audience="flowport", environment="sandbox") as client:
        client.instances.get("i-1")
    token_request = next(r for r in server.requests if r.url.path == "/oauth/token")
    assert b"scope=instances%3Aread" in token_request.content
    assert b"audience=flowport" in token_request.content
    assert server.api_requests()[0].headers["x-ws-env"] == "sandbox"


def test_the_margin_is_ten_percent_of_the_lifetime_and_at_most_thirty_seconds() -> None:
    assert default_margin(3600) == 30
    assert default_margin(60) == 6


def test_a_token_is_renewed_before_it_expires() -> None:
    now = [1000.0]
    source = TokenSource(BASE, None, clock=lambda: now[0])
    source.store(IssuedToken(Secret("t1"), 60), requested_at=1000.0)
    now[0] = 1053.9
    assert source.current() == "t1"
    now[0] = 1054.0  # 6 s (10 %) before expiry
    assert source.current() is None


def test_a_configured_margin_renews_earlier() -> None:
    now = [0.0]
    source = TokenSource(BASE, None, renew_margin=57, clock=lambda: now[0])
    source.store(IssuedToken(Secret("t1"), 60), requested_at=0.0)
    now[0] = 2.9
    assert source.current() == "t1"
    now[0] = 3.0
    assert source.current() is None


def test_a_client_renews_once_its_token_is_due() -> None:
    server = FakeServer(expires_in=60)
    _instance_route(server)
    with server.client(token_renew_margin=60) as client:  # due at once: every call needs a new one
        client.instances.get("i-1")
        client.instances.get("i-1")
    assert server.token_requests == 2


def test_a_401_invalid_token_renews_the_token_and_retries_once() -> None:
    server = FakeServer()
    _instance_route(server)
    with server.client() as client:
        client.instances.get("i-1")
        server.valid.clear()  # the server revoked it
        assert client.instances.get("i-1").id == "i-1"
    assert server.token_requests == 2
    assert [r.headers["authorization"] for r in server.api_requests()] == [
        "Bearer token-1",
        "Bearer token-1",
        "Bearer token-2",
    ]


def test_a_non_idempotent_call_is_resent_after_a_401_because_it_was_not_applied() -> None:
    server = FakeServer()
    server.route(
        "POST", "/api/v1/process-instances", [invalid_token(), httpx.Response(201, json=instance_json())]
    )
    with server.client() as client:
        assert client.instances.start("approval").id == "i-1"
    assert len(server.api_requests()) == 2


def test_a_second_401_is_raised_not_retried_again() -> None:
    server = FakeServer()
    server.route("GET", "/api/v1/process-instances/i-1", lambda request: invalid_token())
    with server.client() as client, pytest.raises(Unauthorized) as raised:
        client.instances.get("i-1")
    assert raised.value.error == "invalid_token"
    assert len(server.api_requests()) == 2
    assert server.token_requests == 2


def test_a_401_without_invalid_token_is_not_retried() -> None:
    server = FakeServer()
    no_credential = problem(401, "Unauthorized", headers={"WWW-Authenticate": 'Bearer realm="flowport"'})
    server.route("GET", "/api/v1/process-instances/i-1", no_credential)
    with server.client() as client, pytest.raises(Unauthorized):
        client.instances.get("i-1")
    assert len(server.api_requests()) == 1


def test_a_ready_bearer_token_is_sent_as_is_and_never_renewed() -> None:
    server = FakeServer()
    server.route("GET", "/api/v1/process-instances/i-1", lambda request: invalid_token())
    client = server.client(client_id=None, client_secret=None, token="ready-token")
    with client, pytest.raises(Unauthorized):
        client.instances.get("i-1")
    assert server.token_requests == 0
    assert [r.headers["authorization"] for r in server.api_requests()] == ["Bearer ready-token"]


def test_many_threads_wait_for_one_token_request() -> None:
    server = FakeServer(token_delay=0.05)
    _instance_route(server)
    barrier = threading.Barrier(16)
    failures: list[BaseException] = []
    with server.client() as client:

        def call() -> None:
            barrier.wait()
            try:
                client.instances.get("i-1")
            except BaseException as exc:  # pragma: no cover - reported below
                failures.append(exc)

        threads = [threading.Thread(target=call) for _ in range(16)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert failures == []
    assert server.token_requests == 1
    assert len(server.api_requests()) == 16


def test_many_tasks_wait_for_one_token_request() -> None:
    server = FakeServer(token_delay=0.05)
    _instance_route(server)

    async def main() -> None:
        async with server.async_client() as client:
            results = await asyncio.gather(*(client.instances.get("i-1") for _ in range(16)))
        assert {r.id for r in results} == {"i-1"}

    asyncio.run(main())
    assert server.token_requests == 1


def test_the_async_client_renews_after_a_401_too() -> None:
    server = FakeServer()
    _instance_route(server)

    async def main() -> None:
        async with server.async_client() as client:
            await client.instances.get("i-1")
            server.valid.clear()
            await client.instances.get("i-1")

    asyncio.run(main())
    assert server.token_requests == 2


def test_refused_credentials_raise_authentication_error() -> None:
    server = FakeServer()
    refusal = httpx.Response(
        401, json={"error": "invalid_client", "error_description": "Client authentication failed"}
    )
    original = server.handle

    def handle(request: httpx.Request) -> httpx.Response:
        return refusal if request.url.path == "/oauth/token" else original(request)

    server.handle = handle  # type: ignore[method-assign]
    with server.client() as client, pytest.raises(AuthenticationError) as raised:
        client.instances.get("i-1")
    assert raised.value.error == "invalid_client"
    assert SECRET not in str(raised.value)


def test_without_discovery_the_standard_token_path_is_used() -> None:
    server = FakeServer()
    _instance_route(server)
    original = server.handle

    def handle(request: httpx.Request) -> httpx.Response:
        if request.url.path.startswith("/.well-known/"):
            return problem(404, "Not found")
        return original(request)

    server.handle = handle  # type: ignore[method-assign]
    with server.client() as client:
        client.instances.get("i-1")
    assert server.token_requests == 1


def test_secrets_and_tokens_stay_out_of_repr_and_logs(caplog: pytest.LogCaptureFixture) -> None:
    server = FakeServer()
    _instance_route(server)
    caplog.set_level(logging.DEBUG)
    with server.client() as client:
        client.instances.get("i-1")
        server.valid.clear()
        client.instances.get("i-1")
        shown = repr(client)
    assert "billing" in shown
    for secret in (SECRET, "token-1", "token-2"):
        assert secret not in shown
        assert secret not in caplog.text
    assert "obtained an access token" in caplog.text
