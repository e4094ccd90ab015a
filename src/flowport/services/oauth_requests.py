"""What the OAuth endpoints share: the parsed request, RFC 6749 section 5.2 errors, client authentication.

Client authentication is guarded by the failure limiter: an attempt from a (client, address) pair
that is locked out is answered 429 with ``Retry-After`` before its credentials are looked at.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection

from flowport.auth import client_auth
from flowport.auth.client_auth import ClientAuthError, PresentedCredentials, UsedAssertion
from flowport.auth.permissions import UnknownPermission, expand, grants
from flowport.auth.runtime import AuthRuntime
from flowport.persistence.db import write_transaction
from flowport.persistence.repositories import tokens as token_repo
from flowport.persistence.repositories.clients import ClientRow
from flowport.services import audit
from flowport.services.context import Services

# Parameters that may also come in the query string (SAP's clients send grant_type there).
QUERY_PARAMS = frozenset({"grant_type", "scope", "audience", "resource"})
# Parameters that must never be in a query string: it ends up in access logs and browser history.
SECRET_PARAMS = frozenset({"client_secret", "client_assertion", "refresh_token", "token", "password"})
# Parameters that may be repeated (RFC 8707 section 2: several resources).
MULTI_PARAMS = frozenset({"audience", "resource"})
ENDPOINT_PATHS = {
    "token": ("/connect/token", "/oauth/token"),
    "introspect": ("/connect/introspect", "/oauth/introspect"),
    "revoke": ("/connect/revoke", "/oauth/revoke"),
}
_CLIENT_PARAMS = ("client_id", "client_secret", "client_assertion", "client_assertion_type")


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


@dataclass(frozen=True)
class OAuthRequest:
    """A POST to an OAuth endpoint: body (form or JSON) and query parameters, all values as lists."""

    params: dict[str, list[str]]
    query: dict[str, list[str]] = field(default_factory=dict)
    authorization: str | None = None
    source_ip: str = "unknown"

    def values(self, name: str) -> list[str]:
        found = self.params.get(name) or []
        if not found and name in QUERY_PARAMS:
            found = self.query.get(name) or []
        return [v for v in found if v != ""]


def check_query(request: OAuthRequest) -> None:
    """Refuse secrets in the query string (RFC 6749 section 2.3.1) and conflicting duplicates."""
    secret = sorted(SECRET_PARAMS & request.query.keys())
    if secret:
        raise OAuthError("invalid_request", f"{secret[0]} must not be sent in the query string")
    for name in QUERY_PARAMS & request.query.keys() & request.params.keys():
        if set(request.query[name]) != set(request.params[name]):
            raise OAuthError("invalid_request", f"{name} differs between the query string and the body")


def single(request: OAuthRequest, name: str, *, allow_query: bool = False) -> str | None:
    """A parameter that must appear at most once (RFC 6749 section 3.2)."""
    raw = request.values(name) if allow_query else request.params.get(name, [])
    found = list(dict.fromkeys(v for v in raw if v != ""))
    if len(found) > 1 and name not in MULTI_PARAMS:
        raise OAuthError("invalid_request", f"{name} must not be repeated")
    return found[0] if found else None


def runtime_of(services: Services) -> AuthRuntime:
    if services.auth is None:
        raise RuntimeError("The token service is not initialised (flowport.auth.runtime.build was not run)")
    return services.auth


def authenticate_client(services: Services, request: OAuthRequest, endpoint: str) -> ClientRow:
    """The authenticated client of the request, or an ``invalid_client`` / 429 OAuthError."""
    runtime = runtime_of(services)
    check_query(request)
    flat = {name: value for name in _CLIENT_PARAMS if (value := single(request, name)) is not None}
    query = {name: values[0] for name, values in request.query.items() if values}
    try:
        presented = client_auth.extract(request.authorization, flat, query)
    except ClientAuthError as exc:
        if exc.error != "invalid_client":
            raise OAuthError(exc.error, exc.description) from None
        presented = PresentedCredentials("client_secret_basic", None)
        _failed(services, runtime, request, presented, None, endpoint)
        raise _invalid_client(exc.description) from None
    subject = _subject(presented)
    lockout = runtime.limiter.check(subject, request.source_ip)
    if lockout is not None:
        raise OAuthError(
            "invalid_client",
            f"Too many failed authentication attempts; retry after {lockout.retry_after} seconds",
            status=429,
            headers={"Retry-After": str(lockout.retry_after)},
        )
    client = None
    if presented.client_id:
        client = runtime.clients.get(presented.client_id[:128])
    try:
        authenticated = client_auth.authenticate(
            presented,
            client,
            pepper=runtime.pepper,
            now=services.clock(),
            assertion_audiences=assertion_audiences(runtime.issuer),
            remember_assertion=lambda used: _remember(services, used),
        )
    except ClientAuthError as exc:
        _failed(services, runtime, request, presented, client, endpoint)
        raise _invalid_client(exc.description) from None
    runtime.limiter.succeeded(subject, request.source_ip)
    return authenticated


def revoke_family(conn: Connection, runtime: AuthRuntime, family_id: str, now: datetime) -> int:
    """Revoke a refresh-token family: its refresh tokens and every access token issued from it.

    Returns how many refresh tokens were still unrevoked.
    """
    runtime.revocations.revoke_family_in(conn, family_id)
    return token_repo.revoke_family(conn, family_id, now)


def client_grants(client: ClientRow) -> frozenset[str]:
    """What a client may do: its profile plus its extra permissions."""
    try:
        return grants(client.profile, client.permissions)
    except UnknownPermission:
        # A profile or permission name that no longer exists grants nothing rather than failing.
        known = [p for p in [client.profile, *client.permissions] if p and _known(p)]
        return expand(known)


def _known(name: str) -> bool:
    try:
        expand([name])
    except UnknownPermission:
        return False
    return True


def assertion_audiences(issuer: str) -> frozenset[str]:
    """RFC 7523 section 3: the ``aud`` of a client assertion names the issuer or one of our endpoints."""
    paths = [path for pair in ENDPOINT_PATHS.values() for path in pair]
    return frozenset([issuer, f"{issuer}/", *(issuer + path for path in paths)])


def _invalid_client(description: str) -> OAuthError:
    # RFC 6749 section 5.2 allows 401 for every invalid_client and requires it (with the
    # header) when Basic was used; RFC 9110 requires WWW-Authenticate on any 401.
    return OAuthError(
        "invalid_client", description, status=401, headers={"WWW-Authenticate": 'Basic realm="flowport"'}
    )


def _subject(presented: PresentedCredentials) -> str:
    return f"client:{(presented.client_id or '-')[:128]}"


def _remember(services: Services, used: UsedAssertion) -> bool:
    with write_transaction(services.db) as conn:
        return token_repo.use_assertion(conn, used.key[:320], used.expires_at, services.clock())


def _failed(
    services: Services,
    runtime: AuthRuntime,
    request: OAuthRequest,
    presented: PresentedCredentials,
    client: ClientRow | None,
    endpoint: str,
) -> None:
    """Count the failure and audit it; a lockout it starts is audited too."""
    subject = _subject(presented)
    lockout = runtime.limiter.failed(subject, request.source_ip)
    client_id = (presented.client_id or "")[:128] or None
    details: dict[str, Any] = {
        "endpoint": endpoint,
        "method": presented.method,
        "knownClient": client is not None,
        "clientFailures": runtime.limiter.subject_failures(subject),
    }
    env = client.env if client else None
    runtime.writes.event(
        audit.AUTH_FAILED,
        env=env,
        actor=client_id,
        subject=client_id,
        source_ip=request.source_ip,
        details=details,
    )
    if lockout is not None:
        runtime.writes.event(
            audit.LOCKOUT,
            env=env,
            actor=client_id,
            subject=client_id,
            source_ip=request.source_ip,
            details={"retryAfter": lockout.retry_after, "scope": lockout.scope, "endpoint": endpoint},
        )
