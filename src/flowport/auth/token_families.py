"""Refresh tokens (RFC 6749 section 6) and the families they form (RFC 9700 section 4.14.2).

A refresh token is an opaque 256-bit value; only its keyed hash is stored. Every use rotates it:
the new token joins the old one's *family*, and a used token that comes back (stolen, or its
rotation lost) revokes the whole family together with the access tokens issued from it.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from sqlalchemy import Connection

from flowport.auth.client_secrets import hash_token
from flowport.auth.runtime import AuthRuntime
from flowport.persistence.db import read_transaction
from flowport.persistence.repositories import tokens as token_repo
from flowport.persistence.repositories.clients import ClientRow
from flowport.persistence.repositories.tokens import RefreshRow

REFRESH_TOKEN_BYTES = 32  # 256 bits


def issue(
    conn: Connection,
    runtime: AuthRuntime,
    client: ClientRow,
    scope: list[str],
    audience: list[str],
    now: datetime,
    family_id: str,
) -> str:
    """A new refresh token of ``family_id``, stored (as a keyed hash) in the caller's transaction."""
    value = secrets.token_urlsafe(REFRESH_TOKEN_BYTES)
    lifetime = timedelta(seconds=runtime.refresh_token_lifetime)
    token_repo.insert_refresh(
        conn,
        RefreshRow(
            token_hash=hash_token(value, runtime.pepper),
            family_id=family_id,
            client_id=client.id,
            env=client.env,
            scope=" ".join(scope),
            audience=list(audience),
            created_at=now,
            expires_at=now + lifetime,
            used_at=None,
            revoked_at=None,
        ),
    )
    return value


def find(runtime: AuthRuntime, token: str, conn: Connection | None = None) -> RefreshRow | None:
    """The stored row of a presented refresh token (in ``conn``, or a read transaction of its own)."""
    token_hash = hash_token(token, runtime.pepper)
    if conn is not None:
        return token_repo.get_refresh(conn, token_hash)
    with read_transaction(runtime.db) as own:
        return token_repo.get_refresh(own, token_hash)


def is_active(row: RefreshRow, now: datetime) -> bool:
    """Not used, not revoked, not expired: it would be accepted by the token endpoint."""
    return row.used_at is None and row.revoked_at is None and row.expires_at > now


def mark_used(conn: Connection, runtime: AuthRuntime, token: str, now: datetime) -> bool:
    """Mark the token used; False when another request used it first (a race or a replay)."""
    return token_repo.mark_used(conn, hash_token(token, runtime.pepper), now)


def revoke_family(conn: Connection, runtime: AuthRuntime, family_id: str, now: datetime) -> int:
    """Revoke a family: its refresh tokens and every access token issued from it.

    Returns how many refresh tokens were still unrevoked.
    """
    runtime.revocations.revoke_family_in(conn, family_id)
    return token_repo.revoke_family(conn, family_id, now)


def prune(conn: Connection, client_id: str, now: datetime) -> None:
    """Forget the client's refresh tokens that can no longer be used."""
    token_repo.prune_refresh(conn, client_id, now)
