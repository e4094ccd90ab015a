"""Signing keys: generated on first start, encrypted at rest, rotated, published as a JWKS (RFC 7517).

Private parts are stored as AES-256-GCM ciphertext (``nonce || ciphertext``) under the key-encryption
key derived from the master key, with the kid as associated data, so a row copied under another kid
does not decrypt. Several server processes share the table: each keeps a snapshot that it reloads
every ``ttl`` seconds and at once (rate-limited) when a token names a kid it does not know, so a
rotation done by one process (or by ``flowport keys rotate``) reaches the others within ``ttl``.
"""

from __future__ import annotations

import json
import secrets
import threading
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from joserfc.errors import SecurityWarning
from joserfc.jwk import ECKey, Key, OKPKey, RSAKey, import_key
from sqlalchemy import Connection

from flowport.auth import audit_events
from flowport.persistence.db import Database, after_commit, read_transaction, write_transaction
from flowport.persistence.repositories import audit as audit_repo
from flowport.persistence.repositories import keys as key_repo
from flowport.persistence.repositories.audit import AuditEvent
from flowport.persistence.repositories.keys import KeyRow

# "EdDSA" is the JOSE name every client library (PyJWT, jose, Authlib) understands; RFC 9864's
# newer "Ed25519" is not yet widely accepted, so joserfc's deprecation notice is noise here.
warnings.filterwarnings("ignore", message="EdDSA is deprecated", category=SecurityWarning)

ALGORITHMS = ("RS256", "ES256", "EdDSA")
VERIFY_LEEWAY_SECONDS = 60  # keys stay published this much past the last token's expiry


class KeyDecryptionError(RuntimeError):
    """A stored private key does not decrypt: the master key changed or the row was tampered with."""


def _utcnow() -> datetime:
    return datetime.now(UTC)


def generate(alg: str) -> Key:
    """A new private key for ``alg`` (RS256: RSA 2048; ES256: P-256; EdDSA: Ed25519)."""
    if alg == "RS256":
        return RSAKey.generate_key(2048, private=True)
    if alg == "ES256":
        return ECKey.generate_key("P-256", private=True)
    if alg == "EdDSA":
        return OKPKey.generate_key("Ed25519", private=True)
    raise ValueError(f"unsupported signing algorithm {alg}; choose one of {', '.join(ALGORITHMS)}")


def encrypt_private(kek: bytes, kid: str, key: Key) -> bytes:
    """AES-256-GCM of the private JWK, bound to its kid as associated data."""
    nonce = secrets.token_bytes(12)
    plain = json.dumps(key.as_dict(private=True)).encode()
    return nonce + AESGCM(kek).encrypt(nonce, plain, kid.encode())


def decrypt_private(kek: bytes, kid: str, blob: bytes) -> Key:
    try:
        plain = AESGCM(kek).decrypt(blob[:12], blob[12:], kid.encode())
    except InvalidTag:
        raise KeyDecryptionError(
            f"signing key {kid} does not decrypt: was the master key (auth.master_key or "
            "data_dir/master.key) changed?"
        ) from None
    return import_key(json.loads(plain))


@dataclass(frozen=True)
class PublishedKey:
    """One key of the JWKS: verifies tokens; ``private`` is set only on the current signing key."""

    kid: str
    alg: str
    public: Key
    public_jwk: dict[str, Any]
    active_from: datetime
    retired_at: datetime | None
    publish_until: datetime | None
    private: Key | None = field(default=None, repr=False)


@dataclass(frozen=True)
class _Snapshot:
    keys: dict[str, PublishedKey]
    current: PublishedKey | None
    jwks: dict[str, Any]
    loaded_at: float


