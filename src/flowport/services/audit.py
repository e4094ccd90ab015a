"""The security audit log: recording what callers did (never secrets) and listing it for the admin API."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection

from flowport.errors import InvalidRequest
from flowport.persistence.db import read_transaction
from flowport.persistence.repositories import audit as audit_repo
from flowport.persistence.repositories.audit import AuditEvent, AuditRow
from flowport.services.context import Actor, Services
from flowport.services.paging import Page, decode_id_cursor


@dataclass(frozen=True)
class AuditEntry:
    """A security event as the audit log shows it (details hold no secrets: see ``audit_repo.scrub``)."""

    id: int
    at: datetime
    event: str
    env: str | None
    actor: str | None
    subject: str | None
    source_ip: str | None
    details: dict[str, Any] | None

    @classmethod
    def of_row(cls, row: AuditRow) -> AuditEntry:
        return cls(row.id, row.at, row.event, row.env, row.actor, row.subject, row.source_ip, row.details)


def record_action(
    conn: Connection,
    actor: Actor,
    event: str,
    *,
    subject: str | None,
    env: str | None,
    details: dict[str, Any] | None = None,
    source_ip: str | None = None,
) -> None:
    """Record what a caller did, in the caller's transaction; ``details`` must never hold a secret."""
    source = source_ip or getattr(actor, "source_ip", None)
    audit_repo.insert(conn, [AuditEvent(event, env, actor.subject, subject, source, details or {})])


def search(
    services: Services,
    env: str | None,
    event: str | None,
    cursor: str | None,
    limit: int,
    *,
    subject: str | None = None,
    occurred_from: datetime | None = None,
    occurred_to: datetime | None = None,
) -> Page[AuditEntry]:
    """Events newest first, optionally of one environment, kind, subject and time range.

    ``subject`` (a client id or username) matches exactly; the range is half-open, ``occurred_from``
    included and ``occurred_to`` excluded, both timezone-aware. ``cursor`` comes from a previous page
    asked with the same filters.
    """
    for name, moment in (("from", occurred_from), ("to", occurred_to)):
        if moment is not None and moment.utcoffset() is None:
            raise InvalidRequest(f"The {name} time has no time zone; give one, e.g. 2026-01-31T00:00:00Z")
    if occurred_from is not None and occurred_to is not None and occurred_from > occurred_to:
        raise InvalidRequest("The time range ends before it starts; the 'to' time must not precede 'from'")
    services.auth.writes.flush()  # events queued by this process show up at once
    before = decode_id_cursor(cursor)
    with read_transaction(services.db) as conn:
        rows = audit_repo.search(
            conn,
            env,
            event,
            before,
            limit,
            subject=subject,
            occurred_from=occurred_from.astimezone(UTC) if occurred_from else None,
            occurred_to=occurred_to.astimezone(UTC) if occurred_to else None,
        )
    entries = [AuditEntry.of_row(r) for r in rows[:limit]]
    return Page(entries, str(entries[-1].id) if len(rows) > limit else None)
