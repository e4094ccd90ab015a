"""JWTs from external OpenID Connect issuers: JWKS fetched, cached, refetched on an unknown ``kid``."""

from __future__ import annotations

import asyncio
import base64
import json
import time
from dataclasses import dataclass, field
from typing import Any

import httpx
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from flowport.auth.permissions import UnknownPermission, expand
from flowport.auth.principal import Principal
from flowport.config import ExternalIssuer

REFETCH_INTERVAL = 30.0  # at most one JWKS refetch per issuer per this many seconds (unknown kids)
ALGORITHMS = ["RS256", "RS384", "RS512", "PS256", "ES256", "ES384", "EdDSA"]


class ExternalTokenError(Exception):
    """The token is not a valid token of any configured external issuer."""


@dataclass
class _IssuerState:
    config: ExternalIssuer
    keys: KeySet | None = None
    jwks_uri: str | None = None
    fetched_at: float = 0.0
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)


class ExternalIssuers:
    """Verifies tokens of the configured issuers; one instance per app."""

    def __init__(self, issuers: list[ExternalIssuer], api_audience: str, timeout: float = 5.0) -> None:
        self._issuers = {i.issuer.rstrip("/"): _IssuerState(i) for i in issuers}
        self._audience = api_audience
        self._timeout = timeout

    def __bool__(self) -> bool:
        return bool(self._issuers)

    async def verify(self, token: str) -> Principal:
        issuer = _unverified_issuer(token)
        state = self._issuers.get((issuer or "").rstrip("/"))
        if state is None:
            raise ExternalTokenError("the token's issuer is not trusted")
        kid = _unverified_kid(token)
        keys = await self._keys(state, kid)
        try:
            decoded = jwt.decode(token, keys, algorithms=ALGORITHMS)
        except (JoseError, ValueError) as exc:
            raise ExternalTokenError(f"signature check failed: {exc}") from exc
        claims = decoded.claims
        audience = state.config.audience or self._audience
        try:
            jwt.JWTClaimsRegistry(
                leeway=30,
                iss={"essential": True, "value": str(issuer)},
                aud={"essential": True, "value": audience},
                exp={"essential": True},
            ).validate(claims)
        except JoseError as exc:
            raise ExternalTokenError(f"claims rejected: {exc}") from exc
        return Principal(
            subject=str(claims.get("sub") or claims.get("client_id") or "external"),
            kind="external",
            env=state.config.environment,
            permissions=self._permissions(state.config, claims),
            token_id=str(claims.get("jti")) if claims.get("jti") else None,
            claims=dict(claims),
        )

    @staticmethod
    def _permissions(config: ExternalIssuer, claims: dict[str, Any]) -> frozenset[str]:
        raw = claims.get(config.permissions_claim, [])
        values = (
            raw.split() if isinstance(raw, str) else [str(v) for v in raw] if isinstance(raw, list) else []
        )
        granted: set[str] = set()
        for value in values:
            mapped = config.role_permissions.get(value)
            try:
                granted |= expand(mapped if mapped is not None else [value])
            except UnknownPermission:
                continue  # external roles Flowport knows nothing about grant nothing
        return frozenset(granted)

    async def _keys(self, state: _IssuerState, kid: str | None) -> KeySet:
        known = state.keys is not None and (kid is None or _has_kid(state.keys, kid))
        if known and state.keys is not None:
            return state.keys
        async with state.lock:
            fresh_enough = time.monotonic() - state.fetched_at < REFETCH_INTERVAL
            if state.keys is not None and (fresh_enough or (kid is not None and _has_kid(state.keys, kid))):
                return state.keys
            state.keys = await self._fetch(state)
            state.fetched_at = time.monotonic()
            return state.keys

    async def _fetch(self, state: _IssuerState) -> KeySet:
        async with httpx.AsyncClient(timeout=self._timeout) as http:
            if state.jwks_uri is None:
                state.jwks_uri = state.config.jwks_uri or await _discover_jwks_uri(http, state.config.issuer)
            response = await http.get(state.jwks_uri)
            response.raise_for_status()
            return KeySet.import_key_set(response.json())


async def _discover_jwks_uri(http: httpx.AsyncClient, issuer: str) -> str:
    response = await http.get(issuer.rstrip("/") + "/.well-known/openid-configuration")
    response.raise_for_status()
    return str(response.json()["jwks_uri"])


def _has_kid(keys: KeySet, kid: str) -> bool:
    return any(k.kid == kid for k in keys.keys)


def _segment(token: str, index: int) -> dict[str, Any]:
    try:
        part = token.split(".")[index]
        data = json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))
    except (IndexError, ValueError) as exc:
        raise ExternalTokenError("not a JWT") from exc
    if not isinstance(data, dict):
        raise ExternalTokenError("not a JWT")
    return data


def _unverified_issuer(token: str) -> str | None:
    value = _segment(token, 1).get("iss")
    return str(value) if value else None


def _unverified_kid(token: str) -> str | None:
    value = _segment(token, 0).get("kid")
    return str(value) if value else None
