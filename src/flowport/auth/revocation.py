"""Token revocation (RFC 7009), for authenticated clients.

A client may revoke only tokens issued to itself; anything else (another client's token, an unknown
or expired one) is answered like a success, so a caller cannot probe which tokens exist. Revoking a
refresh token revokes its whole family and the access tokens issued from it (section 2.1).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection

from flowport.auth import audit_events, token_families
from flowport.auth.client_auth import authenticate_client
from flowport.auth.oauth_request import OAuthRequest
from flowport.auth.runtime import AuthRuntime
from flowport.auth.tokens import looks_like_jwt
from flowport.persistence.db import write_transaction
from flowport.persistence.repositories import audit as audit_repo
from flowport.persistence.repositories.clients import ClientRow


def revoke(runtime: AuthRuntime, request: OAuthRequest) -> None:
    """RFC 7009 section 2: revoke the token if it is the client's; the endpoint answers 200 either way."""
    client = authenticate_client(runtime, request, "revoke")
    token = request.required("token")
    if looks_like_jwt(token):
        _revoke_access(runtime, client, token, request)
    else:
        _revoke_refresh(runtime, client, token, request)


def _revoke_access(runtime: AuthRuntime, client: ClientRow, token: str, request: OAuthRequest) -> None:
    claims = runtime.active_access_claims(token)
    if claims is None or claims.get("client_id") != client.id:
        return
    expires_at = datetime.fromtimestamp(float(claims["exp"]), UTC)
    with write_transaction(runtime.db) as conn:
        runtime.revocations.revoke_in(conn, str(claims["jti"]), expires_at)
        _revoked(conn, client, request, {"jti": claims["jti"], "tokenType": "access_token"})


def _revoke_refresh(runtime: AuthRuntime, client: ClientRow, token: str, request: OAuthRequest) -> None:
    with write_transaction(runtime.db) as conn:
        row = token_families.find(runtime, token, conn)
        if row is None or row.client_id != client.id:
            return
        revoked = token_families.revoke_family(conn, runtime, row.family_id, request.at)
        details = {"familyId": row.family_id, "tokenType": "refresh_token", "revoked": revoked}
        _revoked(conn, client, request, details)


def _revoked(conn: Connection, client: ClientRow, request: OAuthRequest, details: dict[str, Any]) -> None:
    event = audit_events.caused_by(
        audit_events.TOKEN_REVOKED, client.id, env=client.env, source_ip=request.source_ip, details=details
    )
    audit_repo.insert(conn, [event])
