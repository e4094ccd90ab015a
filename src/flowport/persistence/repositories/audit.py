"""Security audit events (who did what, from where); the caller makes sure no secret gets in."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, insert, select

from flowport.persistence.auth_tables import audit_events


@dataclass(frozen=True)
class AuditRow:
    id: int
    env: str | None
    at: datetime
    event: str
    actor: str | None
    subject: str | None
    source_ip: str | None
    details: dict[str, Any] | None


def insert_events(conn: Connection, rows: list[dict[str, Any]]) -> None:
    """Insert events given as dicts of the table's columns (without ``id``)."""
    if rows:
        conn.execute(insert(audit_events), rows)


def search(
    conn: Connection, env: str | None, event: str | None, before_id: int | None, limit: int
) -> list[AuditRow]:
    """Newest first (by id, which grows with time), ``limit + 1`` rows for paging."""
    query = select(audit_events)
    if env is not None:
        query = query.where(audit_events.c.env == env)
    if event is not None:
        query = query.where(audit_events.c.event == event)
    if before_id is not None:
        query = query.where(audit_events.c.id < before_id)
    query = query.order_by(audit_events.c.id.desc()).limit(limit + 1)
    return [AuditRow(**r._asdict()) for r in conn.execute(query)]
