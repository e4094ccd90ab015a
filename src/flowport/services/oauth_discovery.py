"""Authorization server metadata (RFC 8414, OpenID Connect Discovery 1.0) and the JWKS (RFC 7517)."""

from __future__ import annotations

from typing import Any

from flowport.auth.client_auth import ASSERTION_ALGORITHMS
from flowport.auth.permissions import CATALOG, PROFILES
from flowport.services.context import Services
from flowport.services.oauth import GRANT_TYPES
from flowport.services.oauth_requests import runtime_of

AUTH_METHODS = ["client_secret_basic", "client_secret_post", "private_key_jwt"]
JWKS_PATH = "/.well-known/jwks.json"


def enabled(services: Services) -> bool:
    """The built-in token service is off in ``external`` mode (its endpoints answer 404)."""
    return services.settings.auth.mode != "external"


def metadata(services: Services) -> dict[str, Any]:
    """RFC 8414 section 2; the issuer is the configured public URL, right behind a reverse proxy."""
    issuer = services.settings.effective_public_url
    runtime = runtime_of(services)
    algorithms = list(ASSERTION_ALGORITHMS)
    return {
        "issuer": issuer,
        "token_endpoint": f"{issuer}/connect/token",
        "introspection_endpoint": f"{issuer}/connect/introspect",
        "revocation_endpoint": f"{issuer}/connect/revoke",
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
        "scopes_supported": [*sorted(CATALOG), *sorted(PROFILES)],
        "access_token_signing_alg_values_supported": [runtime.keyring.signing_key().alg],
        "claims_supported": ["iss", "sub", "aud", "exp", "iat", "nbf", "jti", "client_id", "scope", "env"],
        "subject_types_supported": ["public"],
        "service_documentation": f"{issuer}/docs",
    }


def jwks(services: Services) -> dict[str, Any]:
    return runtime_of(services).keyring.public_jwks()
