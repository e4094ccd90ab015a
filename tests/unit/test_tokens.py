"""Access tokens per RFC 9068: the claims issued, every reason to refuse one, and revocation."""

from __future__ import annotations

import base64
import json
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from joserfc import jwt
from joserfc.jwk import RSAKey
from sqlalchemy import select

from flowport.auth.keys import KeyRing
from flowport.auth.tokens import (
    InvalidToken,
    RevocationCache,
    issue_access_token,
    verify_access_token,
)
from flowport.persistence import migrate
from flowport.persistence.auth_tables import revoked_tokens
from flowport.persistence.db import Database, open_database, write_transaction

ISSUER = "https://flowport.example.com"


@pytest.fixture
def db(tmp_path: Path) -> Database:
    engine = open_database(f"sqlite:///{tmp_path / 'tokens.db'}")
    migrate.upgrade(engine)
    return engine


@pytest.fixture
def keyring(db: Database) -> KeyRing:
    ring = KeyRing(db, b"k" * 32, "RS256", 3600)
    ring.ensure()
    return ring


@pytest.fixture
def revocations(db: Database) -> RevocationCache:
    return RevocationCache(db)


def issue(keyring: KeyRing, **overrides: Any) -> str:
    values: dict[str, Any] = {
        "issuer": ISSUER,
        "client_id": "app",
        "audience": ["flowport"],
        "scope": ["instances:read", "tasks:read"],
        "env": "default",
        "lifetime": 600,
    }
    values.update(overrides)
    return issue_access_token(keyring, **values).token


def verify(token: str, keyring: KeyRing, revocations: RevocationCache, **kw: Any) -> dict[str, Any]:
    return verify_access_token(
        token, keyring=keyring, revocations=revocations, issuer=ISSUER, audience="flowport", **kw
    )


def segments(token: str) -> tuple[dict[str, Any], dict[str, Any]]:
    head, body, _ = token.split(".")
    decode = lambda s: json.loads(base64.urlsafe_b64decode(s + "=" * (-len(s) % 4)))  # noqa: E731
    return decode(head), decode(body)


def test_claims_follow_rfc_9068(keyring: KeyRing, revocations: RevocationCache) -> None:
    before = int(time.time())
    token = issue(keyring)
    header, claims = segments(token)
    assert header == {"typ": "at+jwt", "alg": "RS256", "kid": keyring.signing_key().kid}
    assert claims["iss"] == ISSUER and claims["sub"] == "app" and claims["client_id"] == "app"
    assert claims["aud"] == "flowport"  # one audience: a string
    assert claims["scope"] == "instances:read tasks:read" and claims["env"] == "default"
    assert before <= claims["iat"] == claims["nbf"] <= before + 2
    assert claims["exp"] == claims["iat"] + 600
    assert len(claims["jti"]) >= 32
    assert verify(token, keyring, revocations) == claims
    assert segments(issue(keyring))[1]["jti"] != claims["jti"]


def test_several_audiences_are_a_list_and_any_may_be_ours(
    keyring: KeyRing, revocations: RevocationCache
) -> None:
    token = issue(keyring, audience=["billing", "flowport"])
    assert segments(token)[1]["aud"] == ["billing", "flowport"]
    assert verify(token, keyring, revocations)["aud"] == ["billing", "flowport"]


@pytest.mark.parametrize(
    ("overrides", "reason"),
    [
        ({"audience": ["billing"]}, "wrong audience"),
        ({"issuer": "https://evil.example.com"}, "wrong issuer"),
        ({"issued_seconds_from_now": -700}, "expired"),
        ({"issued_seconds_from_now": 120}, "not yet valid"),
    ],
)
def test_refused_tokens(
    keyring: KeyRing, revocations: RevocationCache, overrides: dict[str, Any], reason: str
) -> None:
    shift = overrides.pop("issued_seconds_from_now", None)
    if shift is not None:  # relative to when the test runs, not to when it was collected
        overrides["now"] = datetime.now(UTC) + timedelta(seconds=shift)
    with pytest.raises(InvalidToken, match=reason):
        verify(issue(keyring, **overrides), keyring, revocations)


def test_small_clock_skew_is_tolerated(keyring: KeyRing, revocations: RevocationCache) -> None:
    ahead = issue(keyring, now=datetime.now(UTC) + timedelta(seconds=10))
    assert verify(ahead, keyring, revocations)["sub"] == "app"
    with pytest.raises(InvalidToken, match="expired"):
        verify(issue(keyring), keyring, revocations, now=time.time() + 600 + 31)


def _resigned(keyring: KeyRing, token: str, header: dict[str, Any], key: Any = None) -> str:
    claims = segments(token)[1]
    return jwt.encode(header, claims, key or keyring.signing_key().private, algorithms=[header["alg"]])


def test_wrong_type_is_refused(keyring: KeyRing, revocations: RevocationCache) -> None:
    kid = keyring.signing_key().kid
    id_token_like = _resigned(keyring, issue(keyring), {"alg": "RS256", "kid": kid, "typ": "JWT"})
    with pytest.raises(InvalidToken, match="typ"):
        verify(id_token_like, keyring, revocations)
    media_type = _resigned(keyring, issue(keyring), {"alg": "RS256", "kid": kid, "typ": "application/at+jwt"})
    assert verify(media_type, keyring, revocations)["sub"] == "app"


