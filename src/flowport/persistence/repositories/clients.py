"""OAuth clients ("application users"): registry rows; secrets only as keyed hashes."""

from __future__ import annotations

import threading
import time
import weakref
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine, delete, insert, select, update

from flowport.persistence.auth_tables import clients, refresh_tokens
from flowport.persistence.db import after_commit, read_transaction
from flowport.persistence.paging import page


@dataclass(frozen=True)
class ClientRow:
    id: str
    env: str
    name: str
    profile: str | None
    permissions: list[str]
    audiences: list[str]
    token_lifetime: int
    refresh_tokens: bool
    visibility: str
    enabled: bool
    secret_hash: str | None
    previous_secret_hash: str | None
    previous_secret_expires_at: datetime | None
    jwks: dict[str, Any] | None
    source: str
    created_at: datetime
    last_used_at: datetime | None


def _row(r: Any) -> ClientRow:
    return ClientRow(**r._asdict())


def get(conn: Connection, client_id: str) -> ClientRow | None:
    """A client by id, in any environment (client ids are global, like OAuth expects)."""
    r = conn.execute(select(clients).where(clients.c.id == client_id)).first()
    return _row(r) if r else None


def insert_client(conn: Connection, **values: Any) -> None:
    conn.execute(insert(clients).values(**values))
    _changed(conn, str(values["id"]))


def update_client(conn: Connection, client_id: str, **values: Any) -> bool:
    _changed(conn, client_id)
    return conn.execute(update(clients).where(clients.c.id == client_id).values(**values)).rowcount == 1


def delete_client(conn: Connection, client_id: str) -> bool:
    _changed(conn, client_id)
    return conn.execute(delete(clients).where(clients.c.id == client_id)).rowcount == 1


def touch(conn: Connection, client_id: str, at: datetime) -> None:
    conn.execute(update(clients).where(clients.c.id == client_id).values(last_used_at=at))


def search(conn: Connection, env: str | None, cursor: str | None, limit: int) -> list[ClientRow]:
    query = select(clients)
    if env is not None:
        query = query.where(clients.c.env == env)
    return [_row(r) for r in conn.execute(page(query, clients.c.created_at, clients.c.id, cursor, limit))]


def any_with_permission_source(conn: Connection, source: str) -> bool:
    return conn.execute(select(clients.c.id).where(clients.c.source == source).limit(1)).first() is not None


def any_with_profile(conn: Connection, profile: str) -> bool:
    """Whether some client has ``profile`` (start-up: is there an admin client yet?)."""
    return conn.execute(select(clients.c.id).where(clients.c.profile == profile).limit(1)).first() is not None


def revoke_refresh_tokens(conn: Connection, client_id: str, now: datetime) -> int:
    """Revoke every live refresh token of a client (it is deleted: a new client of that id must not
    inherit them)."""
    query = update(refresh_tokens).where(
        refresh_tokens.c.client_id == client_id, refresh_tokens.c.revoked_at.is_(None)
    )
    return conn.execute(query.values(revoked_at=now)).rowcount


# --- read-through cache for the token endpoint -----------------------------------------------------

CACHE_MAX_ENTRIES = 10_000
_CACHES: weakref.WeakKeyDictionary[Engine, weakref.WeakSet[ClientCache]] = weakref.WeakKeyDictionary()


class ClientCache:
    """Client rows for the token endpoint, read through a short-lived in-process cache.

    Authenticating a client is on the token endpoint's hot path, and a database read was a fifth
    of its cost. Rows are kept for ``ttl`` seconds (1 s by default). Every insert, update or delete
    made through this module forgets the row once its transaction commits, so changes made in this
    process take effect at once; changes made by another process take effect within ``ttl``, as
    revocations do.
    """

    def __init__(self, db: Engine, *, ttl: float = 1.0) -> None:
        self._db = db
        self._ttl = ttl
        self._rows: dict[str, tuple[float, ClientRow | None]] = {}
        self._lock = threading.Lock()
        _CACHES.setdefault(db, weakref.WeakSet()).add(self)

    def get(self, client_id: str) -> ClientRow | None:
        """The client's row (None when unknown), at most ``ttl`` seconds old."""
        now = time.monotonic()
        cached = self._rows.get(client_id)
        if cached is not None and now - cached[0] < self._ttl:
            return cached[1]
        with read_transaction(self._db) as conn:
            row = get(conn, client_id)
        with self._lock:
            if len(self._rows) >= CACHE_MAX_ENTRIES:  # many unknown ids: bounded memory, not a leak
                self._rows.clear()
            self._rows[client_id] = (now, row)
        return row

    def forget(self, client_id: str) -> None:
        """Drop one client's row so the next lookup reads the database."""
        with self._lock:
            self._rows.pop(client_id, None)


def _changed(conn: Connection, client_id: str) -> None:
    """Once the transaction commits, every cache of this engine reads the client afresh."""
    caches = list(_CACHES.get(conn.engine, ()))

    def forget() -> None:
        for cache in caches:
            cache.forget(client_id)

    if caches:
        after_commit(conn, forget)
