"""JWT access tokens (RFC 9068): issuing, verifying, and the set of revoked token ids (RFC 7009)."""

from __future__ import annotations

import base64
import json
import threading
import time
import uuid
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from joserfc import jwt
from joserfc.errors import JoseError
from sqlalchemy import Connection

from flowport.auth.keys import KeyRing
from flowport.persistence.db import Database, after_commit, read_transaction
from flowport.persistence.repositories import tokens as token_repo

TOKEN_TYPE = "at+jwt"  # RFC 9068 section 2.1
_ACCEPTED_TYPES = frozenset({"at+jwt", "application/at+jwt"})
DEFAULT_LEEWAY_SECONDS = 30
# Private claim: the refresh-token family an access token was issued from, so revoking the family
# (RFC 9700 section 4.14.2 on reuse; RFC 7009 section 2.1) revokes its access tokens too.
FAMILY_CLAIM = "family_id"
MAX_LIFETIME_SECONDS = 30 * 86400  # the longest token_lifetime config.py and the admin API accept
_FAMILY_PREFIX = "family:"  # revoked families share the revoked-ids table with jtis (uuid hex)


class InvalidToken(Exception):
    """A bearer token the API must refuse (RFC 6750 ``invalid_token``); ``reason`` says why."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class AccessToken:
    """A freshly signed access token and the claims inside it."""

    token: str
    jti: str
    claims: dict[str, Any]
    expires_in: int


def _utcnow() -> datetime:
    return datetime.now(UTC)


def audience_claim(audience: Sequence[str]) -> str | list[str]:
    """RFC 7519 section 4.1.3: a single audience as a string, several as a list."""
    return audience[0] if len(audience) == 1 else list(audience)


def issue_access_token(
    keyring: KeyRing,
    *,
    issuer: str,
    client_id: str,
    audience: Sequence[str],
    scope: Sequence[str],
    env: str,
    lifetime: int,
    subject: str | None = None,
    now: datetime | None = None,
    family_id: str | None = None,
    extra: dict[str, Any] | None = None,
) -> AccessToken:
    """Sign an RFC 9068 access token: header ``typ: at+jwt`` and ``kid``; claims section 2.2.

    ``family_id`` names the refresh-token family the token comes from (claim ``family_id``).
    """
    key = keyring.signing_key()
    assert key.private is not None
    issued = int((now or _utcnow()).timestamp())
    jti = uuid.uuid4().hex
    claims: dict[str, Any] = {
        "iss": issuer,
        "sub": subject or client_id,
        "client_id": client_id,
        "aud": audience_claim(audience),
        "exp": issued + lifetime,
        "iat": issued,
        "nbf": issued,
        "jti": jti,
        "scope": " ".join(scope),
        "env": env,
        **({FAMILY_CLAIM: family_id} if family_id else {}),
        **(extra or {}),
    }
    header = {"alg": key.alg, "typ": TOKEN_TYPE, "kid": key.kid}
    token = jwt.encode(header, claims, key.private, algorithms=[key.alg])
    return AccessToken(token, jti, claims, lifetime)


def looks_like_jwt(token: str) -> bool:
    """A compact JWS has three parts; a refresh token (URL-safe base64, no dots) has one."""
    return token.count(".") == 2


def read_header(token: str) -> dict[str, Any]:
    """The JOSE header of a compact JWS, unverified (it only picks the key)."""
    parts = token.split(".")
    if len(parts) != 3:
        raise InvalidToken("malformed token")
    try:
        header = json.loads(base64.urlsafe_b64decode(parts[0] + "=" * (-len(parts[0]) % 4)))
    except (ValueError, TypeError):
        raise InvalidToken("malformed token") from None
    if not isinstance(header, dict):
        raise InvalidToken("malformed token")
    return header


def verify_signature(token: str, keyring: KeyRing) -> dict[str, Any]:
    """Claims of a token signed by one of our published keys, with the key's own algorithm."""
    header = read_header(token)
    kid = header.get("kid")
    key = keyring.verification_key(kid) if isinstance(kid, str) else None
    if key is None:
        raise InvalidToken("unknown signing key")
    if header.get("alg") != key.alg:  # no algorithm substitution (RFC 8725 section 3.1)
        raise InvalidToken("wrong algorithm")
    try:
        claims = jwt.decode(token, key.public, algorithms=[key.alg]).claims
    except (JoseError, ValueError):
        raise InvalidToken("bad signature") from None
    if str(header.get("typ", "")).lower() not in _ACCEPTED_TYPES:
        raise InvalidToken("not an access token (typ must be at+jwt)")
    return claims


def verify_access_token(
    token: str,
    *,
    keyring: KeyRing,
    revocations: RevocationCache,
    issuer: str,
    audience: str,
    now: float | None = None,
    leeway: int = DEFAULT_LEEWAY_SECONDS,
) -> dict[str, Any]:
    """Validate an access token as RFC 9068 section 4 asks; return its claims or raise InvalidToken.

    Checks: signature by a published key with that key's algorithm, ``typ`` at+jwt, ``iss``, ``aud``
    contains ``audience``, ``exp`` and ``nbf`` (with ``leeway`` seconds), and that neither ``jti`` nor
    the refresh-token family it came from is revoked.
    """
    claims = verify_signature(token, keyring)
    check_claims(claims, issuer=issuer, audience=audience, now=now, leeway=leeway)
    if revocations.revokes(claims):
        raise InvalidToken("token revoked")
    return claims


