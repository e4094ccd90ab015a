"""The audit events of the token service (account management adds its own, e.g. ``client.created``)."""

from __future__ import annotations

TOKEN_ISSUED = "token.issued"
TOKEN_REVOKED = "token.revoked"
REFRESH_REUSE = "refresh_token.reuse"
AUTH_FAILED = "auth.failed"
LOCKOUT = "auth.lockout"
KEY_ROTATED = "key.rotated"
