"""The token endpoint (RFC 6749 section 3.2): the client-credentials and refresh-token grants.

The common case, a client-credentials token for a client authenticated by its secret, reads a
cached client row and writes nothing (audit and last-used times are written behind); a refresh
token is rotated in one write transaction.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from flowport.auth import audit_events, token_families
from flowport.auth.client_auth import authenticate_client
from flowport.auth.oauth_request import OAuthError, OAuthRequest
from flowport.auth.runtime import AuthRuntime
from flowport.auth.tokens import AccessToken, issue_access_token
from flowport.permissions import WHOLE_GRANT_SCOPES, UnknownPermission, expand, known_grants, parse_scope
from flowport.persistence.db import write_transaction
from flowport.persistence.repositories import audit as audit_repo
from flowport.persistence.repositories.clients import ClientRow

GRANT_TYPES = ("client_credentials", "refresh_token")


def token(runtime: AuthRuntime, request: OAuthRequest) -> dict[str, Any]:
    """Answer a token request (RFC 6749 sections 4.4 and 6) with the section 5.1 response body."""
    client = authenticate_client(runtime, request, "token")
    grant_type = request.single("grant_type", allow_query=True)
    if not grant_type:
        raise OAuthError("invalid_request", "grant_type is required")
    if grant_type == "client_credentials":
        return _client_credentials(runtime, request, client)
    if grant_type == "refresh_token":
        return _refresh(runtime, request, client)
    raise OAuthError("unsupported_grant_type", f"Supported grant types: {', '.join(GRANT_TYPES)}")


def _client_credentials(runtime: AuthRuntime, request: OAuthRequest, client: ClientRow) -> dict[str, Any]:
    granted = known_grants(client.profile, client.permissions)
    scope = narrow_scope(request.single("scope", allow_query=True), granted)
    audience = requested_audience(
        request, allowed=[*runtime.api_audiences, *_extra_audiences(runtime, client)]
    )
    family_id = uuid.uuid4().hex if client.refresh_tokens else None
    access = _issue(runtime, client, scope, audience, request.at, family_id)
    refresh = None
    if family_id is not None:
        with write_transaction(runtime.db) as conn:
            refresh = token_families.issue(conn, runtime, client, scope, audience, request.at, family_id)
    _issued(runtime, request, client, access, "client_credentials")
    return _response(access, scope, refresh)


def _refresh(runtime: AuthRuntime, request: OAuthRequest, client: ClientRow) -> dict[str, Any]:
    """RFC 6749 section 6, rotating the token on every use (RFC 9700 section 4.14.2)."""
    if not client.refresh_tokens:
        raise OAuthError("unauthorized_client", "This client is not configured to use refresh tokens")
    presented = request.required("refresh_token")
    now = request.at
    with write_transaction(runtime.db) as conn:
        row = token_families.find(runtime, presented, conn)
        if row is None or row.client_id != client.id or row.revoked_at is not None or row.expires_at <= now:
            outcome = "invalid"
        elif row.used_at is not None or not token_families.mark_used(conn, runtime, presented, now):
            # A used token came back: it was stolen, or its rotation was lost. Stop the whole family,
            # with the access tokens issued from it (the thief may hold one).
            token_families.revoke_family(conn, runtime, row.family_id, now)
            reuse = audit_events.caused_by(
                audit_events.REFRESH_REUSE,
                client.id,
                env=row.env,
                source_ip=request.source_ip,
                details={"familyId": row.family_id},
            )
            audit_repo.insert(conn, [reuse])
            outcome = "reuse"
        else:
            original = set(parse_scope(row.scope))
            granted = frozenset(original) & known_grants(client.profile, client.permissions)
            scope = narrow_scope(request.single("scope"), granted)
            audience = requested_audience(request, allowed=row.audience, default=row.audience)
            access = _issue(runtime, client, scope, audience, now, row.family_id)
            refresh = token_families.issue(
                conn, runtime, client, sorted(original), row.audience, now, row.family_id
            )
            token_families.prune(conn, client.id, now)
            outcome = "ok"
    if outcome != "ok":
        raise OAuthError(
            "invalid_grant", "The refresh token is invalid, expired, revoked or was already used"
        )
    _issued(runtime, request, client, access, "refresh_token")
    return _response(access, scope, refresh)


def narrow_scope(requested: str | None, granted: frozenset[str]) -> list[str]:
    """RFC 6749 section 3.3: ``scope`` narrows the grant; permissions, profiles and aliases count.

    No scope, or only names of :data:`WHOLE_GRANT_SCOPES`, asks for everything granted.
    """
    names = [name for name in parse_scope(requested) if name not in WHOLE_GRANT_SCOPES]
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


def _extra_audiences(runtime: AuthRuntime, client: ClientRow) -> list[str]:
    return [a for a in client.audiences if a not in runtime.api_audiences]


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


def _issued(
    runtime: AuthRuntime, request: OAuthRequest, client: ClientRow, access: AccessToken, grant_type: str
) -> None:
    """Audit and last-used time, written behind (no write on the client-credentials hot path)."""
    details = {"jti": access.jti, "grantType": grant_type, "scope": access.claims["scope"]}
    runtime.writes.record(
        audit_events.caused_by(
            audit_events.TOKEN_ISSUED, client.id, env=client.env, source_ip=request.source_ip, details=details
        )
    )
    runtime.writes.touch(client.id, request.at)


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
