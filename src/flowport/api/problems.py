"""RFC 9457 problem details for every error the native API returns; never a stack trace.

:class:`ProblemTranslator` is the native edge's :class:`~flowport.api.edge.ErrorTranslator`;
:func:`install` registers the app-level fallback handlers (errors raised outside any route).
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from flowport.api import security_headers
from flowport.api.edge import invalid_request
from flowport.auth.asgi import CSRF_HEADER
from flowport.errors import (
    Conflict,
    CsrfTokenRequired,
    FlowportError,
    InvalidDefinition,
    InvalidRequest,
    NotFound,
    PayloadTooLarge,
    PermissionDenied,
    TooManyAttempts,
    Unauthenticated,
)

log = logging.getLogger("flowport.api")

PROBLEM = "application/problem+json"
_STATUS: dict[type[FlowportError], int] = {
    NotFound: 404,
    Conflict: 409,
    InvalidDefinition: 422,
    InvalidRequest: 400,
    PermissionDenied: 403,
    CsrfTokenRequired: 403,  # a 401 would tell a browser to log in again
    PayloadTooLarge: 413,
    Unauthenticated: 401,
    TooManyAttempts: 429,
}
_SLUG = {
    404: "not-found",
    409: "conflict",
    422: "invalid-definition",
    400: "invalid-request",
    403: "forbidden",
    413: "payload-too-large",
    405: "method-not-allowed",
    500: "internal-error",
    401: "unauthorized",
    415: "unsupported-media-type",
    429: "too-many-requests",
    503: "unavailable",
}


def problem(status: int, title: str, detail: str, **extra: Any) -> JSONResponse:
    body = {
        "type": f"https://flowport.dev/problems/{_SLUG.get(status, 'error')}",
        "title": title,
        "status": status,
        "detail": detail,
        **extra,
    }
    return JSONResponse(body, status_code=status, media_type=PROBLEM)


def challenge_headers(exc: FlowportError) -> dict[str, str]:
    """RFC 6750 section 3 ``WWW-Authenticate`` challenges, and ``Retry-After`` for lockouts."""
    if isinstance(exc, Unauthenticated):
        if exc.error is None:
            return {"WWW-Authenticate": 'Bearer realm="flowport"'}
        description = exc.detail.replace('"', "'")
        challenge = f'Bearer realm="flowport", error="{exc.error}", error_description="{description}"'
        return {"WWW-Authenticate": challenge}
    if isinstance(exc, PermissionDenied) and "missingPermission" in exc.extra:
        scope = exc.extra["missingPermission"]
        return {"WWW-Authenticate": f'Bearer realm="flowport", error="insufficient_scope", scope="{scope}"'}
    if isinstance(exc, TooManyAttempts):
        return {"Retry-After": str(exc.retry_after)}
    return {}


def _fields(exc: FlowportError) -> dict[str, Any]:
    """Problem fields that name HTTP details the domain error does not know (the header's name)."""
    if isinstance(exc, CsrfTokenRequired):
        return {"missingHeader": CSRF_HEADER}
    return {}


def status_of(exc: FlowportError) -> int:
    """The HTTP status of a domain error, for every edge that answers over HTTP."""
    return next((code for cls, code in _STATUS.items() if isinstance(exc, cls)), 400)


def render(exc: FlowportError) -> JSONResponse:
    """The problem response for a domain error, with its RFC 6750 challenge or ``Retry-After``."""
    status = status_of(exc)
    response = problem(status, exc.title, exc.detail, **exc.extra, **_fields(exc))
    for name, value in challenge_headers(exc).items():
        response.headers[name] = value
    return response


class ProblemTranslator:
    """The native API's error translator: every domain error as an RFC 9457 problem."""

    def translate(self, request: Request, error: FlowportError) -> Response:
        return render(error)


def install(app: FastAPI) -> None:
    """Fallback handlers: domain, validation and stray HTTP errors raised outside a route, and 500s."""

    @app.exception_handler(FlowportError)
    async def _domain(_: Request, exc: FlowportError) -> JSONResponse:
        return render(exc)

    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, exc: RequestValidationError) -> JSONResponse:
        return render(invalid_request(exc))

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        titles = {
            404: "Not found",
            405: "Method not allowed",
            413: "Payload too large",
            415: "Unsupported media type",
        }
        response = problem(exc.status_code, titles.get(exc.status_code, "Error"), str(exc.detail))
        for name, value in (exc.headers or {}).items():
            response.headers[name] = value
        return response

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        response = problem(
            500, "Internal server error", "The server failed to handle the request; it was logged."
        )
        # Starlette sends this from its outermost middleware, past SecurityHeadersMiddleware
        response.headers.update({**security_headers.BASELINE, "Cache-Control": security_headers.NO_STORE})
        return response
