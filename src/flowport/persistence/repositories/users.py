"""People who log in: usernames are unique per environment; passwords only as argon2id hashes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, delete, insert, select, update

from flowport.persistence.auth_tables import users
from flowport.persistence.conflicts import violations_as_conflict
from flowport.persistence.paging import page


@dataclass(frozen=True)
class UserRow:
    id: str
    env: str
    username: str
    password_hash: str
    roles: list[str]
    groups: list[str]
    profile: str | None
    permissions: list[str]
    visibility: str
    locked: bool
    created_at: datetime


def _row(r: Any) -> UserRow:
    return UserRow(**r._asdict())


def get(conn: Connection, user_id: str) -> UserRow | None:
    r = conn.execute(select(users).where(users.c.id == user_id)).first()
    return _row(r) if r else None


def by_username(conn: Connection, env: str, username: str) -> UserRow | None:
    r = conn.execute(select(users).where(users.c.env == env, users.c.username == username)).first()
    return _row(r) if r else None


def insert_user(conn: Connection, **values: Any) -> None:
    """Insert a row; a duplicate (env, username) raises ConstraintViolated."""
    with violations_as_conflict("The user"):
        conn.execute(insert(users).values(**values))


def update_user(conn: Connection, user_id: str, **values: Any) -> bool:
    return conn.execute(update(users).where(users.c.id == user_id).values(**values)).rowcount == 1


def delete_user(conn: Connection, user_id: str) -> bool:
    return conn.execute(delete(users).where(users.c.id == user_id)).rowcount == 1


def search(conn: Connection, env: str | None, cursor: str | None, limit: int) -> list[UserRow]:
    """Newest first; ``limit + 1`` rows (see :func:`flowport.persistence.paging.page`)."""
    query = select(users)
    if env is not None:
        query = query.where(users.c.env == env)
    return [_row(r) for r in conn.execute(page(query, users.c.created_at, users.c.id, cursor, limit))]
