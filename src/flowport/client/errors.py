"""Exceptions of the SDK: every RFC 9457 problem document the server answers becomes one of these.

Messages carry the server's ``title`` and ``detail`` and never a credential: the server does not
echo tokens or secrets, and the SDK never puts them into an exception.
"""

from __future__ import annotations

import email.utils
import json
import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import httpx


class FlowportClientError(Exception):
    """Base of every error the SDK raises."""


class TransportError(FlowportClientError):
    """The server could not be reached or did not answer (after the retries an idempotent call gets)."""


class ApiError(FlowportClientError):
    """The server answered with an error status; ``problem`` is its problem document (RFC 9457)."""

    def __init__(self, status: int, problem: Mapping[str, Any], headers: Mapping[str, str]) -> None:
        self.status = status
        self.problem: Mapping[str, Any] = problem
        self.type = str(problem.get("type", "about:blank"))
        self.title = str(
            problem.get("title") or problem.get("error") or httpx.codes.get_reason_phrase(status)
        )
        self.detail = str(problem.get("detail") or problem.get("error_description") or "")
        self.headers: Mapping[str, str] = headers
        super().__init__(f"{status} {self.title}: {self.detail}" if self.detail else f"{status} {self.title}")


class InvalidRequest(ApiError):
    """400: the request breaks a rule (``json_error`` names a JSON rule, e.g. ``duplicate-key``)."""

    @property
    def json_error(self) -> str | None:
        value = self.problem.get("jsonError")
        return str(value) if value is not None else None


class AuthenticationError(ApiError):
    """The token endpoint refused the credentials (RFC 6749 section 5.2); ``error`` is its code."""

    @property
    def error(self) -> str:
        return str(self.problem.get("error", "invalid_client"))


class Unauthorized(ApiError):
    """401 from the API: no credential, or one the server refuses (``error`` from ``WWW-Authenticate``)."""

    @property
    def error(self) -> str | None:
        return bearer_error(self.headers.get("www-authenticate"))


class PermissionDenied(ApiError):
    """403: the token lacks a permission; ``missing_permission`` names it (e.g. ``instances:start``)."""

    @property
    def missing_permission(self) -> str | None:
        value = self.problem.get("missingPermission")
        return str(value) if value is not None else None


class NotFound(ApiError):
    """404: no such resource (or one the caller may not see)."""


class Conflict(ApiError):
    """409: the resource changed meanwhile or is in the wrong state; nothing was applied."""

    @property
    def current_version(self) -> int | None:
        value = self.problem.get("currentVersion")
        return value if isinstance(value, int) else None


class PayloadTooLarge(ApiError):
    """413: the body (or the BPMN document) is larger than the server accepts."""


class InvalidDefinition(ApiError):
    """422: the BPMN document is not valid; ``element_id`` and ``line`` say where, when known."""

    @property
    def element_id(self) -> str | None:
        value = self.problem.get("elementId")
        return str(value) if value is not None else None

    @property
    def line(self) -> int | None:
        value = self.problem.get("line")
        return value if isinstance(value, int) else None


class RateLimited(ApiError):
    """429: too many attempts; wait ``retry_after`` seconds (None when the server did not say)."""

    @property
    def retry_after(self) -> float | None:
        return retry_after(self.headers, self.problem)


class ServerError(ApiError):
    """5xx: the server failed; it logged the cause."""


class ServiceUnavailable(ServerError):
    """503: the server is not ready (database unreachable, migrations pending, shutting down)."""

    @property
    def retry_after(self) -> float | None:
        return retry_after(self.headers, self.problem)


_BY_STATUS: dict[int, type[ApiError]] = {
    400: InvalidRequest,
    401: Unauthorized,
    403: PermissionDenied,
    404: NotFound,
    409: Conflict,
    413: PayloadTooLarge,
    422: InvalidDefinition,
    429: RateLimited,
    503: ServiceUnavailable,
}


def from_response(response: httpx.Response) -> ApiError:
    """The exception for an error answer of the API (a problem document, or whatever a proxy sent)."""
    status = response.status_code
    cls = _BY_STATUS.get(status) or (ServerError if status >= 500 else ApiError)
    return cls(status, _body(response), response.headers)


def from_token_response(response: httpx.Response) -> ApiError:
    """The exception for an error answer of the token endpoint (RFC 6749 section 5.2)."""
    status = response.status_code
    if status == 429 or status >= 500:
        return from_response(response)
    return AuthenticationError(status, _body(response), response.headers)


def _body(response: httpx.Response) -> Mapping[str, Any]:
    try:
        body = response.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        return {"detail": response.text[:500]} if response.text else {}
    return body if isinstance(body, dict) else {}


_ERROR_PARAM = re.compile(r'\berror="([^"]*)"')


def bearer_error(challenge: str | None) -> str | None:
    """The ``error`` parameter of a ``WWW-Authenticate: Bearer`` challenge (RFC 6750 section 3)."""
    if not challenge or not challenge.lower().startswith("bearer"):
        return None
    match = _ERROR_PARAM.search(challenge)
    return match.group(1) if match else None


def retry_after(headers: Mapping[str, str], problem: Mapping[str, Any] | None = None) -> float | None:
    """``Retry-After`` in seconds (RFC 9110 section 10.2.3: seconds or an HTTP date), else the body's."""
    value = headers.get("retry-after")
    if value is None and problem is not None:
        body_value = problem.get("retryAfter", problem.get("retry-after"))
        value = str(body_value) if body_value is not None else None
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, (when - datetime.now(UTC)).total_seconds())
