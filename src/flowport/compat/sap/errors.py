"""SAP Workflow's error shape: ``{"error": {"message": ..., "code": ...}}``; 401 as OAuth errors.

The status code and challenge headers (``WWW-Authenticate``, ``Retry-After``) are the native
edge's (:func:`flowport.api.problems.render`), so every edge answers a domain error with the same
status; only the body differs. SAP's API answers a missing credential in the OAuth shape
(``{"error": "unauthorized", "error_description": ...}``) and everything else in its own.
"""

from __future__ import annotations

from typing import Any

from fastapi import Request, Response
from fastapi.responses import JSONResponse

from flowport.api import problems
from flowport.errors import FlowportError, InvalidRequest, Unauthenticated

_CODES = {
    400: "bad_request",
    403: "forbidden",
    404: "not_found",
    409: "conflict",
    413: "payload_too_large",
    422: "unprocessable_entity",
    429: "too_many_requests",
}
_PASSED_HEADERS = ("www-authenticate", "retry-after")


class SapTranslator:
    """Renders domain errors as SAP Workflow does; ``invalid_status`` is the status of bad input."""

    def __init__(self, invalid_status: int = 400) -> None:
        self.invalid_status = invalid_status

    def translate(self, request: Request, error: FlowportError) -> Response:
        native = problems.render(error)
        status = self.invalid_status if isinstance(error, InvalidRequest) else native.status_code
        response = JSONResponse(sap_error_body(error, status), status_code=status)
        for name in _PASSED_HEADERS:
            if name in native.headers:
                response.headers[name] = native.headers[name]
        return response


def sap_error_body(error: FlowportError, status: int) -> dict[str, Any]:
    """The body SAP's clients parse for ``error``, raised with ``status``."""
    if isinstance(error, Unauthenticated):
        return {"error": error.error or "unauthorized", "error_description": error.detail}
    body: dict[str, Any] = {"message": error.detail, "code": _CODES.get(status, "error")}
    faults = error.extra.get("errors")
    if isinstance(faults, list) and faults:
        body["details"] = [
            {"severity": "ERROR", "message": f"{fault['location']}: {fault['message']}"} for fault in faults
        ]
    return {"error": body}
