"""Authorization server metadata (RFC 8414, OpenID Connect Discovery 1.0) and the JWKS (RFC 7517)."""

from __future__ import annotations

from typing import Any

from flowport.auth.client_assertion import ASSERTION_ALGORITHMS
from flowport.auth.endpoints import INTROSPECT_PATHS, JWKS_PATH, REVOKE_PATHS
from flowport.auth.runtime import AuthRuntime
from flowport.auth.token_endpoint import GRANT_TYPES
from flowport.permissions import CATALOG, PROFILES, WHOLE_GRANT_SCOPES

AUTH_METHODS = ["client_secret_basic", "client_secret_post", "private_key_jwt"]


def metadata(runtime: AuthRuntime) -> dict[str, Any]:
    """RFC 8414 section 2; the issuer is the configured public URL, right behind a reverse proxy."""
    issuer = runtime.issuer
    algorithms = list(ASSERTION_ALGORITHMS)
    return {
        "issuer": issuer,
        "token_endpoint": runtime.token_endpoint,
        "introspection_endpoint": f"{issuer}{INTROSPECT_PATHS[0]}",
        "revocation_endpoint": f"{issuer}{REVOKE_PATHS[0]}",
        "jwks_uri": f"{issuer}{JWKS_PATH}",
        "grant_types_supported": list(GRANT_TYPES),
        # No authorization endpoint: only grants without a browser redirect are offered.
        "response_types_supported": [],
        "token_endpoint_auth_methods_supported": AUTH_METHODS,
        "token_endpoint_auth_signing_alg_values_supported": algorithms,
        "introspection_endpoint_auth_methods_supported": AUTH_METHODS,
        "introspection_endpoint_auth_signing_alg_values_supported": algorithms,
        "revocation_endpoint_auth_methods_supported": AUTH_METHODS,
        "revocation_endpoint_auth_signing_alg_values_supported": algorithms,
        "scopes_supported": [*sorted(CATALOG), *sorted(PROFILES), *sorted(WHOLE_GRANT_SCOPES)],
        "access_token_signing_alg_values_supported": [runtime.keyring.signing_key().alg],
        "claims_supported": ["iss", "sub", "aud", "exp", "iat", "nbf", "jti", "client_id", "scope", "env"],
        "subject_types_supported": ["public"],
        "service_documentation": f"{issuer}/docs",
    }


def jwks(runtime: AuthRuntime) -> dict[str, Any]:
    """The public keys that verify our tokens (retired keys stay published while tokens may live)."""
    return runtime.keyring.public_jwks()
