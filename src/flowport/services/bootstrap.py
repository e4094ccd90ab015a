"""First start and every start: the default environment, declared clients, the first admin, the demo user.

Idempotent across restarts, and safe when several processes start at once: each step is a
check-then-insert under a unique constraint, and a lost race (a Conflict) means "already done".
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any, TypeVar

from sqlalchemy import Connection

from flowport.auth.client_secrets import generate_secret, hash_secret, secret_matches
from flowport.config import DEFAULT_ENV, ClientConfig
from flowport.errors import Conflict, InvalidRequest
from flowport.persistence.db import read_transaction, write_transaction
from flowport.persistence.repositories import clients as client_repo
from flowport.persistence.repositories import users as user_repo
from flowport.persistence.repositories.clients import ClientRow
from flowport.services import audit, clients, environments, users
from flowport.services.context import Actor, Services
from flowport.states import Visibility

log = logging.getLogger("flowport.auth")
T = TypeVar("T")

STARTUP = Actor(subject="startup")
ADMIN_CLIENT_ID = "flowport-admin"
ADMIN_PROFILE = "Admin"
DEMO_USER = "demo"


@dataclass(frozen=True)
class AdminCredentials:
    """The first admin client, created at this start. Show ``client_secret`` once; it is not stored.

    ``secret_generated`` is False when the secret came from FLOWPORT_ADMIN_CLIENT_SECRET (the operator
    knows it already, so it need not be shown). ``str()`` is the message to print, secret included.
    """

    client_id: str
    client_secret: str = field(repr=False)
    secret_generated: bool

    def message(self) -> str:
        if not self.secret_generated:
            return f"Created the admin client {self.client_id!r} (secret from FLOWPORT_ADMIN_CLIENT_SECRET)."
        return (
            f"Created the admin client. Client id: {self.client_id}  Client secret: {self.client_secret}  "
            "(shown once: store it now; `flowport clients rotate-secret` issues a new one)"
        )

    def __str__(self) -> str:
        return self.message()


def bootstrap(services: Services, code_clients: Sequence[ClientConfig] = ()) -> AdminCredentials | None:
    """Bring the token service's data to what settings and code declare; return a new admin, if any.

    The caller shows the returned credentials once, to the operator (never through the log).
    Clients come from ``settings.auth.clients`` (source "config") and from ``code_clients`` (source
    "code"), code winning for an id both name. Declared clients are owned by their declaration: each
    start brings their secret, profile and settings back to it (their enabled flag stays as set).
    """
    settings = services.settings
    if settings.auth.mode == "open":
        log.warning(
            "FLOWPORT RUNS IN OPEN MODE: every request is accepted without credentials. "
            "Use it for local experiments only."
        )
    environments.ensure_default(services)
    declared: dict[str, tuple[ClientConfig, str]] = {
        c.client_id: (c, "config") for c in settings.auth.clients
    }
    declared.update({c.client_id: (c, "code") for c in code_clients})
    for config, source in declared.values():
        _retrying(partial(_sync_client, services, config, source))
    admin = _retrying(partial(_ensure_admin, services))
    if settings.demo:
        log.warning(
            "DEMO MODE: the user 'demo' with password 'demo' can log in with broad rights. "
            "Never use --demo / FLOWPORT_DEMO on a server others can reach."
        )
        _retrying(partial(_ensure_demo_user, services))
    return admin


def _retrying(step: Callable[[], T]) -> T:
    """Run a start-up step; if a concurrent process won a race on a unique key, run it once more
    (the second run then finds the row the other process created)."""
    try:
        return step()
    except Conflict:  # the repositories' ConstraintViolated included
        return step()


# --- declared clients ----------------------------------------------------------------------------


def _sync_client(services: Services, config: ClientConfig, source: str) -> None:
    secret = config.client_secret.get_secret_value()
    if not secret:
        raise InvalidRequest(f"Client {config.client_id!r} is declared without a secret")
    values = clients.validated_values(
        name=config.name or config.client_id,
        profile=config.profile,
        permissions=list(config.permissions),
        audiences=list(config.audiences),
        token_lifetime=config.token_lifetime or services.settings.auth.token_lifetime,
        refresh_tokens=config.refresh_tokens,
        visibility=config.visibility,
        jwks=None,
    )
    with write_transaction(services.db) as conn:
        environments.ensure(conn, config.environment, services)
        row = client_repo.get(conn, config.client_id)
        if row is None:
            clients.insert(
                conn, services, config.client_id, config.environment, values, secret=secret, source=source
            )
            _audit(conn, "client.created", config.client_id, config.environment, {"source": source, **values})
            return
        changed = {k: v for k, v in values.items() if k != "jwks" and getattr(row, k) != v}
        if row.env != config.environment:
            changed["env"] = config.environment
        if row.source != source:
            changed["source"] = source
        if not secret_matches(secret, row.secret_hash, services.auth.pepper):
            changed.update(
                secret_hash=hash_secret(secret, services.auth.pepper),
                previous_secret_hash=None,
                previous_secret_expires_at=None,
            )
        if changed:
            client_repo.update_client(conn, config.client_id, **changed)
            shown = {k: v for k, v in changed.items() if "secret" not in k}
            replaced = "secret_hash" in changed
            _audit(
                conn,
                "client.updated",
                config.client_id,
                config.environment,
                {**shown, "hashReplaced": replaced},
            )


# --- the first admin client ----------------------------------------------------------------------


def _ensure_admin(services: Services) -> AdminCredentials | None:
    """Create the admin client on first start, or keep the one FLOWPORT_ADMIN_CLIENT_SECRET declares.

    With a secret in the settings the admin is declared (source "environment"): each start brings
    its secret and Admin profile back to the settings. Without one, a secret is generated on the first
    start only (source "bootstrap") and returned so that the caller shows it once.
    """
    settings = services.settings
    given = settings.admin_client_secret.get_secret_value() if settings.admin_client_secret else None
    client_id = settings.admin_client_id or ADMIN_CLIENT_ID
    with write_transaction(services.db) as conn:
        existing = client_repo.get(conn, client_id)
        if given and existing is not None:
            _keep_admin_in_step(conn, services, existing, given)
            return None
        if not given and _admin_exists(conn):
            return None
        if existing is not None:
            log.error(
                "No admin client exists and the id %r is taken by a client without the Admin profile; "
                "create one with `flowport clients create NAME --profile Admin`",
                client_id,
            )
            return None
        secret = given or generate_secret()
        source = "environment" if given else "bootstrap"
        clients.insert(
            conn, services, client_id, DEFAULT_ENV, _admin_values(services), secret=secret, source=source
        )
        _audit(conn, "client.created", client_id, DEFAULT_ENV, {"source": source, "profile": ADMIN_PROFILE})
    if given is None:
        log.warning("Created the first admin client %r; its secret is shown once at start-up", client_id)
    return AdminCredentials(client_id, secret, secret_generated=given is None)


def _admin_values(services: Services) -> dict[str, Any]:
    return clients.validated_values(
        name="Flowport administrator",
        profile=ADMIN_PROFILE,
        permissions=[],
        audiences=[],
        token_lifetime=services.settings.auth.token_lifetime,
        refresh_tokens=False,
        visibility=Visibility.SHARED,
        jwks=None,
    )


def _admin_exists(conn: Connection) -> bool:
    return any(client_repo.any_with_permission_source(conn, s) for s in ("bootstrap", "environment")) or (
        client_repo.any_with_profile(conn, ADMIN_PROFILE)
    )


def _keep_admin_in_step(conn: Connection, services: Services, row: ClientRow, secret: str) -> None:
    changed: dict[str, Any] = {}
    if row.profile != ADMIN_PROFILE:
        changed["profile"] = ADMIN_PROFILE
    if row.source != "environment":
        changed["source"] = "environment"
    if not secret_matches(secret, row.secret_hash, services.auth.pepper):
        changed.update(
            secret_hash=hash_secret(secret, services.auth.pepper),
            previous_secret_hash=None,
            previous_secret_expires_at=None,
        )
    if changed:
        client_repo.update_client(conn, row.id, **changed)
        shown = {k: v for k, v in changed.items() if "secret" not in k}
        _audit(conn, "client.updated", row.id, row.env, {**shown, "hashReplaced": "secret_hash" in changed})


# --- the demo user -------------------------------------------------------------------------------


def _ensure_demo_user(services: Services) -> None:
    with read_transaction(services.db) as conn:
        if user_repo.by_username(conn, DEFAULT_ENV, DEMO_USER) is not None:
            return
    spec = users.UserSpec(
        username=DEMO_USER,
        password=DEMO_USER,
        groups=["managers"],
        roles=["demo"],
        profile="ObjectReadWrite",
        environment=DEFAULT_ENV,
    )
    users.create(services, STARTUP, spec, check_password=False)


def _audit(conn: Connection, event: str, subject: str, env: str, details: dict[str, Any]) -> None:
    audit.record_action(conn, STARTUP, event, subject=subject, env=env, details=details)
