"""External issuers' keys: an unreachable issuer is asked again only after the refetch interval."""

from __future__ import annotations

import asyncio
import base64
import json

import httpx
import pytest
from joserfc.jwk import KeySet

from flowport.auth.external import ExternalIssuers, ExternalTokenError, _IssuerState
from flowport.config import ExternalIssuer

ISSUER = "https://idp.example.com"


def _unsigned(claims: dict[str, object]) -> str:
    def part(value: dict[str, object]) -> str:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=").decode()

    return f"{part({'alg': 'RS256', 'kid': 'k1'})}.{part(claims)}.c2ln"


def test_an_unreachable_issuer_is_not_asked_again_at_every_request(monkeypatch: pytest.MonkeyPatch) -> None:
    issuers = ExternalIssuers([ExternalIssuer(issuer=ISSUER, jwks_min_refetch_seconds=60)], "flowport")
    attempts: list[str] = []

    async def unreachable(self: ExternalIssuers, state: _IssuerState) -> KeySet:
        attempts.append(state.config.issuer)
        raise httpx.ConnectError("connection refused")

    monkeypatch.setattr(ExternalIssuers, "_fetch", unreachable)
    token = _unsigned({"iss": ISSUER, "sub": "app", "aud": "flowport", "exp": 4102444800})
    for _ in range(3):
        with pytest.raises(ExternalTokenError, match="connection refused"):
            asyncio.run(issuers.verify(token))
    assert attempts == [ISSUER]


def test_a_token_of_an_untrusted_issuer_is_refused_without_any_fetch() -> None:
    issuers = ExternalIssuers([ExternalIssuer(issuer=ISSUER)], "flowport")
    with pytest.raises(ExternalTokenError, match="not trusted"):
        asyncio.run(issuers.verify(_unsigned({"iss": "https://evil.example.com", "exp": 4102444800})))
