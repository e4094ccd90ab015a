"""The token endpoint (RFC 6749 section 3.2): client credentials and refresh-token grants.

Request parsing, client authentication and errors shared with introspection and revocation live in
:mod:`flowport.services.oauth_requests`.
"""

from __future__ import annotations

import secrets
import uuid
from datetime import datetime, timedelta
from typing import Any

from flowport.auth.client_secrets import hash_token
from flowport.auth.permissions import UnknownPermission, expand, parse_scope
from flowport.auth.runtime import AuthRuntime
from flowport.auth.tokens import AccessToken, issue_access_token
from flowport.persistence.db import write_transaction
from flowport.persistence.repositories import tokens as token_repo
from flowport.persistence.repositories.clients import ClientRow
from flowport.persistence.repositories.tokens import RefreshRow
from flowport.services import audit
from flowport.services.context import Services
from flowport.services.oauth_requests import (
    OAuthError,
    OAuthRequest,
    authenticate_client,
    client_grants,
    revoke_family,
    runtime_of,
    single,
)

GRANT_TYPES = ("client_credentials", "refresh_token")
REFRESH_TOKEN_BYTES = 32  # 256 bits


def token(services: Services, request: OAuthRequest) -> dict[str, Any]:
    """Answer a token request (RFC 6749 sections 4.4 and 6) with the section 5.1 response body.

    The common case, a client-credentials token for a client authenticated by its secret, reads a
    cached client row and writes nothing (audit and last-used times are written behind).
    """
    runtime = runtime_of(services)
    client = authenticate_client(services, request, "token")
    grant_type = single(request, "grant_type", allow_query=True)
    if not grant_type:
        raise OAuthError("invalid_request", "grant_type is required")
    if grant_type == "client_credentials":
        return _client_credentials(services, runtime, request, client)
    if grant_type == "refresh_token":
        return _refresh(services, runtime, request, client)
    raise OAuthError("unsupported_grant_type", f"Supported grant types: {', '.join(GRANT_TYPES)}")


def _client_credentials(
    services: Services, runtime: AuthRuntime, request: OAuthRequest, client: ClientRow
) -> dict[str, Any]:
    scope = narrow_scope(single(request, "scope", allow_query=True), client_grants(client))
    audience = requested_audience(request, allowed=_allowed_audiences(services, client))
    now = services.clock()
    family_id = uuid.uuid4().hex if client.refresh_tokens else None
    access = _issue(services, runtime, client, scope, audience, now, family_id)
    refresh = None
    if family_id is not None:
        with write_transaction(services.db) as conn:
            refresh = _new_refresh(conn, runtime, client, scope, audience, now, family_id)
    _issued(services, runtime, request, client, access, "client_credentials")
    return _response(access, scope, refresh)


def _refresh(
    services: Services, runtime: AuthRuntime, request: OAuthRequest, client: ClientRow
) -> dict[str, Any]:
    """RFC 6749 section 6, rotating the token on every use (RFC 9700 section 4.14.2)."""
    if not client.refresh_tokens:
        raise OAuthError("unauthorized_client", "This client is not configured to use refresh tokens")
    presented = single(request, "refresh_token")
    if not presented:
        raise OAuthError("invalid_request", "refresh_token is required")
    token_hash = hash_token(presented, runtime.pepper)
    now = services.clock()
    with write_transaction(services.db) as conn:
        row = token_repo.get_refresh(conn, token_hash)
        if row is None or row.client_id != client.id or row.revoked_at is not None or row.expires_at <= now:
            outcome = "invalid"
        elif row.used_at is not None or not token_repo.mark_used(conn, token_hash, now):
            # A used token came back: it was stolen, or its rotation was lost. Stop the whole family,
            # with the access tokens issued from it (the thief may hold one).
            revoke_family(conn, runtime, row.family_id, now)
            audit.record(
                conn,
                audit.REFRESH_REUSE,
                env=row.env,
                actor=client.id,
                subject=client.id,
                source_ip=request.source_ip,
                details={"familyId": row.family_id},
            )
            outcome = "reuse"
        else:
            original = set(parse_scope(row.scope))
            scope = narrow_scope(single(request, "scope"), frozenset(original) & client_grants(client))
            audience = requested_audience(request, allowed=row.audience, default=row.audience)
            access = _issue(services, runtime, client, scope, audience, now, row.family_id)
            refresh = _new_refresh(conn, runtime, client, sorted(original), row.audience, now, row.family_id)
            token_repo.prune_refresh(conn, client.id, now)
            outcome = "ok"
    if outcome != "ok":
        raise OAuthError(
            "invalid_grant", "The refresh token is invalid, expired, revoked or was already used"
        )
    _issued(services, runtime, request, client, access, "refresh_token")
    return _response(access, scope, refresh)


