"""Signing keys of the token service: public JWKs and AES-GCM-encrypted private parts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, func, insert, or_, select, update

from flowport.persistence.auth_tables import clients, signing_keys


@dataclass(frozen=True)
class KeyRow:
    kid: str
    alg: str
    public_jwk: dict[str, Any]
    private_encrypted: bytes
    created_at: datetime
    active_from: datetime
    retired_at: datetime | None
    publish_until: datetime | None


def _row(r: Any) -> KeyRow:
    return KeyRow(**r._asdict())


def lock(conn: Connection) -> None:
    """Serialize key creation and rotation between processes (SQLite: BEGIN IMMEDIATE already does)."""
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql("SELECT pg_advisory_xact_lock(7077002)")


def published(conn: Connection, now: datetime) -> list[KeyRow]:
    """Keys still in the JWKS: not retired, or retired but some token they signed may be valid."""
    query = select(signing_keys).where(
        or_(signing_keys.c.publish_until.is_(None), signing_keys.c.publish_until > now)
    )
    return [_row(r) for r in conn.execute(query.order_by(signing_keys.c.active_from, signing_keys.c.kid))]


def all_keys(conn: Connection) -> list[KeyRow]:
    query = select(signing_keys).order_by(signing_keys.c.active_from.desc(), signing_keys.c.kid)
    return [_row(r) for r in conn.execute(query)]


def insert_key(conn: Connection, row: KeyRow) -> None:
    conn.execute(insert(signing_keys).values(**row.__dict__))


def retire_active(conn: Connection, now: datetime, publish_until: datetime) -> list[str]:
    """Stop every signing key; keep each published until ``publish_until``. Returns their kids."""
    kids = [r[0] for r in conn.execute(select(signing_keys.c.kid).where(signing_keys.c.retired_at.is_(None)))]
    if kids:
        conn.execute(
            update(signing_keys)
            .where(signing_keys.c.kid.in_(kids))
            .values(retired_at=now, publish_until=publish_until)
        )
    return kids


def max_client_token_lifetime(conn: Connection) -> int:
    """The longest token lifetime any client has: how long a retired key must stay published."""
    value = conn.execute(select(func.max(clients.c.token_lifetime))).scalar()
    return int(value or 0)
