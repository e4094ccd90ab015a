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

from flowport.auth.principal import Principal
from flowport.config import ExternalIssuer
from flowport.permissions import UnknownPermission, expand

ALGORITHMS = ["RS256", "RS384", "RS512", "PS256", "ES256", "ES384", "EdDSA"]


class ExternalTokenError(Exception):
    """The token is not a valid token of any configured external issuer."""


@dataclass
class _IssuerState:
    config: ExternalIssuer
    keys: KeySet | None = None
    jwks_uri: str | None = None
    fetched_at: float = float("-inf")
    failure: str | None = None  # why the last fetch failed while no keys were known
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
        """The issuer's keys: cached for ``jwks_cache_seconds``, refetched early for an unknown kid,
        but at most once per ``jwks_min_refetch_seconds`` (a stream of forged kids costs one fetch)."""
        if self._usable(state, kid):
            assert state.keys is not None
            return state.keys
        async with state.lock:
            if self._usable(state, kid):  # another request refetched while this one waited
                assert state.keys is not None
                return state.keys
            age = time.monotonic() - state.fetched_at
            if age < state.config.jwks_min_refetch_seconds:
                if state.keys is not None:
                    return state.keys  # unknown kid, but refetched moments ago: the signature check fails
                # The issuer was unreachable moments ago: answer at once, do not wait on it again.
                raise _unreachable(state)
            try:
                state.keys = await self._fetch(state)
                state.failure = None
            except (httpx.HTTPError, ValueError, KeyError, JoseError) as exc:
                if state.keys is None:
                    state.failure = str(exc) or type(exc).__name__
                    raise _unreachable(state) from exc
                return state.keys  # keep the last good keys while the issuer is unreachable
            finally:
                state.fetched_at = time.monotonic()
            return state.keys

    @staticmethod
    def _usable(state: _IssuerState, kid: str | None) -> bool:
        if state.keys is None or time.monotonic() - state.fetched_at >= state.config.jwks_cache_seconds:
            return False
        return kid is None or _has_kid(state.keys, kid)

    async def _fetch(self, state: _IssuerState) -> KeySet:
        async with httpx.AsyncClient(timeout=self._timeout) as http:
            if state.jwks_uri is None:
                state.jwks_uri = state.config.jwks_uri or await _discover_jwks_uri(http, state.config.issuer)
            response = await http.get(state.jwks_uri)
            response.raise_for_status()
            return KeySet.import_key_set(response.json())


def _unreachable(state: _IssuerState) -> ExternalTokenError:
    return ExternalTokenError(f"the issuer's keys could not be fetched: {state.failure}")


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
