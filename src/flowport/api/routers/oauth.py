"""The token service's HTTP edge: token, introspection, revocation, discovery and JWKS.

Public by nature (clients authenticate *here*): no route declares ``require(...)``, and
``PUBLIC_PATHS`` lists them for the request guard. In ``auth.mode = "external"`` every route
answers 404. The source address used by the failure limiter is the ASGI client address: the
socket's peer, or the address a trusted proxy put in ``X-Forwarded-For`` when the peer is one of
``settings.trusted_proxies`` (uvicorn's ``forwarded_allow_ips``; none by default, so a client
cannot choose the address it is rate limited by).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any, TypeVar
from urllib.parse import parse_qsl

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from flowport.api import json_body, media_types, problems
from flowport.api.deps import ServicesDep
from flowport.api.native import NativeRoute
from flowport.auth import discovery as server_metadata
from flowport.auth import introspection, revocation, token_endpoint
from flowport.auth.endpoints import (
    DISCOVERY_PATHS,
    INTROSPECT_PATHS,
    JWKS_PATH,
    PUBLIC_PATHS,
    REVOKE_PATHS,
    TOKEN_PATHS,
)
from flowport.auth.oauth_request import OAuthError, OAuthRequest
from flowport.auth.runtime import AuthRuntime
from flowport.services.context import Services

__all__ = ["PUBLIC_PATHS", "router"]

NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}  # RFC 6749 section 5.1
_NOT_POST = ["GET", "HEAD", "PUT", "PATCH", "DELETE", "OPTIONS"]
_NOT_GET = ["POST", "PUT", "PATCH", "DELETE", "OPTIONS"]

router = APIRouter(tags=["oauth"], route_class=NativeRoute)
T = TypeVar("T")


def _not_found() -> JSONResponse:
    return problems.problem(404, "Not found", "The built-in token service is off (auth.mode = external)")


def _services(request: Request) -> Services:
    # Read directly, not through a sync dependency: FastAPI runs those in a worker thread, a hop
    # that costs more than issuing a token.
    services: Services = request.app.state.services
    return services


async def _parse(request: Request, services: Services) -> OAuthRequest:
    """Parameters from an application/x-www-form-urlencoded (RFC 6749 appendix B) or JSON body.

    A body is read only as what it declares: one without a ``Content-Type``, or in a charset other
    than UTF-8, is refused rather than guessed at. An empty body needs no type (SAP's clients send
    ``grant_type`` in the query string and the credentials as HTTP Basic).
    """
    declared = media_types.parse(request.headers.get("content-type"))
    raw = await request.body()
    params: dict[str, list[str]] = {}
    if raw:
        if not declared.media:
            raise OAuthError(
                "invalid_request",
                "The body has no Content-Type: send application/x-www-form-urlencoded or application/json",
            )
        if not declared.utf8:
            raise OAuthError("invalid_request", f"Send the body as UTF-8, not charset={declared.charset}")
        if declared.is_json:
            params = _json_params(raw)
        elif declared.media == "application/x-www-form-urlencoded":
            params = _form_params(raw)
        else:
            raise OAuthError(
                "invalid_request", "Send parameters as application/x-www-form-urlencoded or application/json"
            )
    query: dict[str, list[str]] = {}
    for name, value in request.query_params.multi_items():
        query.setdefault(name, []).append(value)
    return OAuthRequest(
        params=params,
        query=query,
        authorization=request.headers.get("authorization"),
        source_ip=request.client.host if request.client else "unknown",
        at=services.clock(),
    )


def _form_params(raw: bytes) -> dict[str, list[str]]:
    try:
        # errors="strict": a percent-encoded byte sequence that is not UTF-8 is refused, not replaced
        pairs = parse_qsl(raw.decode("utf-8"), keep_blank_values=True, errors="strict")
    except UnicodeDecodeError:
        raise OAuthError("invalid_request", "The body is not valid UTF-8") from None
    params: dict[str, list[str]] = {}
    for name, value in pairs:
        params.setdefault(name, []).append(value)
    return params


def _json_params(raw: bytes) -> dict[str, list[str]]:
    try:
        data = json_body.loads(raw)  # the one strict parser: a repeated client_id is refused there
    except json_body.JsonBodyError as exc:
        raise OAuthError("invalid_request", exc.detail) from None
    if not isinstance(data, dict):
        raise OAuthError("invalid_request", "The JSON body must be an object")
    params: dict[str, list[str]] = {}
    for name, value in data.items():
        values = value if isinstance(value, list) else [value]
        if not all(isinstance(v, str | int | float) and not isinstance(v, bool) for v in values):
            raise OAuthError("invalid_request", f"{name} must be a string")
        params[name] = [str(v) for v in values]
    return params


async def _answer(request: Request, services: Services, call: Callable[[AuthRuntime, OAuthRequest], T]) -> T:
    return await run_in_threadpool(call, services.auth, await _parse(request, services))


def _error(exc: OAuthError) -> JSONResponse:
    """RFC 6749 section 5.2."""
    return JSONResponse(exc.body(), status_code=exc.status, headers={**exc.headers, **NO_STORE})


@router.post(TOKEN_PATHS[0], summary="Token endpoint (RFC 6749)")
@router.post(TOKEN_PATHS[1], include_in_schema=False)
async def token(request: Request) -> Response:
    """Client credentials and refresh-token grants; parameters as form or JSON."""
    services = _services(request)
    runtime = services.auth
    if not runtime.issues_tokens:
        return _not_found()
    try:
        parsed = await _parse(request, services)
        # On the token service's own threads: signing releases the GIL, so the event loop goes on
        # parsing the next requests meanwhile (measured: about 15 % more tokens per second than
        # signing on the loop, and cheaper than a hop to the shared worker-thread pool).
        body = await asyncio.get_running_loop().run_in_executor(
            runtime.token_threads, token_endpoint.token, runtime, parsed
        )
    except OAuthError as exc:
        return _error(exc)
    return JSONResponse(body, headers=NO_STORE)


@router.post(INTROSPECT_PATHS[0], summary="Token introspection (RFC 7662)")
@router.post(INTROSPECT_PATHS[1], include_in_schema=False)
async def introspect(request: Request, services: ServicesDep) -> Response:
    if not services.auth.issues_tokens:
        return _not_found()
    try:
        body: dict[str, Any] = await _answer(request, services, introspection.introspect)
    except OAuthError as exc:
        return _error(exc)
    return JSONResponse(body, headers=NO_STORE)


@router.post(REVOKE_PATHS[0], summary="Token revocation (RFC 7009)")
@router.post(REVOKE_PATHS[1], include_in_schema=False)
async def revoke(request: Request, services: ServicesDep) -> Response:
    if not services.auth.issues_tokens:
        return _not_found()
    try:
        await _answer(request, services, revocation.revoke)
    except OAuthError as exc:
        return _error(exc)
    return Response(status_code=200, headers=NO_STORE)


def _other_methods(allowed: str) -> Callable[[Services], Response]:
    def handler(services: ServicesDep) -> Response:
        """Other methods: 405 naming the allowed one; external mode hides even that (404)."""
        if not services.auth.issues_tokens:
            return _not_found()
        response = problems.problem(405, "Method not allowed", f"Use {allowed}")
        response.headers["Allow"] = allowed
        return response

    return handler


for _path in (*TOKEN_PATHS, *INTROSPECT_PATHS, *REVOKE_PATHS):
    router.add_api_route(_path, _other_methods("POST"), methods=_NOT_POST, include_in_schema=False)
for _path in (*DISCOVERY_PATHS, JWKS_PATH):
    router.add_api_route(_path, _other_methods("GET"), methods=_NOT_GET, include_in_schema=False)


@router.get(DISCOVERY_PATHS[0], summary="OpenID Connect discovery")
@router.get(DISCOVERY_PATHS[1], summary="Authorization server metadata (RFC 8414)")
def discovery(services: ServicesDep) -> Response:
    if not services.auth.issues_tokens:
        return _not_found()
    return JSONResponse(server_metadata.metadata(services.auth))


@router.get(JWKS_PATH, summary="Public signing keys (RFC 7517 JWK Set)")
def jwks(services: ServicesDep) -> Response:
    if not services.auth.issues_tokens:
        return _not_found()
    return JSONResponse(
        server_metadata.jwks(services.auth),
        headers={"Cache-Control": "public, max-age=60"},
    )
