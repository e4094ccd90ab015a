"""Client authentication methods (RFC 6749 section 2.3, RFC 7523), without HTTP or a database."""

from __future__ import annotations

import base64
import time
import uuid
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote_plus

import pytest
from joserfc import jwt
from joserfc.jwk import ECKey, RSAKey

from flowport.auth.client_assertion import JWT_BEARER, UsedAssertion
from flowport.auth.client_auth import ClientAuthError, authenticate, extract
from flowport.auth.client_secrets import hash_secret
from flowport.persistence.repositories.clients import ClientRow

PEPPER = b"p" * 32
NOW = datetime.now(UTC)
TOKEN_URL = "https://fp.example.com/connect/token"
AUDIENCES = {"https://fp.example.com", TOKEN_URL}
SIGNER = RSAKey.generate_key(2048, parameters={"kid": "k1"})


def client(**changes: Any) -> ClientRow:
    row = ClientRow(
        id="my app",
        env="default",
        name="app",
        profile="ObjectRead",
        permissions=[],
        audiences=[],
        token_lifetime=3600,
        refresh_tokens=False,
        visibility="shared",
        enabled=True,
        secret_hash=hash_secret("s3:cr+t", PEPPER),
        previous_secret_hash=None,
        previous_secret_expires_at=None,
        jwks={"keys": [SIGNER.as_dict(private=False)]},
        source="api",
        created_at=NOW,
        last_used_at=None,
    )
    return replace(row, **changes)


def basic(user: str, password: str) -> str:
    raw = f"{quote_plus(user)}:{quote_plus(password)}".encode()
    return "Basic " + base64.b64encode(raw).decode()


def check(presented: Any, row: ClientRow | None, **kw: Any) -> ClientRow:
    return authenticate(presented, row, pepper=PEPPER, now=NOW, assertion_audiences=AUDIENCES, **kw)


def test_basic_credentials_are_form_urldecoded() -> None:
    presented = extract(basic("my app", "s3:cr+t"), {}, {})
    assert presented.method == "client_secret_basic"
    assert (presented.client_id, presented.secret) == ("my app", "s3:cr+t")
    assert check(presented, client()).id == "my app"


def test_post_credentials() -> None:
    presented = extract(None, {"client_id": "my app", "client_secret": "s3:cr+t"}, {})
    assert presented.method == "client_secret_post"
    assert check(presented, client()).id == "my app"


@pytest.mark.parametrize(
    "row",
    [
        None,  # unknown client
        client(enabled=False),
        client(secret_hash=hash_secret("other", PEPPER)),
    ],
)
def test_every_failure_is_the_same_invalid_client(row: ClientRow | None) -> None:
    presented = extract(None, {"client_id": "my app", "client_secret": "s3:cr+t"}, {})
    with pytest.raises(ClientAuthError) as caught:
        check(presented, row)
    assert (caught.value.error, caught.value.description) == (
        "invalid_client",
        "Client authentication failed",
    )


def test_previous_secret_works_only_during_its_grace_period() -> None:
    rotated = client(
        secret_hash=hash_secret("new", PEPPER),
        previous_secret_hash=hash_secret("s3:cr+t", PEPPER),
        previous_secret_expires_at=NOW + timedelta(hours=1),
    )
    old = extract(basic("my app", "s3:cr+t"), {}, {})
    assert check(old, rotated).id == "my app"
    assert check(extract(basic("my app", "new"), {}, {}), rotated).id == "my app"
    with pytest.raises(ClientAuthError):
        check(old, replace(rotated, previous_secret_expires_at=NOW - timedelta(seconds=1)))


def test_secrets_in_the_query_string_are_refused() -> None:
    with pytest.raises(ClientAuthError) as caught:
        extract(None, {"client_id": "my app"}, {"client_secret": "s3:cr+t"})
    assert caught.value.error == "invalid_request"


def test_two_methods_at_once_are_refused() -> None:
    with pytest.raises(ClientAuthError) as caught:
        extract(basic("my app", "x"), {"client_secret": "x"}, {})
    assert caught.value.error == "invalid_request"
    with pytest.raises(ClientAuthError) as caught:
        extract(basic("my app", "x"), {"client_id": "someone else"}, {})
    assert caught.value.error == "invalid_request"


def test_no_credentials_and_malformed_basic() -> None:
    with pytest.raises(ClientAuthError) as caught:
        check(extract(None, {"client_id": "my app"}, {}), client())
    assert caught.value.error == "invalid_client"
    for header in ("Basic !!!", "Basic " + base64.b64encode(b"no-colon").decode()):
        with pytest.raises(ClientAuthError) as caught:
            extract(header, {}, {})
        assert caught.value.error == "invalid_client" and caught.value.basic


# --- private_key_jwt (RFC 7523) ------------------------------------------------------------------------


def assertion(key: Any = SIGNER, alg: str = "RS256", **claims: Any) -> str:
    now = int(time.time())
    values = {
        "iss": "my app",
        "sub": "my app",
        "aud": TOKEN_URL,
        "exp": now + 60,
        "iat": now,
        "jti": uuid.uuid4().hex,
    }
    values.update(claims)
    kid = key.kid or "k1"
    return jwt.encode({"alg": alg, "kid": kid}, {k: v for k, v in values.items() if v is not None}, key)


def jwt_params(value: str, **extra: str) -> dict[str, str]:
    return {"client_assertion_type": JWT_BEARER, "client_assertion": value, **extra}


def test_private_key_jwt_accepts_a_valid_assertion_once() -> None:
    seen: set[str] = set()

    def remember(used: UsedAssertion) -> bool:
        fresh = used.key not in seen
        seen.add(used.key)
        return fresh

    value = assertion()
    presented = extract(None, jwt_params(value), {})
    assert presented.method == "private_key_jwt" and presented.client_id == "my app"
    assert check(presented, client(), remember_assertion=remember).id == "my app"
    with pytest.raises(ClientAuthError, match="already used"):
        check(presented, client(), remember_assertion=remember)


@pytest.mark.parametrize(
    "bad",
    [
        {"aud": "https://elsewhere.example.com/token"},
        {"iss": "someone else"},
        {"sub": "someone else"},
        {"exp": int(time.time()) - 120},
        {"exp": None},
        {"exp": int(time.time()) + 7200},  # longer than we are willing to remember its jti
        {"jti": None},
    ],
)
def test_private_key_jwt_refuses_bad_claims(bad: dict[str, Any]) -> None:
    presented = extract(None, jwt_params(assertion(**bad), client_id="my app"), {})
    with pytest.raises(ClientAuthError) as caught:
        check(presented, client())
    assert caught.value.error == "invalid_client"


def test_private_key_jwt_refuses_foreign_keys_and_wrong_type() -> None:
    stranger = RSAKey.generate_key(2048, parameters={"kid": "k1"})
    with pytest.raises(ClientAuthError):
        check(extract(None, jwt_params(assertion(stranger)), {}), client())
    with pytest.raises(ClientAuthError):
        check(extract(None, jwt_params(assertion()), {}), client(jwks=None))
    with pytest.raises(ClientAuthError) as caught:
        extract(None, {"client_assertion_type": "urn:other", "client_assertion": assertion()}, {})
    assert caught.value.error == "invalid_request"


def test_private_key_jwt_with_an_ec_key_and_audience_list() -> None:
    ec = ECKey.generate_key("P-256", parameters={"kid": "ec1"})
    row = client(jwks={"keys": [ec.as_dict(private=False)]})
    value = assertion(ec, "ES256", aud=["https://fp.example.com", "other"])
    assert check(extract(None, jwt_params(value), {}), row).id == "my app"
