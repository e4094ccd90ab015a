"""The security audit log: recording events (never secrets) and listing them for the admin API."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection

from flowport.persistence.db import read_transaction
from flowport.persistence.repositories import audit as audit_repo
from flowport.persistence.repositories.audit import AuditRow
from flowport.services.context import Actor, Services
from flowport.services.paging import Page, decode_id_cursor

# Events of the token service (account management adds its own, e.g. "client.created").
TOKEN_ISSUED = "token.issued"
AUTH_FAILED = "auth.failed"
LOCKOUT = "auth.lockout"
REFRESH_REUSE = "refresh_token.reuse"
TOKEN_REVOKED = "token.revoked"
KEY_ROTATED = "key.rotated"

# Belt and braces: whatever a caller puts in ``details``, these never reach the table.
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
    source_ip: str | None,
    details: dict[str, Any] | None,
    at: datetime | None = None,
) -> dict[str, Any]:
    return {
        "env": env,
        "at": at or datetime.now(UTC),
        "event": event[:64],
        "actor": actor[:255] if actor else actor,
        "subject": subject[:255] if subject else subject,
        "source_ip": source_ip[:64] if source_ip else source_ip,
        "details": scrub(details),
    }


def record(
    conn: Connection,
    event: str,
    *,
    env: str | None,
    actor: str | None,
    subject: str | None,
    source_ip: str | None = None,
    details: dict[str, Any] | None = None,
) -> None:
    """Write one audit event in the caller's transaction (it commits with the change it describes)."""
    audit_repo.insert_events(
        conn,
        [event_row(event, env=env, actor=actor, subject=subject, source_ip=source_ip, details=details)],
    )


@dataclass(frozen=True)
class AuditEntry:
    """A security event as the audit log shows it (details hold no secrets: see :func:`scrub`)."""

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
    record(
        conn,
        event,
        env=env,
        actor=actor.subject,
        subject=subject,
        source_ip=source_ip or getattr(actor, "source_ip", None),
        details=details or {},
    )


def search(
    services: Services, env: str | None, event: str | None, cursor: str | None, limit: int
) -> Page[AuditEntry]:
    """Events newest first, optionally of one environment or kind; ``cursor`` from a previous page."""
    if services.auth is not None:
        services.auth.writes.flush()  # events queued by this process show up at once
    before = decode_id_cursor(cursor)
    with read_transaction(services.db) as conn:
        rows = audit_repo.search(conn, env, event, before, limit)
    entries = [AuditEntry.of_row(r) for r in rows[:limit]]
    return Page(entries, str(entries[-1].id) if len(rows) > limit else None)
