"""A Flowport server in miniature for the SDK's unit tests, behind httpx.MockTransport (no sockets)."""

from __future__ import annotations

import asyncio
import itertools
import threading
import time
from collections.abc import Callable
from typing import Any

import httpx

from flowport.client import AsyncClient, Client

BASE = "http://flowport.test"
CLIENT_ID = "billing"
SECRET = "s3cret-value-never-printed"
Route = Callable[[httpx.Request], httpx.Response]


def problem(
    status: int, title: str, detail: str = "", headers: dict[str, str] | None = None, **extra: Any
) -> httpx.Response:
    body = {
        "type": "https://flowport.dev/problems/x",
        "title": title,
        "status": status,
        "detail": detail,
        **extra,
    }
    return httpx.Response(
        status, json=body, headers={"content-type": "application/problem+json", **(headers or {})}
    )


def invalid_token() -> httpx.Response:
    challenge = 'Bearer realm="flowport", error="invalid_token", error_description="The token expired"'
    return problem(401, "Unauthorized", "The token expired", headers={"WWW-Authenticate": challenge})


class FakeServer:
    """Discovery, a token endpoint that counts its requests, and routes the test registers."""

    def __init__(self, *, expires_in: int = 3600, token_delay: float = 0.0) -> None:
        self.expires_in = expires_in
        self.token_delay = token_delay
        self.token_requests = 0
        self.requests: list[httpx.Request] = []
        self.routes: dict[tuple[str, str], Route] = {}
        self._serial = itertools.count(1)
        self._lock = threading.Lock()
        self.valid: set[str] = set()

    def route(self, method: str, path: str, handler: Route | httpx.Response | list[httpx.Response]) -> None:
        if isinstance(handler, httpx.Response):
            answer = handler
            self.routes[(method, path)] = lambda request: answer
        elif isinstance(handler, list):
            answers = iter(handler)
            self.routes[(method, path)] = lambda request: next(answers)
        else:
            self.routes[(method, path)] = handler

    def api_requests(self) -> list[httpx.Request]:
        return [r for r in self.requests if r.url.path.startswith("/api/")]

    def _token(self, request: httpx.Request) -> httpx.Response:
        with self._lock:
            self.token_requests += 1
            token = f"token-{next(self._serial)}"
            self.valid.add(token)
        return httpx.Response(
            200, json={"access_token": token, "token_type": "Bearer", "expires_in": self.expires_in}
        )

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        path = request.url.path
        if path == "/.well-known/oauth-authorization-server":
            return httpx.Response(200, json={"token_endpoint": f"{BASE}/oauth/token"})
        if path == "/oauth/token":
            if self.token_delay:
                time.sleep(self.token_delay)
            return self._token(request)
        handler = self.routes.get((request.method, path))
        if handler is None:
            return problem(404, "Not found", f"no route {request.method} {path}")
        return handler(request)

    async def handle_async(self, request: httpx.Request) -> httpx.Response:
        if request.url.path == "/oauth/token" and self.token_delay:
            await asyncio.sleep(self.token_delay)
            self.requests.append(request)
            return self._token(request)
        return self.handle(request)

    def client(self, **options: Any) -> Client:
        options.setdefault("client_id", CLIENT_ID)
        options.setdefault("client_secret", SECRET)
        options.setdefault("retry_backoff", 0.001)
        return Client(BASE, transport=httpx.MockTransport(self.handle), **options)

    def async_client(self, **options: Any) -> AsyncClient:
        options.setdefault("client_id", CLIENT_ID)
        options.setdefault("client_secret", SECRET)
        options.setdefault("retry_backoff", 0.001)
        return AsyncClient(BASE, transport=httpx.MockTransport(self.handle_async), **options)


def instance_json(instance_id: str = "i-1", **overrides: Any) -> dict[str, Any]:
    return {
        "id": instance_id,
        "definitionId": "d-1",
        "definitionKey": "approval",
        "version": 1,
        "status": "RUNNING",
        "businessKey": None,
        "activeElementIds": ["review"],
        "hasIncidents": False,
        "startedAt": "2026-01-02T03:04:05Z",
        "endedAt": None,
        "startedBy": CLIENT_ID,
        "variables": {"amount": 250},
        **overrides,
    }


def job_json(job_id: str = "j-1", **overrides: Any) -> dict[str, Any]:
    return {
        "id": job_id,
        "topic": "payments",
        "processInstanceId": "i-1",
        "definitionKey": "invoice",
        "elementId": "charge_card",
        "retries": None,
        "workerId": "w",
        "lockExpiresAt": "2026-01-02T03:05:05Z",
        "errorMessage": None,
        "createdAt": "2026-01-02T03:04:05Z",
        "variables": {"amount": 10},
        **overrides,
    }
