"""Domain errors: they carry no HTTP; each edge translates them (see ``api/edge.py``)."""

from __future__ import annotations

from typing import Any


class FlowportError(Exception):
    """Base of every error a caller can act on."""

    title = "Flowport error"

    def __init__(self, detail: str, **extra: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        self.extra = {k: v for k, v in extra.items() if v is not None}


class NotFound(FlowportError):
    title = "Not found"


class Conflict(FlowportError):
    title = "Conflict"


class InvalidDefinition(FlowportError):
    title = "Invalid process definition"


class InvalidRequest(FlowportError):
    title = "Invalid request"


class PermissionDenied(FlowportError):
    title = "Forbidden"


class Unauthenticated(FlowportError):
    """No usable credential. ``error`` is the RFC 6750 error code (None when none was presented)."""

    title = "Unauthorized"

    def __init__(self, detail: str, error: str | None = "invalid_token", **extra: object) -> None:
        super().__init__(detail, **extra)
        self.error = error


class CsrfTokenRequired(FlowportError):
    """A change made with a session cookie lacks that session's CSRF token.

    The caller is logged in, so this is not a missing credential: logging in again would not help.
    """

    title = "CSRF token required"


class TooManyAttempts(FlowportError):
    title = "Too many requests"

    def __init__(self, detail: str, retry_after: int, **extra: object) -> None:
        super().__init__(detail, **extra)
        self.retry_after = retry_after


class PayloadTooLarge(FlowportError):
    title = "Payload too large"
