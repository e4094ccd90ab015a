"""Security audit events (who did what, from where); no secret gets in, whoever writes.

Every writer (a service recording an action, the token service's write-behind queue, the key ring)
goes through :class:`AuditEvent`, whose row scrubs ``details`` and bounds the columns: the callers keep
secrets out, and this is the belt and braces at the table's door.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, select
from sqlalchemy import insert as insert_statement

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


@dataclass(frozen=True)
class AuditEvent:
    """One event to record: what happened, in which environment, who did it to whom, from where."""

    event: str
    env: str | None
    actor: str | None
    subject: str | None
    source_ip: str | None = None
    details: dict[str, Any] | None = None
    at: datetime = field(default_factory=lambda: datetime.now(UTC))

    def row(self) -> dict[str, Any]:
        """The table row (without ``id``): ``details`` scrubbed, every text within its column."""
        return {
            "env": self.env,
            "at": self.at,
            "event": self.event[:64],
            "actor": _bounded(self.actor, 255),
            "subject": _bounded(self.subject, 255),
            "source_ip": _bounded(self.source_ip, 64),
            "details": scrub(self.details),
        }


def _bounded(text: str | None, length: int) -> str | None:
    return text[:length] if text else text


def insert(conn: Connection, events: list[AuditEvent]) -> None:
    """Write events in the caller's transaction (they commit with the change they describe)."""
    if events:
        conn.execute(insert_statement(audit_events), [e.row() for e in events])


def search(
    conn: Connection,
    env: str | None,
    event: str | None,
    before_id: int | None,
    limit: int,
    *,
    subject: str | None = None,
    occurred_from: datetime | None = None,
    occurred_to: datetime | None = None,
) -> list[AuditRow]:
    """Newest first (by id, which grows with time), ``limit + 1`` rows for paging.

    ``occurred_from``/``occurred_to`` bound ``at`` half-open (from included, to excluded). The
    filters only narrow the set; the keyset on ``id`` alone pages it, so no row repeats or goes missing.
    """
    query = select(audit_events)
    if env is not None:
        query = query.where(audit_events.c.env == env)
    if event is not None:
        query = query.where(audit_events.c.event == event)
    if subject is not None:
        query = query.where(audit_events.c.subject == subject)
    if occurred_from is not None:
        query = query.where(audit_events.c.at >= occurred_from)
    if occurred_to is not None:
        query = query.where(audit_events.c.at < occurred_to)
    if before_id is not None:
        query = query.where(audit_events.c.id < before_id)
    query = query.order_by(audit_events.c.id.desc()).limit(limit + 1)
    return [AuditRow(**r._asdict()) for r in conn.execute(query)]
