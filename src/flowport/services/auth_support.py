"""What the account-management use cases share: the pepper, audit records for a caller, patch checks."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import Connection

from flowport.errors import InvalidRequest
from flowport.services import audit
from flowport.services.context import Actor, Services


def pepper(services: Services) -> bytes:
    """The key that client secrets, refresh tokens and session ids are hashed with."""
    if services.auth is None:
        raise RuntimeError("The token service is not initialised (flowport.auth.runtime.build was not run)")
    return services.auth.pepper


def record(
    conn: Connection,
    actor: Actor,
    event: str,
    *,
    subject: str | None,
    env: str | None,
    details: dict[str, Any] | None = None,
    source_ip: str | None = None,
) -> None:
    """Write an audit event in the caller's transaction; ``details`` must never hold a secret."""
    audit.record(
        conn,
        event,
        env=env,
        actor=actor.subject,
        subject=subject,
        source_ip=source_ip or getattr(actor, "source_ip", None),
        details=details or {},
    )


def no_nulls(changes: Mapping[str, Any], nullable: set[str]) -> None:
    """A partial update may clear only the fields that can be empty."""
    nulls = sorted(k for k, v in changes.items() if v is None and k not in nullable)
    if nulls:
        raise InvalidRequest(f"These fields cannot be null: {', '.join(nulls)}")
