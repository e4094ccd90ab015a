"""``private_key_jwt`` client authentication (RFC 7523 sections 2.2 and 3): a JWT the client signed.

The client registers its public keys (``jwks``); it authenticates with an assertion whose ``iss`` and
``sub`` are its id, whose ``aud`` names this server or one of its endpoints, that expires within
:data:`MAX_ASSERTION_LIFETIME` and whose ``jti`` is used only once.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from flowport.auth.endpoints import CLIENT_ENDPOINT_PATHS
from flowport.persistence.repositories.clients import ClientRow

JWT_BEARER = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
ASSERTION_ALGORITHMS = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "EdDSA")
MAX_ASSERTION_LIFETIME = 3600  # seconds: bounds how long used assertion ids must be remembered
_LEEWAY = 30
_PRIVATE_MEMBERS = frozenset({"d", "p", "q", "dp", "dq", "qi", "k"})


class InvalidAssertion(Exception):
    """The assertion does not authenticate the client (the reason is for the client, not a secret)."""


@dataclass(frozen=True)
class UsedAssertion:
    """An assertion id to remember until ``expires_at`` so it cannot be used twice."""

    key: str
    expires_at: datetime


def audiences(issuer: str) -> frozenset[str]:
    """RFC 7523 section 3: the ``aud`` of a client assertion names the issuer or one of our endpoints."""
    return frozenset([issuer, f"{issuer}/", *(issuer + path for path in CLIENT_ENDPOINT_PATHS)])


def unverified_issuer(assertion: str) -> str | None:
    """The assertion's ``iss``, only to find the client whose keys will verify it."""
    try:
        payload = assertion.split(".")[1]
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    except (IndexError, ValueError, TypeError):
        return None
    iss = claims.get("iss") if isinstance(claims, dict) else None
    return iss if isinstance(iss, str) and iss else None


def check(
    assertion: str,
    client: ClientRow | None,
    now: datetime,
    allowed_audiences: Collection[str],
    remember: Callable[[UsedAssertion], bool] | None,
) -> None:
    """Raise :class:`InvalidAssertion` unless ``assertion`` authenticates ``client``.

    ``remember`` stores the assertion's id and answers False when it was stored before (a replay).
    """
    if client is None or not client.jwks:
        raise InvalidAssertion("Client authentication failed")
    try:
        keys = KeySet.import_key_set(_public_jwks(client.jwks))  # type: ignore[arg-type]
        claims: dict[str, Any] = jwt.decode(assertion, keys, algorithms=ASSERTION_ALGORITHMS).claims
    except (JoseError, ValueError, TypeError, KeyError):
        raise InvalidAssertion("The client assertion is not valid") from None
    at = now.timestamp()
    aud = claims.get("aud")
    aud_list = aud if isinstance(aud, list) else [aud]
    exp, jti = claims.get("exp"), claims.get("jti")
    problems = [
        claims.get("iss") != client.id or claims.get("sub") != client.id,
        not any(a in allowed_audiences for a in aud_list),
        not isinstance(exp, int | float) or at > exp + _LEEWAY,
        isinstance(exp, int | float) and exp - at > MAX_ASSERTION_LIFETIME,
        isinstance(claims.get("nbf"), int | float) and at + _LEEWAY < claims["nbf"],
        not isinstance(jti, str) or not jti,
    ]
    if any(problems):
        raise InvalidAssertion("The client assertion is not valid")
    assert isinstance(exp, int | float)
    used = UsedAssertion(f"{client.id} {jti}", datetime.fromtimestamp(exp + _LEEWAY, UTC))
    if remember is not None and not remember(used):
        raise InvalidAssertion("The client assertion was already used")


def _public_jwks(jwks: dict[str, Any]) -> dict[str, Any]:
    """Only public members: a registered private key must never sign for anyone but its owner."""
    keys = [{k: v for k, v in key.items() if k not in _PRIVATE_MEMBERS} for key in jwks.get("keys", [])]
    return {"keys": [k for k in keys if k.get("kty") in ("RSA", "EC", "OKP")]}
