"""Token introspection (RFC 7662), for authenticated clients.

Who may look at what (RFC 7662 section 4): a client may introspect its own tokens, and a client
holding ``tokens:introspect`` (a resource server; the Admin profile has it) also the access tokens
of other clients in its environment. Refresh tokens are shown to their own client only. Anything
else looks like an unknown token, ``{"active": false}``, so a caller cannot probe which tokens exist.
"""

from __future__ import annotations

from typing import Any

from flowport.auth import token_families
from flowport.auth.client_auth import authenticate_client
from flowport.auth.oauth_request import OAuthRequest
from flowport.auth.runtime import AuthRuntime
from flowport.auth.tokens import looks_like_jwt
from flowport.permissions import TOKENS_INTROSPECT, known_grants
from flowport.persistence.repositories.clients import ClientRow

_INTROSPECTED_CLAIMS = ("scope", "client_id", "sub", "aud", "iss", "exp", "iat", "nbf", "jti", "env")


def introspect(runtime: AuthRuntime, request: OAuthRequest) -> dict[str, Any]:
    """RFC 7662 section 2.2 response for the presented token (``token_type_hint`` is not needed)."""
    client = authenticate_client(runtime, request, "introspect")
    token = request.required("token")
    if looks_like_jwt(token):
        claims = runtime.active_access_claims(token)
        if claims is None or not _may_introspect(client, claims):
            return _inactive()
        found = {name: claims[name] for name in _INTROSPECTED_CLAIMS if name in claims}
        return {"active": True, **found, "token_type": "Bearer"}
    row = token_families.find(runtime, token)
    if row is None or row.client_id != client.id or not token_families.is_active(row, request.at):
        return _inactive()
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


def _inactive() -> dict[str, Any]:
    return {"active": False}


def _may_introspect(client: ClientRow, claims: dict[str, Any]) -> bool:
    """The token's own client, or a holder of ``tokens:introspect`` in the token's environment."""
    if claims.get("client_id") == client.id:
        return True
    grants = known_grants(client.profile, client.permissions)
    return claims.get("env") == client.env and TOKENS_INTROSPECT in grants
