"""OAuth clients ("application users"): registry rows; secrets only as keyed hashes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, case, delete, func, insert, select, update

from flowport.persistence.auth_tables import clients, refresh_tokens
from flowport.persistence.conflicts import violations_as_conflict
from flowport.persistence.db import notify_client_changed
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
    """Insert a row; a taken client id raises ConstraintViolated."""
    with violations_as_conflict("The client"):
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


@dataclass(frozen=True)
class ClientTally:
    """The clients of one environment, and how many of them may get tokens."""

    total: int
    enabled: int


def tally(conn: Connection, env: str) -> ClientTally:
    """Count an environment's clients in SQL (``ix_clients_env_created_at``)."""
    query = select(
        func.count(), func.coalesce(func.sum(case((clients.c.enabled.is_(True), 1), else_=0)), 0)
    ).where(clients.c.env == env)
    total, enabled = conn.execute(query).one()
    return ClientTally(int(total), int(enabled))


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


def _changed(conn: Connection, client_id: str) -> None:
    # The token endpoint caches client rows (flowport.auth.client_cache): it forgets one at commit.
    notify_client_changed(conn, client_id)
