"""How the SDK authenticates: a client secret, a private key (``private_key_jwt``) or a ready token.

Secrets live in :class:`Secret`, whose ``repr`` and ``str`` are masked, so a credential never shows
up in a log line, a traceback's locals or an exception message by accident.
"""

from __future__ import annotations

import base64
import os
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol
from urllib.parse import quote_plus

JWT_BEARER = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
ASSERTION_LIFETIME = 60  # seconds; the server accepts at most an hour and remembers each jti


def key_type(algorithm: str) -> str:
    """The JWK key type (RFC 7518 section 6.1) an assertion algorithm signs with."""
    if algorithm.startswith(("RS", "PS")):
        return "RSA"
    if algorithm.startswith("ES"):
        return "EC"
    return "OKP"  # EdDSA, Ed25519


class Secret:
    """A string that does not print itself."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "Secret('***')"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)


class Credentials(Protocol):
    """What a token request (RFC 6749 section 4.4) sends to authenticate the client."""

    @property
    def client_id(self) -> str: ...

    def token_request(self, token_endpoint: str) -> tuple[dict[str, str], dict[str, str]]:
        """The form fields and headers that authenticate the client at ``token_endpoint``."""
        ...


@dataclass(frozen=True)
class ClientSecret:
    """``client_secret_basic``: HTTP Basic with the form-urlencoded id and secret (RFC 6749 2.3.1)."""

    client_id: str
    secret: Secret

    def token_request(self, token_endpoint: str) -> tuple[dict[str, str], dict[str, str]]:
        pair = f"{quote_plus(self.client_id)}:{quote_plus(self.secret.reveal())}"
        basic = base64.b64encode(pair.encode()).decode("ascii")
        return {}, {"Authorization": f"Basic {basic}"}


@dataclass(frozen=True)
class PrivateKeyJwt:
    """``private_key_jwt`` (RFC 7523 sections 2.2 and 3): a short assertion signed with the client's key.

    Needs joserfc (``pip install 'flowport[jwt]'``); the server must hold the matching public key
    (the client's ``jwks``).
    """

    client_id: str
    private_key: Secret  # PEM
    key_id: str | None = None
    algorithm: str = "RS256"

    @classmethod
    def from_file(
        cls, client_id: str, path: str | os.PathLike[str], key_id: str | None, algorithm: str
    ) -> PrivateKeyJwt:
        return cls(client_id, Secret(Path(path).read_text()), key_id, algorithm)

    def token_request(self, token_endpoint: str) -> tuple[dict[str, str], dict[str, str]]:
        form = {
            "client_id": self.client_id,
            "client_assertion_type": JWT_BEARER,
            "client_assertion": self.assertion(token_endpoint),
        }
        return form, {}

    def assertion(self, audience: str) -> str:
        # lazy import: joserfc is an optional extra (flowport[jwt]); secrets and tokens work without it
        from joserfc import jwk, jwt

        now = int(time.time())
        claims = {
            "iss": self.client_id,
            "sub": self.client_id,
            "aud": audience,
            "iat": now,
            "exp": now + ASSERTION_LIFETIME,
            "jti": uuid.uuid4().hex,
        }
        header = {"alg": self.algorithm, **({"kid": self.key_id} if self.key_id else {})}
        kind = key_type(self.algorithm)
        key_class = jwk.RSAKey if kind == "RSA" else jwk.ECKey if kind == "EC" else jwk.OKPKey
        key = key_class.import_key(self.private_key.reveal())
        return jwt.encode(header, claims, key, algorithms=[self.algorithm])
