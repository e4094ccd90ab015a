"""Client authentication at the token, introspection and revocation endpoints (framework-free).

Methods (RFC 6749 section 2.3, RFC 7523 section 2.2): ``client_secret_basic`` (HTTP Basic with
form-urlencoded id and secret, RFC 6749 section 2.3.1), ``client_secret_post`` (body parameters), and
``private_key_jwt`` (a JWT assertion signed by a key the client registered in its ``jwks``).
Every failure that concerns the client itself (unknown, disabled, wrong secret, bad assertion) is the
same ``invalid_client``, so the answer never tells which.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal
from urllib.parse import unquote_plus

from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from flowport.auth.client_secrets import hash_secret, secret_matches
from flowport.persistence.repositories.clients import ClientRow

JWT_BEARER = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
ASSERTION_ALGORITHMS = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "EdDSA")
MAX_ASSERTION_LIFETIME = 3600  # seconds: bounds how long used assertion ids must be remembered
_LEEWAY = 30
_UNUSED_HASH = hash_secret("unused", b"\0" * 32)  # compared against when the client is unknown

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
        return PresentedCredentials(
            "private_key_jwt", body_id or _unverified_issuer(assertion), assertion=assertion
        )
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


def _unverified_issuer(assertion: str) -> str | None:
    """The assertion's ``iss``, only to find the client whose keys will verify it."""
    try:
        payload = assertion.split(".")[1]
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    except (IndexError, ValueError, TypeError):
        return None
    iss = claims.get("iss") if isinstance(claims, dict) else None
    return iss if isinstance(iss, str) and iss else None


@dataclass(frozen=True)
class UsedAssertion:
    """An assertion id to remember until ``expires_at`` so it cannot be used twice."""

    key: str
    expires_at: datetime


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
        _check_assertion(presented, client, now, assertion_audiences, remember_assertion)
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


def _check_assertion(
    presented: PresentedCredentials,
    client: ClientRow | None,
    now: datetime,
    audiences: Collection[str],
    remember: Callable[[UsedAssertion], bool] | None,
) -> None:
    """RFC 7523 section 3: iss = sub = client_id, aud names us, exp in the future, jti used once."""
    if client is None or not client.jwks or presented.assertion is None:
        raise _invalid()
    try:
        keys = KeySet.import_key_set(_public_jwks(client.jwks))  # type: ignore[arg-type]
        claims: dict[str, Any] = jwt.decode(presented.assertion, keys, algorithms=ASSERTION_ALGORITHMS).claims
    except (JoseError, ValueError, TypeError, KeyError):
        raise _invalid("The client assertion is not valid") from None
    at = now.timestamp()
    aud = claims.get("aud")
    aud_list = aud if isinstance(aud, list) else [aud]
    exp, jti = claims.get("exp"), claims.get("jti")
    problems = [
        claims.get("iss") != client.id or claims.get("sub") != client.id,
        not any(a in audiences for a in aud_list),
        not isinstance(exp, int | float) or at > exp + _LEEWAY,
        isinstance(exp, int | float) and exp - at > MAX_ASSERTION_LIFETIME,
        isinstance(claims.get("nbf"), int | float) and at + _LEEWAY < claims["nbf"],
        not isinstance(jti, str) or not jti,
    ]
    if any(problems):
        raise _invalid("The client assertion is not valid")
    assert isinstance(exp, int | float)
    used = UsedAssertion(f"{client.id} {jti}", datetime.fromtimestamp(exp + _LEEWAY, UTC))
    if remember is not None and not remember(used):
        raise _invalid("The client assertion was already used")


def _public_jwks(jwks: dict[str, Any]) -> dict[str, Any]:
    """Only public members: a registered private key must never sign for anyone but its owner."""
    private = {"d", "p", "q", "dp", "dq", "qi", "k"}
    keys = [{k: v for k, v in key.items() if k not in private} for key in jwks.get("keys", [])]
    return {"keys": [k for k in keys if k.get("kty") in ("RSA", "EC", "OKP")]}