class KeyRing:
    """The signing key and the published keys of this server, cached per process."""

    def __init__(
        self,
        db: Database,
        key_encryption_key: bytes,
        alg: str,
        default_token_lifetime: int,
        *,
        clock: Callable[[], datetime] = _utcnow,
        ttl: float = 10.0,
        unknown_kid_interval: float = 1.0,
    ) -> None:
        if alg not in ALGORITHMS:
            raise ValueError(f"unsupported signing algorithm {alg}")
        self._db = db
        self._kek = key_encryption_key
        self.alg = alg
        self._default_lifetime = default_token_lifetime
        self._clock = clock
        self._ttl = ttl
        self._unknown_kid_interval = unknown_kid_interval
        self._lock = threading.Lock()
        self._snapshot = _Snapshot({}, None, {"keys": []}, float("-inf"))
        self._last_unknown_refresh = float("-inf")

    # --- start-up and rotation ------------------------------------------------------------------

    def ensure(self) -> None:
        """Load the keys; on first start (or when the configured algorithm changed) create one."""
        with write_transaction(self._db) as conn:
            key_repo.lock(conn)
            active = [r for r in key_repo.published(conn, self._clock()) if r.retired_at is None]
            if not any(r.alg == self.alg for r in active):
                reason = "first start" if not active else f"signing algorithm changed to {self.alg}"
                self.rotate_in(conn, actor="system", reason=reason)
        self.refresh()

    def rotate_in(
        self, conn: Connection, *, actor: str | None = None, reason: str = "rotation", alg: str | None = None
    ) -> KeyRow:
        """Publish a new key and sign with it from now on, inside the caller's write transaction.

        Retired keys stay in the JWKS until every token they signed has expired: the longest token
        lifetime any client has, plus a minute of leeway.
        """
        alg = alg or self.alg
        now = self._clock()
        lifetime = max(self._default_lifetime, key_repo.max_client_token_lifetime(conn))
        retired = key_repo.retire_active(conn, now, now + timedelta(seconds=lifetime + VERIFY_LEEWAY_SECONDS))
        key = generate(alg)
        kid = key.thumbprint()
        row = KeyRow(
            kid=kid,
            alg=alg,
            public_jwk={**key.as_dict(private=False), "kid": kid, "alg": alg, "use": "sig"},
            private_encrypted=encrypt_private(self._kek, kid, key),
            created_at=now,
            active_from=now,
            retired_at=None,
            publish_until=None,
        )
        key_repo.insert_key(conn, row)
        details = {"kid": kid, "alg": alg, "retired": retired, "reason": reason}
        rotated = AuditEvent(audit_events.KEY_ROTATED, None, actor, kid, details=details, at=now)
        audit_repo.insert(conn, [rotated])
        after_commit(conn, self.refresh)
        return row

    # --- reading ---------------------------------------------------------------------------------

    def signing_key(self) -> PublishedKey:
        """The key new tokens are signed with."""
        current = self._fresh().current
        if current is None:
            self.refresh()
            current = self._snapshot.current
            if current is None:
                raise RuntimeError("no signing key: KeyRing.ensure() was not called")
        return current

    def public_jwks(self) -> dict[str, Any]:
        """Every published public key (RFC 7517 JWK Set)."""
        return self._fresh().jwks

    def verification_key(self, kid: str) -> PublishedKey | None:
        """The published key named ``kid``; an unknown kid reloads the keys (at most once a second)."""
        found = self._fresh().keys.get(kid)
        if found is not None:
            return found
        now = time.monotonic()
        if now - self._last_unknown_refresh >= self._unknown_kid_interval:
            self._last_unknown_refresh = now
            self.refresh()
        return self._snapshot.keys.get(kid)

    def _fresh(self) -> _Snapshot:
        snapshot = self._snapshot
        if time.monotonic() - snapshot.loaded_at >= self._ttl and self._lock.acquire(blocking=False):
            try:
                self._reload()
            finally:
                self._lock.release()
        return self._snapshot

    def refresh(self) -> None:
        """Reload the published keys from the database now."""
        with self._lock:
            self._reload()

    def _reload(self) -> None:
        now = self._clock()
        with read_transaction(self._db) as conn:
            rows = key_repo.published(conn, now)
        old = self._snapshot.keys
        keys: dict[str, PublishedKey] = {}
        for row in rows:
            known = old.get(row.kid)  # parsing keys costs; metadata (retirement) may have changed
            keys[row.kid] = PublishedKey(
                kid=row.kid,
                alg=row.alg,
                public=known.public if known else import_key(row.public_jwk),
                public_jwk=row.public_jwk,
                active_from=row.active_from,
                retired_at=row.retired_at,
                publish_until=row.publish_until,
                private=known.private if known else None,
            )
        candidates = [k for k in keys.values() if k.retired_at is None and k.active_from <= now]
        current = max(candidates, key=lambda k: (k.active_from, k.kid), default=None)
        if current is not None and current.private is None:
            row = next(r for r in rows if r.kid == current.kid)
            current = PublishedKey(**{**current.__dict__, "private": self._decrypt(row)})
            keys[current.kid] = current
        jwks = {"keys": [k.public_jwk for k in keys.values()]}
        self._snapshot = _Snapshot(keys, current, jwks, time.monotonic())

    def _decrypt(self, row: KeyRow) -> Key:
        return decrypt_private(self._kek, row.kid, row.private_encrypted)