def test_forged_and_tampered_tokens_are_refused(keyring: KeyRing, revocations: RevocationCache) -> None:
    token = issue(keyring)
    kid = keyring.signing_key().kid
    forged = _resigned(
        keyring, token, {"alg": "RS256", "kid": kid, "typ": "at+jwt"}, RSAKey.generate_key(2048)
    )
    with pytest.raises(InvalidToken, match="signature"):
        verify(forged, keyring, revocations)
    head, body, sig = token.split(".")
    claims = segments(token)[1] | {"scope": "admin:clients"}
    raised = base64.urlsafe_b64encode(json.dumps(claims).encode()).decode().rstrip("=")
    with pytest.raises(InvalidToken):
        verify(f"{head}.{raised}.{sig}", keyring, revocations)
    unsigned_head = base64.urlsafe_b64encode(b'{"alg":"none","typ":"at+jwt","kid":"%s"}' % kid.encode())
    with pytest.raises(InvalidToken, match="algorithm"):
        verify(f"{unsigned_head.decode().rstrip('=')}.{body}.", keyring, revocations)
    hs = _resigned(keyring, token, {"alg": "HS256", "kid": kid, "typ": "at+jwt"}, key=_oct())
    with pytest.raises(InvalidToken, match="algorithm"):
        verify(hs, keyring, revocations)
    for garbage in ("", "abc", "a.b.c", "a.b"):
        with pytest.raises(InvalidToken):
            verify(garbage, keyring, revocations)
    unknown = _resigned(keyring, token, {"alg": "RS256", "kid": "nope", "typ": "at+jwt"})
    with pytest.raises(InvalidToken, match="unknown"):
        verify(unknown, keyring, revocations)


def _oct() -> Any:
    from joserfc.jwk import OctKey

    return OctKey.import_key(b"s" * 32)


def test_revocation_is_immediate_here_and_reaches_other_processes(
    db: Database, keyring: KeyRing, revocations: RevocationCache
) -> None:
    other_process = RevocationCache(db, refresh_interval=3600)
    token = issue(keyring)
    claims = verify(token, keyring, revocations)
    assert verify(token, keyring, other_process)["jti"] == claims["jti"]  # loads its set now
    with write_transaction(db) as conn:
        revocations.revoke_in(conn, claims["jti"], datetime.fromtimestamp(claims["exp"], UTC))
    with pytest.raises(InvalidToken, match="revoked"):
        verify(token, keyring, revocations)
    assert verify(token, keyring, other_process)  # its cached set is at most refresh_interval old
    other_process.refresh()
    with pytest.raises(InvalidToken, match="revoked"):
        verify(token, keyring, other_process)
    fresh = RevocationCache(db, refresh_interval=0.0)
    with pytest.raises(InvalidToken, match="revoked"):
        verify(token, keyring, fresh)


def test_a_rolled_back_revocation_does_not_count(
    db: Database, keyring: KeyRing, revocations: RevocationCache
) -> None:
    token = issue(keyring)
    claims = verify(token, keyring, revocations)
    with pytest.raises(RuntimeError), write_transaction(db) as conn:
        revocations.revoke_in(conn, claims["jti"], datetime.fromtimestamp(claims["exp"], UTC))
        raise RuntimeError("the use case failed")
    assert verify(token, keyring, revocations)["jti"] == claims["jti"]


def test_expired_revocations_are_pruned(db: Database, revocations: RevocationCache) -> None:
    now = datetime.now(UTC)
    with write_transaction(db) as conn:
        revocations.revoke_in(conn, "old", now - timedelta(seconds=1))
    with write_transaction(db) as conn:
        revocations.revoke_in(conn, "new", now + timedelta(hours=1))
    with db.connect() as conn:
        assert [r[0] for r in conn.execute(select(revoked_tokens.c.jti))] == ["new"]
    revocations.refresh()
    assert not revocations.is_revoked("old") and revocations.is_revoked("new")


def test_a_revoked_refresh_family_revokes_its_access_tokens_in_every_process(
    db: Database, keyring: KeyRing, revocations: RevocationCache
) -> None:
    other_process = RevocationCache(db, refresh_interval=3600)
    member, stranger = issue(keyring, family_id="fam-1"), issue(keyring, family_id="fam-2")
    plain = issue(keyring)
    for token in (member, stranger, plain):
        verify(token, keyring, other_process)  # loads its set now
    with write_transaction(db) as conn:
        revocations.revoke_family_in(conn, "fam-1")
    with pytest.raises(InvalidToken, match="revoked"):
        verify(member, keyring, revocations)
    assert verify(stranger, keyring, revocations) and verify(plain, keyring, revocations)
    other_process.refresh()  # what its next check after about a second does
    with pytest.raises(InvalidToken, match="revoked"):
        verify(member, keyring, other_process)
    assert verify(stranger, keyring, other_process)
    with db.connect() as conn:  # kept as long as any access token of the family can live
        (expires_at,) = conn.execute(select(revoked_tokens.c.expires_at)).one()
    assert expires_at >= datetime.now(UTC) + timedelta(days=30)
