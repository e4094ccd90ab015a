"""Client authentication at the token, introspection and revocation endpoints (RFC 6749 section 2.3).

Methods: ``client_secret_basic`` (HTTP Basic with form-urlencoded id and secret, RFC 6749 section
2.3.1), ``client_secret_post`` (body parameters) and ``private_key_jwt`` (RFC 7523, see
:mod:`flowport.auth.client_assertion`). Every failure that concerns the client itself (unknown,
disabled, wrong secret, bad assertion) is the same ``invalid_client``, so the answer never tells which.

:func:`extract` and :func:`authenticate` are pure (no database, no clock); :func:`authenticate_client`
is what the endpoints call: it adds the failure limiter (a (client, address) pair that is locked out
is answered 429 with ``Retry-After`` before its credentials are looked at), the client cache, the
replay store for assertions, and the audit of failures.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal
from urllib.parse import unquote_plus

from flowport.auth import audit_events, client_assertion
from flowport.auth.client_assertion import JWT_BEARER, InvalidAssertion, UsedAssertion
from flowport.auth.client_secrets import hash_secret, secret_matches
from flowport.auth.oauth_request import OAuthError, OAuthRequest
from flowport.auth.runtime import AuthRuntime
from flowport.persistence.db import write_transaction
from flowport.persistence.repositories import tokens as token_repo
from flowport.persistence.repositories.clients import ClientRow

_UNUSED_HASH = hash_secret("unused", b"\0" * 32)  # compared against when the client is unknown
_CLIENT_PARAMS = ("client_id", "client_secret", "client_assertion", "client_assertion_type")

Method = Literal["client_secret_basic", "client_secret_post", "private_key_jwt", "none"]


class ClientAuthError(Exception):
    """RFC 6749 section 5.2 error of client authentication (``invalid_client`` or ``invalid_request``)."""

    def __init__(self, error: str, description: str, *, basic: bool = False) -> None:
        super().__init__(description)
        self.error = error
        self.description = description
        self.basic = basic  # answer 401 with WWW-Authenticate: Basic (RFC 6749 section 5.2)


@dataclass(frozen=True)
class PresentedCredentials:
    """What a request offered to authenticate its client, before any check."""

    method: Method
    client_id: str | None
    secret: str | None = None
    assertion: str | None = None

    @property
    def basic(self) -> bool:
        return self.method == "client_secret_basic"


def _invalid(description: str = "Client authentication failed", *, basic: bool = False) -> ClientAuthError:
    return ClientAuthError("invalid_client", description, basic=basic)


def extract(
    authorization: str | None, params: Mapping[str, str], query: Mapping[str, str]
) -> PresentedCredentials:
    """Find the client's credentials in the Authorization header, the body and the query string.

    Secrets and assertions in the query string are refused (RFC 6749 section 2.3.1: they would end up
    in logs); using more than one method at once is refused (RFC 6749 section 2.3).
    """
    if "client_secret" in query or "client_assertion" in query:
        raise ClientAuthError("invalid_request", "Client credentials must not be sent in the query string")
    basic = _basic(authorization)
    body_secret = params.get("client_secret")
    assertion = params.get("client_assertion")
    used = [m for m, present in (("basic", basic), ("post", body_secret), ("jwt", assertion)) if present]
    if len(used) > 1:
        raise ClientAuthError("invalid_request", "Use exactly one client authentication method")
    body_id = params.get("client_id") or None
    if basic is not None:
        client_id, secret = basic
        if body_id is not None and body_id != client_id:
            raise ClientAuthError("invalid_request", "client_id differs from the HTTP Basic user name")
        return PresentedCredentials("client_secret_basic", client_id, secret=secret)
    if assertion:
        if params.get("client_assertion_type") != JWT_BEARER:
            raise ClientAuthError("invalid_request", f"client_assertion_type must be {JWT_BEARER}")
        issuer = body_id or client_assertion.unverified_issuer(assertion)
        return PresentedCredentials("private_key_jwt", issuer, assertion=assertion)
    if body_secret is not None:
        return PresentedCredentials("client_secret_post", body_id, secret=body_secret)
    return PresentedCredentials("none", body_id)


def _basic(authorization: str | None) -> tuple[str, str] | None:
    if not authorization:
        return None
    scheme, _, value = authorization.strip().partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise _invalid("Malformed HTTP Basic credentials", basic=True) from None
    user, sep, password = decoded.partition(":")
    if not sep or not user:
        raise _invalid("Malformed HTTP Basic credentials", basic=True)
    # RFC 6749 section 2.3.1: id and secret are form-urlencoded before Basic encoding.
    return unquote_plus(user), unquote_plus(password)


def authenticate(
    presented: PresentedCredentials,
    client: ClientRow | None,
    *,
    pepper: bytes,
    now: datetime,
    assertion_audiences: Collection[str],
    remember_assertion: Callable[[UsedAssertion], bool] | None = None,
) -> ClientRow:
    """Check presented credentials against the client row; return the client or raise invalid_client."""
    if presented.method == "none":
        raise _invalid("Client authentication is required (HTTP Basic, client_secret or client_assertion)")
    if presented.method == "private_key_jwt":
        try:
            client_assertion.check(
                presented.assertion or "", client, now, assertion_audiences, remember_assertion
            )
        except InvalidAssertion as exc:
            raise _invalid(str(exc)) from None
    elif not _secret_ok(presented.secret or "", client, pepper, now):
        raise _invalid(basic=presented.basic)
    assert client is not None
    if not client.enabled:
        raise _invalid(basic=presented.basic)
    return client


def _secret_ok(secret: str, client: ClientRow | None, pepper: bytes, now: datetime) -> bool:
    """Both stored hashes are always compared, in constant time, so timing tells nothing."""
    if client is None:
        secret_matches(secret, _UNUSED_HASH, pepper)
        secret_matches(secret, _UNUSED_HASH, pepper)
        return False
    current = secret_matches(secret, client.secret_hash, pepper)
    grace = client.previous_secret_expires_at
    previous_hash = client.previous_secret_hash if grace is not None and grace > now else None
    previous = secret_matches(secret, previous_hash, pepper)
    return current or previous


# --- at an endpoint: limiter, cache, replay store, audit ------------------------------------------


def authenticate_client(runtime: AuthRuntime, request: OAuthRequest, endpoint: str) -> ClientRow:
    """The authenticated client of the request, or an ``invalid_client`` / 429 OAuthError."""
    request.check_query()
    flat = {name: value for name in _CLIENT_PARAMS if (value := request.single(name)) is not None}
    query = {name: values[0] for name, values in request.query.items() if values}
    try:
        presented = extract(request.authorization, flat, query)
    except ClientAuthError as exc:
        if exc.error != "invalid_client":
            raise OAuthError(exc.error, exc.description) from None
        presented = PresentedCredentials("client_secret_basic", None)
        _failed(runtime, request, presented, None, endpoint)
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
    client = runtime.clients.get(presented.client_id[:128]) if presented.client_id else None
    try:
        authenticated = authenticate(
            presented,
            client,
            pepper=runtime.pepper,
            now=request.at,
            assertion_audiences=client_assertion.audiences(runtime.issuer),
            remember_assertion=lambda used: _remember(runtime, used, request.at),
        )
    except ClientAuthError as exc:
        _failed(runtime, request, presented, client, endpoint)
        raise _invalid_client(exc.description) from None
    runtime.limiter.succeeded(subject, request.source_ip)
    return authenticated


def _invalid_client(description: str) -> OAuthError:
    # RFC 6749 section 5.2 allows 401 for every invalid_client and requires it (with the
    # header) when Basic was used; RFC 9110 requires WWW-Authenticate on any 401.
    return OAuthError(
        "invalid_client", description, status=401, headers={"WWW-Authenticate": 'Basic realm="flowport"'}
    )


def _subject(presented: PresentedCredentials) -> str:
    return f"client:{(presented.client_id or '-')[:128]}"


def _remember(runtime: AuthRuntime, used: UsedAssertion, now: datetime) -> bool:
    with write_transaction(runtime.db) as conn:
        return token_repo.use_assertion(conn, used.key[:320], used.expires_at, now)


def _failed(
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
    runtime.writes.record(
        audit_events.caused_by(
            audit_events.AUTH_FAILED, client_id, env=env, source_ip=request.source_ip, details=details
        )
    )
    if lockout is not None:
        lockout_details = {"retryAfter": lockout.retry_after, "scope": lockout.scope, "endpoint": endpoint}
        runtime.writes.record(
            audit_events.caused_by(
                audit_events.LOCKOUT, client_id, env=env, source_ip=request.source_ip, details=lockout_details
            )
        )
