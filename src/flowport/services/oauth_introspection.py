"""Token introspection (RFC 7662) and revocation (RFC 7009), for authenticated clients.

Who may look at what (RFC 7662 section 4): a client may introspect its own tokens, and a client
holding ``tokens:introspect`` (a resource server; the Admin profile has it) also the access tokens
of other clients in its environment. Refresh tokens are shown to their own client only, and a
client may revoke only tokens issued to itself. Anything else looks like an unknown token:
``{"active": false}`` or a silent 200, so a caller cannot probe which tokens exist.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flowport.auth.client_secrets import hash_token
from flowport.auth.permissions import TOKENS_INTROSPECT
from flowport.auth.runtime import AuthRuntime
from flowport.auth.tokens import InvalidToken, check_claims, verify_signature
from flowport.persistence.db import read_transaction, write_transaction
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

INACTIVE: dict[str, Any] = {"active": False}
_INTROSPECTED_CLAIMS = ("scope", "client_id", "sub", "aud", "iss", "exp", "iat", "nbf", "jti", "env")


def _token_param(request: OAuthRequest) -> tuple[str, str | None]:
    value = single(request, "token")
    if not value:
        raise OAuthError("invalid_request", "token is required")
    return value, single(request, "token_type_hint")


def _looks_like_jwt(token: str) -> bool:
    return token.count(".") == 2


def _access_claims(runtime: AuthRuntime, token: str) -> dict[str, Any] | None:
    """Claims of an unexpired, unrevoked access token of ours (any audience), else None."""
    try:
        claims = verify_signature(token, runtime.keyring)
        check_claims(claims, issuer=runtime.issuer, audience=None, leeway=0)
    except InvalidToken:
        return None
    if runtime.revocations.revokes(claims):
        return None
    return claims


def introspect(services: Services, request: OAuthRequest) -> dict[str, Any]:
    """RFC 7662 section 2.2 response for the presented token."""
    runtime = runtime_of(services)
    client = authenticate_client(services, request, "introspect")
    token, _hint = _token_param(request)
    if _looks_like_jwt(token):
        claims = _access_claims(runtime, token)
        if claims is None or not _may_introspect(client, claims):
            return INACTIVE
        found = {name: claims[name] for name in _INTROSPECTED_CLAIMS if name in claims}
        return {"active": True, **found, "token_type": "Bearer"}
    row = _refresh_row(services, runtime, token)
    now = services.clock()
    if row is None or row.client_id != client.id or not _refresh_active(row, now):
        return INACTIVE
    return {
        "active": True,
        "scope": row.scope,
        "client_id": row.client_id,
        "sub": row.client_id,
        "exp": int(row.expires_at.timestamp()),
        "iat": int(row.created_at.timestamp()),
        "env": row.env,
        "token_type": "refresh_token",
    }


def _may_introspect(client: ClientRow, claims: dict[str, Any]) -> bool:
    """The token's own client, or a holder of ``tokens:introspect`` in the token's environment."""
    if claims.get("client_id") == client.id:
        return True
    return claims.get("env") == client.env and TOKENS_INTROSPECT in client_grants(client)


def revoke(services: Services, request: OAuthRequest) -> None:
    """RFC 7009 section 2: revoke the token if it is the client's; answer 200 either way."""
    runtime = runtime_of(services)
    client = authenticate_client(services, request, "revoke")
    token, _hint = _token_param(request)
    if _looks_like_jwt(token):
        _revoke_access(services, runtime, client, token, request.source_ip)
    else:
        _revoke_refresh(services, runtime, client, token, request.source_ip)


def _revoke_access(
    services: Services, runtime: AuthRuntime, client: ClientRow, token: str, source_ip: str
) -> None:
    claims = _access_claims(runtime, token)
    if claims is None or claims.get("client_id") != client.id:
        return
    expires_at = datetime.fromtimestamp(float(claims["exp"]), UTC)
    with write_transaction(services.db) as conn:
        runtime.revocations.revoke_in(conn, str(claims["jti"]), expires_at)
        audit.record(
            conn,
            audit.TOKEN_REVOKED,
            env=client.env,
            actor=client.id,
            subject=client.id,
            source_ip=source_ip,
            details={"jti": claims["jti"], "tokenType": "access_token"},
        )


def _revoke_refresh(
    services: Services, runtime: AuthRuntime, client: ClientRow, token: str, source_ip: str
) -> None:
    """Revoking a refresh token revokes its whole family and its access tokens (RFC 7009 section 2.1)."""
    token_hash = hash_token(token, runtime.pepper)
    with write_transaction(services.db) as conn:
        row = token_repo.get_refresh(conn, token_hash)
        if row is None or row.client_id != client.id:
            return
        revoked = revoke_family(conn, runtime, row.family_id, services.clock())
        audit.record(
            conn,
            audit.TOKEN_REVOKED,
            env=client.env,
            actor=client.id,
            subject=client.id,
            source_ip=source_ip,
            details={"familyId": row.family_id, "tokenType": "refresh_token", "revoked": revoked},
        )


def _refresh_row(services: Services, runtime: AuthRuntime, token: str) -> RefreshRow | None:
    with read_transaction(services.db) as conn:
        return token_repo.get_refresh(conn, hash_token(token, runtime.pepper))


def _refresh_active(row: RefreshRow, now: datetime) -> bool:
    return row.used_at is None and row.revoked_at is None and row.expires_at > now
