"""Camunda's error document: ``{"status", "message", "instance"}`` (Tasklist and Operate REST APIs).

Camunda answers a task in the wrong state (not active, already assigned, assigned to someone
else) with 400, so Flowport's ``Conflict`` is a 400 here. ``instance`` is a fresh UUID per error,
as Camunda's is: the server logs it with the message, so a user can quote it.
"""

from __future__ import annotations

import logging
import uuid

from fastapi import Request, Response
from fastapi.responses import JSONResponse

from flowport.api import problems
from flowport.api.edge import EdgeRoute
from flowport.errors import (
    Conflict,
    CsrfTokenRequired,
    FlowportError,
    NotFound,
    PayloadTooLarge,
    PermissionDenied,
    TooManyAttempts,
    Unauthenticated,
)

log = logging.getLogger("flowport.compat.camunda")

_STATUS: tuple[tuple[type[FlowportError], int], ...] = (
    (NotFound, 404),
    (Conflict, 400),
    (PermissionDenied, 403),
    (CsrfTokenRequired, 403),
    (Unauthenticated, 401),
    (TooManyAttempts, 429),
    (PayloadTooLarge, 413),
)
# Headers of the native answer that tell a client what to do (RFC 6750 challenge, lockout).
_KEPT_HEADERS = ("www-authenticate", "retry-after")


def status_of(error: FlowportError) -> int:
    return next((code for cls, code in _STATUS if isinstance(error, cls)), 400)


def error_document(status: int, message: str) -> JSONResponse:
    instance = str(uuid.uuid4())
    log.info("camunda error %s (%s): %s", instance, status, message)
    return JSONResponse({"status": status, "message": message, "instance": instance}, status_code=status)


class CamundaErrorTranslator:
    """Every domain error as Camunda's error document, with the native challenge headers."""

    def translate(self, request: Request, error: FlowportError) -> Response:
        response = error_document(status_of(error), error.detail)
        native = problems.render(error)
        for name in _KEPT_HEADERS:
            if name in native.headers:
                response.headers[name] = native.headers[name]
        return response


class CamundaRoute(EdgeRoute):
    """The route class of the Camunda facade's routers."""

    translator = CamundaErrorTranslator()
