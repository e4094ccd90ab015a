"""Master key and signing keys: encryption at rest, rotation, the JWKS, several processes, algorithms."""

from __future__ import annotations

import base64
import stat
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from joserfc import jwt
from sqlalchemy import select

from flowport.auth import master_key
from flowport.auth.keys import KeyDecryptionError, KeyRing, decrypt_private
from flowport.config import Settings
from flowport.persistence import migrate
from flowport.persistence.auth_tables import audit_events, signing_keys
from flowport.persistence.db import Database, open_database, write_transaction

KEK = b"k" * 32


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2030, 1, 1, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def db(tmp_path: Path) -> Database:
    engine = open_database(f"sqlite:///{tmp_path / 'keys.db'}")
    migrate.upgrade(engine)
    return engine


def ring(db: Database, alg: str = "RS256", clock: Clock | None = None, **kw: object) -> KeyRing:
    keyring = KeyRing(db, KEK, alg, 3600, clock=clock or Clock(), **kw)  # type: ignore[arg-type]
    keyring.ensure()
    return keyring


# --- master key ------------------------------------------------------------------------------------


def test_key_file_is_created_private_and_reused(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path)
    first = master_key.load(settings)
    path = tmp_path / "master.key"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert len(base64.b64decode(path.read_text())) == 32
    again = master_key.load(settings)
    assert again.master == first.master and again.pepper == first.pepper
    assert first.pepper != first.key_encryption_key != first.master
    assert first.master.hex() not in repr(first) and "pepper=" not in repr(first)


def test_configured_master_key_wins_and_must_be_long_enough(tmp_path: Path) -> None:
    configured = master_key.load(
        Settings(data_dir=tmp_path, auth={"master_key": "correct horse battery staple"})
    )
    assert configured.source == "settings" and not (tmp_path / "master.key").exists()
    other = master_key.load(Settings(data_dir=tmp_path, auth={"master_key": "another long passphrase!"}))
    assert other.pepper != configured.pepper
    with pytest.raises(master_key.MasterKeyError):
        master_key.load(Settings(data_dir=tmp_path, auth={"master_key": "short"}))


# --- encryption at rest ----------------------------------------------------------------------------


def test_private_key_is_encrypted_at_rest(db: Database) -> None:
    keyring = ring(db)
    key = keyring.signing_key()
    assert key.private is not None
    private = key.private.as_dict(private=True)
    pem = key.private.as_bytes(private=True, encoding="PEM")
    der = key.private.private_key.private_bytes(  # type: ignore[union-attr]
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    with db.connect() as conn:
        row = conn.execute(select(signing_keys)).one()
    stored = bytes(row.private_encrypted)
    for secret in (private["d"].encode(), private["p"].encode(), pem, der, base64.b64encode(der)):
        assert secret not in stored
    assert "d" not in row.public_jwk and row.public_jwk["kid"] == key.kid
    assert decrypt_private(KEK, key.kid, stored).as_dict(private=True)["d"] == private["d"]
    with pytest.raises(KeyDecryptionError):
        decrypt_private(b"x" * 32, key.kid, stored)  # another master key
    with pytest.raises(KeyDecryptionError):
        decrypt_private(KEK, "another-kid", stored)  # the kid is bound as associated data


def test_a_second_process_with_another_master_key_cannot_sign(db: Database) -> None:
    ring(db)
    stranger = KeyRing(db, b"z" * 32, "RS256", 3600, clock=Clock())
    with pytest.raises(KeyDecryptionError):
        stranger.refresh()


# --- rotation ----------------------------------------------------------------------------------------


def test_rotation_switches_signing_and_keeps_the_old_key_published(db: Database) -> None:
    clock = Clock()
    keyring = ring(db, clock=clock)
    old = keyring.signing_key()
    old_token = jwt.encode({"alg": "RS256", "kid": old.kid}, {"a": 1}, old.private)
    clock.now += timedelta(minutes=5)
    with write_transaction(db) as conn:
        keyring.rotate_in(conn, actor="test")
    new = keyring.signing_key()
    assert new.kid != old.kid and new.private is not None
    kids = [k["kid"] for k in keyring.public_jwks()["keys"]]
    assert kids == [old.kid, new.kid]
    verifying = keyring.verification_key(old.kid)
    assert verifying is not None and verifying.retired_at == clock.now
    assert jwt.decode(old_token, verifying.public, algorithms=["RS256"]).claims == {"a": 1}
    # Published until the longest token lifetime (3600 s) plus a minute of leeway has passed.
    assert verifying.publish_until == clock.now + timedelta(seconds=3660)
    clock.now += timedelta(seconds=3659)
    keyring.refresh()
    assert old.kid in [k["kid"] for k in keyring.public_jwks()["keys"]]
    clock.now += timedelta(seconds=2)
    keyring.refresh()
    assert [k["kid"] for k in keyring.public_jwks()["keys"]] == [new.kid]
    with db.connect() as conn:
        events = conn.execute(select(audit_events.c.event, audit_events.c.subject)).all()
    assert ("key.rotated", new.kid) in [tuple(e) for e in events]


def test_other_processes_pick_up_a_rotation_on_unknown_kid_and_by_ttl(db: Database) -> None:
    clock = Clock()
    one = ring(db, clock=clock)
    other = ring(db, clock=clock, ttl=3600.0, unknown_kid_interval=0.0)
    assert other.signing_key().kid == one.signing_key().kid
    with write_transaction(db) as conn:
        new = one.rotate_in(conn)
    assert other.signing_key().kid != new.kid  # still cached (ttl)
    assert other.verification_key(new.kid) is not None  # unknown kid: reloaded at once
    assert other.signing_key().kid == new.kid


def test_starting_with_another_algorithm_rotates_to_it(db: Database) -> None:
    clock = Clock()
    rs = ring(db, clock=clock)
    ec = ring(db, "ES256", clock=clock)
    assert ec.signing_key().alg == "ES256"
    assert {k["kid"] for k in ec.public_jwks()["keys"]} == {rs.signing_key().kid, ec.signing_key().kid}
    ring(db, "ES256", clock=clock)  # same algorithm again: nothing new
    with db.connect() as conn:
        assert len(conn.execute(select(signing_keys.c.kid)).all()) == 2


@pytest.mark.parametrize(("alg", "kty", "crv"), [("ES256", "EC", "P-256"), ("EdDSA", "OKP", "Ed25519")])
def test_es256_and_eddsa_keys_sign_and_publish(db: Database, alg: str, kty: str, crv: str) -> None:
    keyring = ring(db, alg)
    key = keyring.signing_key()
    (published,) = keyring.public_jwks()["keys"]
    assert published["kty"] == kty and published["crv"] == crv and published["alg"] == alg
    assert "d" not in published
    token = jwt.encode({"alg": alg, "kid": key.kid}, {"x": 1}, key.private, algorithms=[alg])
    assert jwt.decode(token, key.public, algorithms=[alg]).claims == {"x": 1}
