"""User passwords: argon2id hashes (RFC 9106), constant-time checks, no timing oracle for unknown users."""

from __future__ import annotations

import contextlib
import secrets
from dataclasses import dataclass
from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

MIN_LENGTH = 8
MAX_LENGTH = 1024  # a bound on the work one login request can cause

# OWASP's argon2id baseline (19 MiB, 2 passes, 1 lane): costly to brute-force, ~25 ms to check.
HASHER = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1, hash_len=32, salt_len=16)


@dataclass(frozen=True)
class Check:
    """The outcome of a password check; ``new_hash`` is set when the stored hash should be upgraded."""

    ok: bool
    new_hash: str | None = None


def hash_password(password: str, hasher: PasswordHasher = HASHER) -> str:
    """An argon2id hash of ``password`` with a fresh random salt."""
    return hasher.hash(password)


def verify_password(password: str, stored_hash: str | None, hasher: PasswordHasher = HASHER) -> Check:
    """Check ``password`` against ``stored_hash`` (argon2 compares in constant time).

    With no stored hash (unknown user) a dummy hash is checked anyway, so the answer takes as long
    as for a real user and response times do not reveal which usernames exist.
    """
    if stored_hash is None or len(password) > MAX_LENGTH:
        _spend(hasher)
        return Check(ok=False)
    try:
        hasher.verify(stored_hash, password)
    except (VerificationError, InvalidHashError):  # a mismatch is a VerificationError
        return Check(ok=False)
    if hasher.check_needs_rehash(stored_hash):
        return Check(ok=True, new_hash=hasher.hash(password))
    return Check(ok=True)


def _spend(hasher: PasswordHasher) -> None:
    with contextlib.suppress(VerificationError):
        hasher.verify(_dummy_hash(hasher), secrets.token_urlsafe(16))


@lru_cache(maxsize=4)
def _dummy_hash(hasher: PasswordHasher) -> str:
    return hasher.hash(secrets.token_urlsafe(16))


def password_problem(password: str) -> str | None:
    """Why ``password`` cannot be used, or None when it is acceptable."""
    if len(password) < MIN_LENGTH:
        return f"The password must have at least {MIN_LENGTH} characters"
    if len(password) > MAX_LENGTH:
        return f"The password must have at most {MAX_LENGTH} characters"
    return None
