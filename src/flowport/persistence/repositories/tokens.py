"""Revoked access-token ids, refresh tokens (hashed) and used client-assertion ids."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from flowport.persistence.auth_tables import refresh_tokens, revoked_tokens, used_client_assertions

# --- revoked access tokens (RFC 7009) --------------------------------------------------------------


def revoke_jti(conn: Connection, jti: str, expires_at: datetime, now: datetime) -> None:
    """Record a revoked access token id or family key (idempotent, also between concurrent callers)."""
    exists = conn.execute(select(revoked_tokens.c.jti).where(revoked_tokens.c.jti == jti)).first()
    if exists is None:
        try:
            with conn.begin_nested():
                conn.execute(insert(revoked_tokens).values(jti=jti, expires_at=expires_at, revoked_at=now))
        except IntegrityError:
            pass  # on PostgreSQL two reuses of one refresh token may revoke its family at once


def revoked_since(conn: Connection, since: datetime | None, now: datetime) -> list[tuple[str, datetime]]:
    """(jti, expires_at) of unexpired revocations recorded at or after ``since`` (all when None)."""
    query = select(revoked_tokens.c.jti, revoked_tokens.c.expires_at).where(revoked_tokens.c.expires_at > now)
    if since is not None:
        query = query.where(revoked_tokens.c.revoked_at >= since)
    return [(r[0], r[1]) for r in conn.execute(query)]


def prune_revoked(conn: Connection, now: datetime) -> int:
    """Forget revocations of tokens that expired anyway."""
    return conn.execute(delete(revoked_tokens).where(revoked_tokens.c.expires_at < now)).rowcount


# --- refresh tokens ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class RefreshRow:
    token_hash: str
    family_id: str
    client_id: str
    env: str
    scope: str
    audience: list[str]
    created_at: datetime
    expires_at: datetime
    used_at: datetime | None
    revoked_at: datetime | None


def insert_refresh(conn: Connection, row: RefreshRow) -> None:
    conn.execute(insert(refresh_tokens).values(**row.__dict__))


def get_refresh(conn: Connection, token_hash: str) -> RefreshRow | None:
    r = conn.execute(select(refresh_tokens).where(refresh_tokens.c.token_hash == token_hash)).first()
    return RefreshRow(**r._asdict()) if r else None


def mark_used(conn: Connection, token_hash: str, now: datetime) -> bool:
    """Compare-and-set: True only for the one caller that used the token first."""
    result = conn.execute(
        update(refresh_tokens)
        .where(refresh_tokens.c.token_hash == token_hash, refresh_tokens.c.used_at.is_(None))
        .values(used_at=now)
    )
    return result.rowcount == 1


def revoke_family(conn: Connection, family_id: str, now: datetime) -> int:
    result = conn.execute(
        update(refresh_tokens)
        .where(refresh_tokens.c.family_id == family_id, refresh_tokens.c.revoked_at.is_(None))
        .values(revoked_at=now)
    )
    return result.rowcount


def prune_refresh(conn: Connection, client_id: str, now: datetime) -> int:
    """Drop a client's expired refresh tokens (its index keeps this cheap)."""
    return conn.execute(
        delete(refresh_tokens).where(
            refresh_tokens.c.client_id == client_id, refresh_tokens.c.expires_at < now
        )
    ).rowcount


# --- client assertions (RFC 7523 section 3: single use of jti) ------------------------------------------


def use_assertion(conn: Connection, key: str, expires_at: datetime, now: datetime) -> bool:
    """Remember an assertion id until it expires; False when it was seen before (a replay)."""
    conn.execute(delete(used_client_assertions).where(used_client_assertions.c.expires_at < now))
    try:
        with conn.begin_nested():
            conn.execute(insert(used_client_assertions).values(key=key, expires_at=expires_at))
    except IntegrityError:
        return False
    return True
