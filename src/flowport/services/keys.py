"""Use cases for the token service's signing keys: list them, rotate to a new one."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flowport.persistence.db import read_transaction, write_transaction
from flowport.persistence.repositories import keys as key_repo
from flowport.persistence.repositories.keys import KeyRow
from flowport.services.context import Actor, Services


@dataclass(frozen=True)
class KeyView:
    """A signing key as operators see it (never any private part)."""

    kid: str
    alg: str
    created_at: datetime
    active: bool  # new tokens are signed with it
    retired_at: datetime | None
    publish_until: datetime | None  # None while active; then when it leaves the JWKS
    published: bool

    @classmethod
    def of_row(cls, row: KeyRow, current: str | None, now: datetime) -> KeyView:
        """``current``: the kid that signs now."""
        published = row.publish_until is None or row.publish_until > now
        return cls(
            row.kid, row.alg, row.created_at, row.kid == current, row.retired_at, row.publish_until, published
        )


def current_kid(rows: list[KeyRow], now: datetime) -> str | None:
    candidates = [r for r in rows if r.retired_at is None and r.active_from <= now]
    best = max(candidates, key=lambda r: (r.active_from, r.kid), default=None)
    return best.kid if best else None


def list_keys(services: Services) -> list[KeyView]:
    """Every key ever created, newest first."""
    now = services.clock()
    with read_transaction(services.db) as conn:
        rows = key_repo.all_keys(conn)
    current = current_kid(rows, now)
    return [KeyView.of_row(r, current, now) for r in rows]


def rotate(services: Services, actor: Actor) -> KeyView:
    """Publish a new key and sign with it from now on; old keys stay published until their tokens expire.

    Other server processes pick the new key up within their key cache's time to live (10 s); until
    then they keep signing with the old key, which stays valid and published.
    """
    keyring = services.auth.keyring
    with write_transaction(services.db) as conn:
        key_repo.lock(conn)
        row = keyring.rotate_in(conn, actor=actor.subject, reason="rotation")
    return KeyView.of_row(row, row.kid, services.clock())