def narrow_scope(requested: str | None, granted: frozenset[str]) -> list[str]:
    """RFC 6749 section 3.3: ``scope`` narrows the grant; permissions, profiles and aliases count."""
    names = parse_scope(requested)
    if not names:
        return sorted(granted)
    try:
        wanted = expand(names)
    except UnknownPermission as exc:
        raise OAuthError("invalid_scope", str(exc)) from None
    beyond = wanted - granted
    if beyond:
        raise OAuthError("invalid_scope", f"Not granted to this client: {' '.join(sorted(beyond))}")
    return sorted(wanted)


def _allowed_audiences(services: Services, client: ClientRow) -> list[str]:
    api = services.settings.auth.audience
    return [api, *(a for a in client.audiences if a != api)]


def requested_audience(
    request: OAuthRequest, *, allowed: list[str], default: list[str] | None = None
) -> list[str]:
    """``audience`` (Camunda, RFC 8693 style) or ``resource`` (RFC 8707) from the allowed ones."""
    wanted = [*request.values("audience"), *request.values("resource")]
    if not wanted:
        return list(default) if default is not None else allowed[:1]
    refused = [a for a in wanted if a not in allowed]
    if refused:
        raise OAuthError("invalid_target", f"Audience not allowed for this client: {' '.join(refused)}")
    return list(dict.fromkeys(wanted))


def _issue(
    services: Services,
    runtime: AuthRuntime,
    client: ClientRow,
    scope: list[str],
    audience: list[str],
    now: datetime,
    family_id: str | None = None,
) -> AccessToken:
    return issue_access_token(
        runtime.keyring,
        issuer=runtime.issuer,
        client_id=client.id,
        audience=audience,
        scope=scope,
        env=client.env,
        lifetime=client.token_lifetime,
        now=now,
        family_id=family_id,
        extra={"visibility": client.visibility},
    )


def _new_refresh(
    conn: Any,
    runtime: AuthRuntime,
    client: ClientRow,
    scope: list[str],
    audience: list[str],
    now: datetime,
    family_id: str,
) -> str:
    """A new opaque refresh token (256 bits); only its keyed hash is stored."""
    value = secrets.token_urlsafe(REFRESH_TOKEN_BYTES)
    lifetime = timedelta(seconds=runtime.refresh_token_lifetime)
    token_repo.insert_refresh(
        conn,
        RefreshRow(
            token_hash=hash_token(value, runtime.pepper),
            family_id=family_id,
            client_id=client.id,
            env=client.env,
            scope=" ".join(scope),
            audience=list(audience),
            created_at=now,
            expires_at=now + lifetime,
            used_at=None,
            revoked_at=None,
        ),
    )
    return value


def _issued(
    services: Services,
    runtime: AuthRuntime,
    request: OAuthRequest,
    client: ClientRow,
    access: AccessToken,
    grant_type: str,
) -> None:
    """Audit and last-used time, written behind (no write on the client-credentials hot path)."""
    runtime.writes.event(
        audit.TOKEN_ISSUED,
        env=client.env,
        actor=client.id,
        subject=client.id,
        source_ip=request.source_ip,
        details={"jti": access.jti, "grantType": grant_type, "scope": access.claims["scope"]},
    )
    runtime.writes.touch(client.id, services.clock())


def _response(access: AccessToken, scope: list[str], refresh: str | None) -> dict[str, Any]:
    """RFC 6749 section 5.1."""
    body: dict[str, Any] = {
        "access_token": access.token,
        "token_type": "Bearer",
        "expires_in": access.expires_in,
        "scope": " ".join(scope),
    }
    if refresh is not None:
        body["refresh_token"] = refresh
    return body
