"""Armed timers (leased by schedulers) and message/signal subscriptions of waiting instances."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, delete, insert, or_, select, update

from flowport.persistence.repositories import start_timers
from flowport.persistence.scope import Scope, of_visible_instance
from flowport.persistence.tables import (
    instances,
    subscriptions,
    timers,
)
from flowport.states import InstanceStatus

# --- timers --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LeasedTimer:
    """A due timer leased to one scheduler: which instance to fire it in, and where."""

    id: str
    instance_id: str
    env: str


def insert_timers(conn: Connection, rows: list[dict[str, Any]]) -> None:
    if rows:
        conn.execute(insert(timers), rows)


def delete_timers(conn: Connection, timer_ids: list[str]) -> None:
    if timer_ids:
        conn.execute(delete(timers).where(timers.c.id.in_(timer_ids)))


def reschedule_timer(conn: Connection, timer_id: str, due_at: datetime) -> None:
    conn.execute(
        update(timers)
        .where(timers.c.id == timer_id)
        .values(due_at=due_at, lease_owner=None, lease_expires_at=None)
    )


def claim_due_timers(
    conn: Connection, owner: str, now: datetime, lease: timedelta, limit: int
) -> list[LeasedTimer]:
    """Lease due timers of running instances to ``owner``."""
    candidates = (
        select(timers.c.id)
        .join(instances, instances.c.id == timers.c.instance_id)
        .where(
            timers.c.due_at <= now,
            or_(timers.c.lease_expires_at.is_(None), timers.c.lease_expires_at < now),
            instances.c.status == InstanceStatus.RUNNING,
        )
        .order_by(timers.c.due_at)
        .limit(limit)
    )
    if conn.dialect.name == "postgresql":
        candidates = candidates.with_for_update(of=timers, skip_locked=True)
    ids = [r[0] for r in conn.execute(candidates)]
    if not ids:
        return []
    # The conditional UPDATE is the claim on SQLite: only rows still unleased are taken.
    rows = conn.execute(
        update(timers)
        .where(
            timers.c.id.in_(ids),
            or_(timers.c.lease_expires_at.is_(None), timers.c.lease_expires_at < now),
        )
        .values(lease_owner=owner, lease_expires_at=now + lease)
        .returning(timers.c.id, timers.c.instance_id, timers.c.env)
    ).all()
    return [LeasedTimer(r[0], r[1], r[2]) for r in rows]


def leased_timer_element(conn: Connection, timer_id: str, owner: str) -> str | None:
    """The element of a timer still leased to ``owner`` (None: fired, gone or taken over)."""
    r = conn.execute(select(timers.c.lease_owner, timers.c.element_id).where(timers.c.id == timer_id)).first()
    return str(r[1]) if r is not None and r[0] == owner else None


def next_timer_due(conn: Connection, now: datetime) -> datetime | None:
    """When the scheduler should look again: the earliest unleased due time or lease expiry.

    Instance timers and the scheduled starts of timer start events alike.
    """
    running = instances.c.status == InstanceStatus.RUNNING
    free = or_(timers.c.lease_expires_at.is_(None), timers.c.lease_expires_at < now)
    due = conn.execute(
        select(timers.c.due_at)
        .join(instances, instances.c.id == timers.c.instance_id)
        .where(running, free)
        .order_by(timers.c.due_at)
        .limit(1)
    ).scalar()
    lease = conn.execute(
        select(timers.c.lease_expires_at)
        .where(timers.c.lease_expires_at >= now)
        .order_by(timers.c.lease_expires_at)
        .limit(1)
    ).scalar()
    found = [t for t in (due, lease, start_timers.next_due(conn, now)) if t is not None]
    return min(found) if found else None


def count_timers(conn: Connection, instance_id: str) -> int:
    return len(conn.execute(select(timers.c.id).where(timers.c.instance_id == instance_id)).all())


# --- message and signal subscriptions ------------------------------------------------------------


def insert_subscriptions(conn: Connection, rows: list[dict[str, Any]]) -> None:
    if rows:
        conn.execute(insert(subscriptions), rows)


def delete_subscriptions(conn: Connection, ids: list[str]) -> None:
    if ids:
        conn.execute(delete(subscriptions).where(subscriptions.c.id.in_(ids)))


def waiting_instances(
    conn: Connection,
    scope: Scope,
    kind: str,
    name: str,
    *,
    instance_id: str | None = None,
    business_key: str | None = None,
    correlation_key: str | None = None,
) -> list[str]:
    query = select(subscriptions.c.instance_id).where(
        of_visible_instance(scope, subscriptions.c.env, subscriptions.c.instance_id),
        subscriptions.c.kind == kind,
        subscriptions.c.name == name,
    )
    if instance_id:
        query = query.where(subscriptions.c.instance_id == instance_id)
    if business_key:
        query = query.where(subscriptions.c.business_key == business_key)
    if correlation_key:
        query = query.where(subscriptions.c.correlation_key == correlation_key)
    return list(dict.fromkeys(r[0] for r in conn.execute(query.order_by(subscriptions.c.created_at))))
