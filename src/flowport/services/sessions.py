"""User logins: browser sessions with a CSRF token, both stored only as keyed hashes.

Wrong username and wrong password get the same answer and take the same time; a locked user gets
it too. Failures count towards the same lockout as failed client authentication (429) and are
audited with the same events (``auth.failed``, ``auth.lockout``, detail ``endpoint: "login"``).
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flowport.auth import audit_events
from flowport.auth.client_secrets import hash_token
from flowport.auth.passwords import verify_password
from flowport.auth.principal import Principal
from flowport.auth.ratelimit import FailureLimiter
from flowport.config import DEFAULT_ENV
from flowport.errors import CsrfTokenRequired, TooManyAttempts, Unauthenticated
from flowport.permissions import known_grants
from flowport.persistence.db import read_transaction, write_transaction
from flowport.persistence.repositories import sessions as session_repo
from flowport.persistence.repositories import users as user_repo
from flowport.persistence.repositories.sessions import SessionRow
from flowport.services import audit
from flowport.services.context import Actor, Services

TOKEN_BYTES = 32  # 256 bits, for the session id and the CSRF token alike
WRONG_CREDENTIALS = "Wrong username or password"


@dataclass(frozen=True)
class Login:
    """A new session: the cookie value and the CSRF token are shown to the browser only."""

    session_token: str = field(repr=False)
    csrf_token: str = field(repr=False)
    username: str
    env: str
    expires_at: datetime


def login(
    services: Services, username: str, password: str, *, env: str = DEFAULT_ENV, source_ip: str | None = None
) -> Login:
    """Check the credentials and open a session; raises Unauthenticated (401) or TooManyAttempts (429)."""
    limiter = services.auth.limiter
    subject, address = f"user:{env}:{username}", source_ip or "unknown"
    lockout = limiter.check(subject, address)
    if lockout is not None:  # refused before the password is checked: the answer reveals nothing
        raise TooManyAttempts("Too many failed logins; try again later", retry_after=lockout.retry_after)
    with read_transaction(services.db) as conn:
        user = user_repo.by_username(conn, env, username)
    check = verify_password(password, user.password_hash if user else None)  # same work for unknown users
    if user is None or not check.ok or user.locked:
        _failed(services, limiter, subject, username, env, address, known=user is not None)
        raise Unauthenticated(WRONG_CREDENTIALS, error=None)
    limiter.succeeded(subject, address)
    session_token = secrets.token_urlsafe(TOKEN_BYTES)
    csrf_token = _csrf_for(session_token, services.auth.pepper)
    now = services.clock()
    row = SessionRow(
        id_hash=hash_token(session_token, services.auth.pepper),
        user_id=user.id,
        env=env,
        csrf_hash=hash_token(csrf_token, services.auth.pepper),
        created_at=now,
        expires_at=now + timedelta(seconds=services.settings.auth.session_lifetime),
    )
    with write_transaction(services.db) as conn:
        session_repo.delete_expired(conn, user.id, now)
        session_repo.insert_session(conn, row)
        if check.new_hash is not None:  # the hashing parameters were raised since this hash was made
            user_repo.update_user(conn, user.id, password_hash=check.new_hash)
        audit.record_action(
            conn,
            Actor(env=env, subject=username),
            "login.succeeded",
            subject=username,
            env=env,
            source_ip=source_ip,
        )
    return Login(session_token, csrf_token, username, env, row.expires_at)


def principal_for_session(services: Services, session_token: str) -> Principal | None:
    """Who a session cookie acts as, or None when the session is unknown, expired or its user locked."""
    with read_transaction(services.db) as conn:
        found = session_repo.get_with_user(conn, hash_token(session_token, services.auth.pepper))
    if found is None:
        return None
    session, user = found
    if session.expires_at <= services.clock() or user.locked:
        return None
    permissions = known_grants(user.profile, user.permissions)
    return Principal(
        subject=user.username,
        kind="user",
        env=session.env,
        permissions=permissions,
        visibility=user.visibility,
        groups=tuple(user.groups),
        claims={"roles": list(user.roles), "userId": user.id},
    )


def csrf_token_for(services: Services, session_token: str) -> str:
    """The CSRF token of a session, for a page the server renders (its forms carry it).

    OWASP's HMAC-based token pattern: the token is a keyed hash of the session id, so the server
    can render it again on every page without storing it in the clear; without the server's key
    it cannot be derived from the cookie.
    """
    return _csrf_for(session_token, services.auth.pepper)


def _csrf_for(session_token: str, key: bytes) -> str:
    return hash_token(f"csrf:{session_token}", key)


def csrf_matches(services: Services, session_token: str, csrf_token: str) -> bool:
    """Whether ``csrf_token`` belongs to the session (keyed hashes compared in constant time)."""
    key = services.auth.pepper
    with read_transaction(services.db) as conn:
        session = session_repo.get(conn, hash_token(session_token, key))
    expected = session.csrf_hash if session is not None else ""
    return hmac.compare_digest(hash_token(csrf_token, key), expected) and session is not None


def logout(
    services: Services, session_token: str, csrf_token: str | None, *, source_ip: str | None = None
) -> None:
    """End the session; its CSRF token is required like for any change made by cookie.

    Without that check a page of another origin could log the user out with a form posting to us
    (SameSite=Lax does not stop same-site origins such as sibling subdomains, nor old browsers).
    An unknown or already ended session is a no-op.
    """
    key = services.auth.pepper
    with write_transaction(services.db) as conn:
        found = session_repo.get_with_user(conn, hash_token(session_token, key))
        if found is None:
            return
        session, user = found
        if not hmac.compare_digest(hash_token(csrf_token or "", key), session.csrf_hash):
            raise CsrfTokenRequired("Logging out needs the session's CSRF token (the csrfToken of the login)")
        session_repo.delete_session(conn, session.id_hash)
        actor = Actor(env=session.env, subject=user.username)
        audit.record_action(
            conn, actor, "logout", subject=user.username, env=session.env, source_ip=source_ip
        )


# --- failure counting (the token endpoint's limiter) ----------------------------------------------


def _failed(
    services: Services,
    limiter: FailureLimiter,
    subject: str,
    username: str,
    env: str,
    address: str,
    *,
    known: bool,
) -> None:
    """Count the failure and audit it (and the lockout it starts) like failed client authentication.

    The events go through the write-behind queue: a password-guessing run must not turn into a
    stream of synchronous database writes.
    """
    lockout = limiter.failed(subject, address)
    writes = services.auth.writes
    name = username[:255]
    details: dict[str, object] = {"endpoint": "login", "method": "password", "knownUser": known}
    writes.record(
        audit_events.caused_by(audit_events.AUTH_FAILED, name, env=env, source_ip=address, details=details)
    )
    if lockout is not None:
        details = {"retryAfter": lockout.retry_after, "scope": lockout.scope, "endpoint": "login"}
        writes.record(
            audit_events.caused_by(audit_events.LOCKOUT, name, env=env, source_ip=address, details=details)
        )
