"""Where the token service answers: its endpoints' paths (the metadata of RFC 8414 names them).

Each endpoint has Flowport's (OpenID Connect style) path first and the ``/oauth/...`` path that SAP's
and other products' clients call second; both behave the same.
"""

from __future__ import annotations

TOKEN_PATHS = ("/connect/token", "/oauth/token")
INTROSPECT_PATHS = ("/connect/introspect", "/oauth/introspect")
REVOKE_PATHS = ("/connect/revoke", "/oauth/revoke")
DISCOVERY_PATHS = ("/.well-known/openid-configuration", "/.well-known/oauth-authorization-server")
JWKS_PATH = "/.well-known/jwks.json"

# Endpoints where a client authenticates (and so where a client assertion may be addressed).
CLIENT_ENDPOINT_PATHS = (*TOKEN_PATHS, *INTROSPECT_PATHS, *REVOKE_PATHS)
PUBLIC_PATHS: frozenset[str] = frozenset((*CLIENT_ENDPOINT_PATHS, *DISCOVERY_PATHS, JWKS_PATH))