def check_claims(
    claims: dict[str, Any],
    *,
    issuer: str,
    audience: str | Collection[str] | None,
    now: float | None = None,
    leeway: int = DEFAULT_LEEWAY_SECONDS,
) -> None:
    """The time, issuer and audience checks of RFC 9068 section 4.

    ``audience``: the one expected, or several names of the same resource (any will do), or None
    (any audience).
    """
    at = time.time() if now is None else now
    if claims.get("iss") != issuer:
        raise InvalidToken("wrong issuer")
    if audience is not None:
        expected = (audience,) if isinstance(audience, str) else audience
        aud = claims.get("aud")
        audiences = aud if isinstance(aud, list) else [aud]
        if not any(a in expected for a in audiences):
            raise InvalidToken(f"wrong audience (expected {' or '.join(sorted(expected))})")
    exp, nbf = claims.get("exp"), claims.get("nbf", claims.get("iat"))
    if not isinstance(exp, int | float) or isinstance(exp, bool):
        raise InvalidToken("missing exp")
    if at > exp + leeway:
        raise InvalidToken("token expired")
    if isinstance(nbf, int | float) and at + leeway < nbf:
        raise InvalidToken("token not yet valid")
    if not isinstance(claims.get("jti"), str):
        raise InvalidToken("missing jti")


class RevocationCache:
    """Ids of revoked access tokens and refresh-token families whose tokens may not have expired yet.

    Both live in table ``revoked_tokens``; a family as ``family:<id>``, kept for the longest
    access-token lifetime, since any of its access tokens may have been issued just before.

    A revocation made through this process is effective at once (added after its commit). Other
    processes see it within about ``refresh_interval`` (1 s): the first check after that interval
    reads the rows revoked since the last read, with a two-minute overlap so slow commits and clock
    skew between machines are not missed, and the whole set is re-read every five minutes.
    Expired ids are dropped from memory on refresh and from the table on each revocation.
    """

    def __init__(
        self,
        db: Database,
        *,
        clock: Callable[[], datetime] = _utcnow,
        refresh_interval: float = 1.0,
        overlap: timedelta = timedelta(minutes=2),
        full_reload_interval: float = 300.0,
    ) -> None:
        self._db = db
        self._clock = clock
        self._interval = refresh_interval
        self._overlap = overlap
        self._full_interval = full_reload_interval
        self._revoked: dict[str, float] = {}
        self._lock = threading.Lock()
        self._last_refresh = float("-inf")
        self._last_full = float("-inf")
        self._since: datetime | None = None

    def is_revoked(self, jti: str) -> bool:
        if time.monotonic() - self._last_refresh >= self._interval and self._lock.acquire(blocking=False):
            try:
                self._refresh()
            finally:
                self._lock.release()
        return jti in self._revoked

    def revokes(self, claims: dict[str, Any]) -> bool:
        """Whether an access token is revoked: by its ``jti``, or with its refresh-token family."""
        if self.is_revoked(str(claims["jti"])):
            return True
        family = claims.get(FAMILY_CLAIM)
        return isinstance(family, str) and _FAMILY_PREFIX + family in self._revoked

    def revoke_in(self, conn: Connection, jti: str, expires_at: datetime) -> None:
        """Record the revocation in the caller's write transaction; effective here once committed."""
        now = self._clock()
        token_repo.revoke_jti(conn, jti, expires_at, now)
        token_repo.prune_revoked(conn, now)
        after_commit(conn, lambda: self._add(jti, expires_at.timestamp()))

    def revoke_family_in(self, conn: Connection, family_id: str) -> None:
        """Revoke every access token issued from a refresh-token family (in the caller's transaction)."""
        expires_at = self._clock() + timedelta(seconds=MAX_LIFETIME_SECONDS + DEFAULT_LEEWAY_SECONDS)
        self.revoke_in(conn, _FAMILY_PREFIX + family_id, expires_at)

    def refresh(self) -> None:
        with self._lock:
            self._refresh()

    def _add(self, jti: str, expires_at: float) -> None:
        with self._lock:
            self._revoked[jti] = expires_at

    def _refresh(self) -> None:
        started, now = time.monotonic(), self._clock()
        full = started - self._last_full >= self._full_interval
        since = None if full or self._since is None else self._since - self._overlap
        with read_transaction(self._db) as conn:
            rows = token_repo.revoked_since(conn, since, now)
        cutoff = now.timestamp()
        fresh = {jti: exp.timestamp() for jti, exp in rows}
        if full:
            self._revoked = fresh  # a new dict swapped in: readers never see a half-built one
            self._last_full = started
        else:
            kept = {j: e for j, e in self._revoked.items() if e >= cutoff}
            kept.update(fresh)
            self._revoked = kept
        self._since = now
        self._last_refresh = started
