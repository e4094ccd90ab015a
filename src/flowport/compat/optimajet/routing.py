"""OptimaJet's calling convention and answer envelope: the route class of every ``/workflowapi`` route.

These requests are one call (OptimaJet Workflow Server, "Workflow API"):

- ``/workflowapi/{operation}/{processId}``
- ``/workflowapi/{operation}?processId=...``
- ``/workflowapi?operation=...&processId=...``

with the operation's name in any letter case, by GET or POST. :class:`OptimaJetRoute` matches a
request against the canonical path (``/workflowapi/<operation in lower case>[/<processId>]``), so
each operation is one route however it is called. Every answer is the envelope
``{"success", "data", "error", "message"}``; a handled failure is HTTP 200 with ``success: false``
(as OptimaJet answers), while 401 and 403 stay HTTP statuses with their RFC 6750 challenge.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl

from fastapi import Request, Response
from fastapi.responses import JSONResponse
from starlette.routing import Match
from starlette.types import Scope

from flowport.api.edge import EdgeRoute
from flowport.api.problems import challenge_headers
from flowport.errors import (
    CsrfTokenRequired,
    FlowportError,
    PermissionDenied,
    TooManyAttempts,
    Unauthenticated,
)

PREFIX = "/workflowapi"
_STATUS: tuple[tuple[type[FlowportError], int], ...] = (
    (Unauthenticated, 401),
    (PermissionDenied, 403),
    (CsrfTokenRequired, 403),
    (TooManyAttempts, 429),
)


def envelope(data: Any = None) -> dict[str, Any]:
    """A successful answer."""
    return {"success": True, "data": data, "error": None, "message": None}


class EnvelopeTranslator:
    """Domain errors as OptimaJet's failure envelope: ``error`` names the kind, ``message`` says it."""

    def translate(self, request: Request, error: FlowportError) -> Response:
        status = next((code for cls, code in _STATUS if isinstance(error, cls)), 200)
        body: dict[str, Any] = {
            "success": False,
            "data": None,
            "error": type(error).__name__,
            "message": error.detail,
        }
        if error.extra:
            body["details"] = error.extra
        return JSONResponse(body, status_code=status, headers=challenge_headers(error))


def canonical_path(path: str, query_string: bytes) -> str:
    """The path a ``/workflowapi`` request means: the operation lower-cased, taken from the query if absent.

    Other paths come back unchanged; the process id keeps its letters.
    """
    head, _, rest = path[1:].partition("/")
    if f"/{head.lower()}" != PREFIX:
        return path
    operation, _, process_id = rest.partition("/")
    if not operation:
        query = parse_qsl(query_string.decode("latin-1"), keep_blank_values=True)
        operation = next((value for key, value in query if key.lower() == "operation"), "")
        if not operation:
            return PREFIX
    canonical = f"{PREFIX}/{operation.lower()}"
    return f"{canonical}/{process_id}" if process_id else canonical


class OptimaJetRoute(EdgeRoute):
    """A ``/workflowapi`` route: matched on the canonical path, failures answered as envelopes."""

    translator = EnvelopeTranslator()

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        if scope.get("type") == "http":
            path = canonical_path(scope["path"], scope.get("query_string", b""))
            if path != scope["path"]:
                scope = {**scope, "path": path}
        return super().matches(scope)
