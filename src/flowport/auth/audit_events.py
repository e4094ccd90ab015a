"""The audit events of the token service (account management adds its own, e.g. ``client.created``)."""

from __future__ import annotations

from typing import Any

from flowport.persistence.repositories.audit import AuditEvent

TOKEN_ISSUED = "token.issued"
TOKEN_REVOKED = "token.revoked"
REFRESH_REUSE = "refresh_token.reuse"
AUTH_FAILED = "auth.failed"
LOCKOUT = "auth.lockout"
KEY_ROTATED = "key.rotated"


def caused_by(
    event: str, who: str | None, *, env: str | None, source_ip: str | None, details: dict[str, Any] | None
) -> AuditEvent:
    """An event its subject caused itself: a client authenticating or using a token, a user logging in."""
    return AuditEvent(event, env=env, actor=who, subject=who, source_ip=source_ip, details=details)
