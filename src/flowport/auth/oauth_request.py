"""What the token, introspection and revocation endpoints share: the request and its errors.

An :class:`OAuthRequest` is what an HTTP edge decoded from a POST (body and query parameters, the
``Authorization`` header, the caller's address and the time it arrived); an :class:`OAuthError` is
the RFC 6749 section 5.2 answer to it. Neither knows HTTP frameworks.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

# Parameters that may also come in the query string (SAP's clients send grant_type there).
QUERY_PARAMS = frozenset({"grant_type", "scope", "audience", "resource"})
# Parameters that must never be in a query string: it ends up in access logs and browser history.
SECRET_PARAMS = frozenset({"client_secret", "client_assertion", "refresh_token", "token", "password"})
# Parameters that may be repeated (RFC 8707 section 2: several resources).
MULTI_PARAMS = frozenset({"audience", "resource"})


class OAuthError(Exception):
    """An RFC 6749 section 5.2 error response: ``{"error", "error_description"}`` and a status."""

    def __init__(
        self, error: str, description: str, *, status: int = 400, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(f"{error}: {description}")
        self.error = error
        self.description = description
        self.status = status
        self.headers = headers or {}

    def body(self) -> dict[str, str]:
        return {"error": self.error, "error_description": self.description}


def _now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class OAuthRequest:
    """A POST to an OAuth endpoint: body (form or JSON) and query parameters, all values as lists."""

    params: dict[str, list[str]]
    query: dict[str, list[str]] = field(default_factory=dict)
    authorization: str | None = None
    source_ip: str = "unknown"
    at: datetime = field(default_factory=_now)  # the time expiry and grace periods are judged by

    def values(self, name: str) -> list[str]:
        found = self.params.get(name) or []
        if not found and name in QUERY_PARAMS:
            found = self.query.get(name) or []
        return [v for v in found if v != ""]

    def single(self, name: str, *, allow_query: bool = False) -> str | None:
        """A parameter that must appear at most once (RFC 6749 section 3.2)."""
        raw = self.values(name) if allow_query else self.params.get(name, [])
        found = list(dict.fromkeys(v for v in raw if v != ""))
        if len(found) > 1 and name not in MULTI_PARAMS:
            raise OAuthError("invalid_request", f"{name} must not be repeated")
        return found[0] if found else None

    def required(self, name: str) -> str:
        value = self.single(name)
        if not value:
            raise OAuthError("invalid_request", f"{name} is required")
        return value

    def check_query(self) -> None:
        """Refuse secrets in the query string (RFC 6749 section 2.3.1) and conflicting duplicates."""
        secret = sorted(SECRET_PARAMS & self.query.keys())
        if secret:
            raise OAuthError("invalid_request", f"{secret[0]} must not be sent in the query string")
        for name in QUERY_PARAMS & self.query.keys() & self.params.keys():
            if set(self.query[name]) != set(self.params[name]):
                raise OAuthError("invalid_request", f"{name} differs between the query string and the body")
