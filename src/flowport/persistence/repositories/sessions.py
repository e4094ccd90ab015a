"""Browser sessions of users: stored by keyed hash of the cookie value, never the value itself."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, delete, insert, select

from flowport.persistence.auth_tables import sessions, users
from flowport.persistence.repositories.users import UserRow


@dataclass(frozen=True)
class SessionRow:
    id_hash: str
    user_id: str
    env: str
    csrf_hash: str
    created_at: datetime
    expires_at: datetime


def insert_session(conn: Connection, row: SessionRow) -> None:
    conn.execute(insert(sessions).values(**row.__dict__))


def get(conn: Connection, id_hash: str) -> SessionRow | None:
    r = conn.execute(select(sessions).where(sessions.c.id_hash == id_hash)).first()
    return SessionRow(**r._asdict()) if r else None


def get_with_user(conn: Connection, id_hash: str) -> tuple[SessionRow, UserRow] | None:
    """A session and its user in one primary-key join (the per-request path of cookie logins)."""
    query = select(sessions, users).join(users, users.c.id == sessions.c.user_id)
    r = conn.execute(query.where(sessions.c.id_hash == id_hash)).first()
    if r is None:
        return None
    # Both tables have ``env`` and ``created_at``: pick values by column, not by name.
    session = SessionRow(**{column.name: r._mapping[column] for column in sessions.c})
    user = UserRow(**{column.name: r._mapping[column] for column in users.c})
    return session, user


def delete_session(conn: Connection, id_hash: str) -> bool:
    return conn.execute(delete(sessions).where(sessions.c.id_hash == id_hash)).rowcount == 1


def delete_for_user(conn: Connection, user_id: str) -> int:
    """End every session of a user (password change, lock, deletion)."""
    return conn.execute(delete(sessions).where(sessions.c.user_id == user_id)).rowcount


def delete_expired(conn: Connection, user_id: str, now: datetime) -> int:
    """Drop a user's expired sessions (done at each login, so the table does not grow without bound)."""
    return conn.execute(
        delete(sessions).where(sessions.c.user_id == user_id, sessions.c.expires_at <= now)
    ).rowcount
