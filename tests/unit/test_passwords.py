"""Password hashing: argon2id, salted, upgraded on login, and as much work for unknown users."""

from __future__ import annotations

from typing import Any

from argon2 import PasswordHasher

from flowport.auth.passwords import HASHER, MAX_LENGTH, hash_password, password_problem, verify_password


class CountingHasher(PasswordHasher):
    """The production parameters, counting how often a hash is checked."""

    def __init__(self) -> None:
        super().__init__(
            time_cost=HASHER.time_cost,
            memory_cost=HASHER.memory_cost,
            parallelism=HASHER.parallelism,
            hash_len=HASHER.hash_len,
            salt_len=HASHER.salt_len,
        )
        self.verifications = 0

    def verify(self, hash: str | bytes, password: str | bytes) -> Any:
        self.verifications += 1
        return super().verify(hash, password)


def test_a_hash_is_argon2id_salted_and_checks_the_password() -> None:
    first, second = hash_password("correct horse"), hash_password("correct horse")
    assert first.startswith("$argon2id$") and first != second  # a fresh salt each time
    assert "correct horse" not in first
    assert verify_password("correct horse", first).ok
    assert not verify_password("correct hors", first).ok
    assert not verify_password("", first).ok


def test_an_unknown_user_costs_a_hash_check_too() -> None:
    hasher = CountingHasher()
    assert not verify_password("whatever", None, hasher).ok
    assert hasher.verifications == 1
    stored = hash_password("correct horse", hasher)
    assert not verify_password("wrong", stored, hasher).ok
    assert hasher.verifications == 2  # the same work as for a real user


def test_a_hash_made_with_weaker_parameters_is_upgraded_on_login() -> None:
    weak = PasswordHasher(time_cost=1, memory_cost=8 * 1024, parallelism=1)
    old = weak.hash("correct horse")
    check = verify_password("correct horse", old)
    assert check.ok and check.new_hash is not None
    assert not HASHER.check_needs_rehash(check.new_hash)
    assert verify_password("correct horse", check.new_hash) == type(check)(ok=True)
    assert verify_password("wrong", old).new_hash is None


def test_garbage_hashes_and_huge_passwords_are_refused_not_crashed() -> None:
    assert not verify_password("x", "not-a-hash").ok
    assert not verify_password("x" * (MAX_LENGTH + 1), hash_password("x" * 8)).ok


def test_password_rules() -> None:
    assert password_problem("1234567") is not None
    assert password_problem("12345678") is None
    assert password_problem("x" * (MAX_LENGTH + 1)) is not None
