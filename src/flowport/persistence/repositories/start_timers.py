"""Scheduled starts of timer start events, leased by schedulers like the timers of instances."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, delete, insert, or_, select, update

from flowport.persistence.tables import definitions, start_timers


@dataclass(frozen=True)
class StartTimerRow:
    id: str
    env: str
    definition_id: str
    element_id: str
    expression: str
    due_at: datetime
    remaining: int | None


@dataclass(frozen=True)
class LeasedStart:
    """A due timer start leased to one scheduler."""

    id: str
    env: str


_COLUMNS = (
    start_timers.c.id,
    start_timers.c.env,
    start_timers.c.definition_id,
    start_timers.c.element_id,
    start_timers.c.expression,
    start_timers.c.due_at,
    start_timers.c.remaining,
)


def insert_start_timers(conn: Connection, rows: list[dict[str, Any]]) -> None:
    if rows:
        conn.execute(insert(start_timers), rows)


def delete_for_key(conn: Connection, env: str, key: str) -> None:
    """Remove the scheduled starts of every version of a process (a new version replaces them)."""
    versions = select(definitions.c.id).where(definitions.c.env == env, definitions.c.key == key)
    conn.execute(delete(start_timers).where(start_timers.c.definition_id.in_(versions)))


def delete_for_definition(conn: Connection, definition_id: str) -> None:
    conn.execute(delete(start_timers).where(start_timers.c.definition_id == definition_id))


def for_definition(conn: Connection, definition_id: str) -> list[StartTimerRow]:
    query = select(*_COLUMNS).where(start_timers.c.definition_id == definition_id)
    return [StartTimerRow(*r) for r in conn.execute(query.order_by(start_timers.c.due_at))]


def _free(now: datetime) -> Any:
    return or_(start_timers.c.lease_expires_at.is_(None), start_timers.c.lease_expires_at < now)


def claim_due(conn: Connection, owner: str, now: datetime, lease: timedelta, limit: int) -> list[LeasedStart]:
    """Lease due starts to ``owner``."""
    candidates = (
        select(start_timers.c.id)
        .where(start_timers.c.due_at <= now, _free(now))
        .order_by(start_timers.c.due_at)
        .limit(limit)
    )
    if conn.dialect.name == "postgresql":
        candidates = candidates.with_for_update(skip_locked=True)
    ids = [r[0] for r in conn.execute(candidates)]
    if not ids:
        return []
    # The conditional UPDATE is the claim on SQLite: only rows still unleased are taken.
    rows = conn.execute(
        update(start_timers)
        .where(start_timers.c.id.in_(ids), _free(now))
        .values(lease_owner=owner, lease_expires_at=now + lease)
        .returning(start_timers.c.id, start_timers.c.env)
    ).all()
    return [LeasedStart(r[0], r[1]) for r in rows]


def leased(conn: Connection, timer_id: str, owner: str) -> StartTimerRow | None:
    """A start still leased to ``owner``, locked until the transaction ends (None: gone or taken over)."""
    query = select(*_COLUMNS, start_timers.c.lease_owner).where(start_timers.c.id == timer_id)
    if conn.dialect.name == "postgresql":
        query = query.with_for_update()
    r = conn.execute(query).first()
    if r is None or r[-1] != owner:
        return None
    return StartTimerRow(*r[:-1])


def reschedule(conn: Connection, timer_id: str, owner: str, due_at: datetime, remaining: int | None) -> bool:
    """Move a fired start to its next repetition and release the lease (False: not ours any more)."""
    result = conn.execute(
        update(start_timers)
        .where(start_timers.c.id == timer_id, start_timers.c.lease_owner == owner)
        .values(due_at=due_at, remaining=remaining, lease_owner=None, lease_expires_at=None)
    )
    return result.rowcount == 1


def remove(conn: Connection, timer_id: str, owner: str) -> bool:
    """Delete a spent start (False: not ours any more)."""
    result = conn.execute(
        delete(start_timers).where(start_timers.c.id == timer_id, start_timers.c.lease_owner == owner)
    )
    return result.rowcount == 1


def next_due(conn: Connection, now: datetime) -> datetime | None:
    """The earliest unleased due time or lease expiry of scheduled starts."""
    due = conn.execute(
        select(start_timers.c.due_at).where(_free(now)).order_by(start_timers.c.due_at).limit(1)
    ).scalar()
    lease = conn.execute(
        select(start_timers.c.lease_expires_at)
        .where(start_timers.c.lease_expires_at >= now)
        .order_by(start_timers.c.lease_expires_at)
        .limit(1)
    ).scalar()
    found = [t for t in (due, lease) if t is not None]
    return min(found) if found else None
