"""Security audit events (who did what, from where); no secret gets in, whoever writes.

Every writer (a service recording an action, the token service's write-behind queue, the key ring)
goes through :func:`event_row`, which scrubs ``details`` and bounds the columns: the callers keep
secrets out, and this is the belt and braces at the table's door.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
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


# Whatever a caller puts in ``details``, members with these names never reach the table.
_SECRET_WORDS = ("secret", "password", "assertion", "credential", "private")
_SECRET_KEYS = frozenset({"token", "access_token", "refresh_token", "accesstoken", "refreshtoken"})


def scrub(details: dict[str, Any] | None) -> dict[str, Any] | None:
    """``details`` without any member whose name suggests a secret."""
    if not details:
        return details
    clean: dict[str, Any] = {}
    for key, value in details.items():
        lowered = key.lower()
        if lowered in _SECRET_KEYS or any(word in lowered for word in _SECRET_WORDS):
            continue
        clean[key] = scrub(value) if isinstance(value, dict) else value
    return clean


def event_row(
    event: str,
    *,
    env: str | None,
    actor: str | None,
    subject: str | None,
    source_ip: str | None = None,
    details: dict[str, Any] | None = None,
    at: datetime | None = None,
) -> dict[str, Any]:
    """One row of the table (without ``id``): ``details`` scrubbed, every text within its column."""
    return {
        "env": env,
        "at": at or datetime.now(UTC),
        "event": event[:64],
        "actor": actor[:255] if actor else actor,
        "subject": subject[:255] if subject else subject,
        "source_ip": source_ip[:64] if source_ip else source_ip,
        "details": scrub(details),
    }


def insert_events(conn: Connection, rows: list[dict[str, Any]]) -> None:
    """Insert rows made by :func:`event_row`."""
    if rows:
        conn.execute(insert(audit_events), rows)


def insert_event(
    conn: Connection,
    event: str,
    *,
    env: str | None,
    actor: str | None,
    subject: str | None,
    source_ip: str | None = None,
    details: dict[str, Any] | None = None,
    at: datetime | None = None,
) -> None:
    """Write one event in the caller's transaction (it commits with the change it describes)."""
    row = event_row(event, env=env, actor=actor, subject=subject, source_ip=source_ip, details=details, at=at)
    insert_events(conn, [row])


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
