"""OAuth clients ("application users"): register, change, rotate secrets, disable, delete.

Secrets are generated here, returned once in :class:`NewSecret`, and stored only as keyed hashes
(:mod:`flowport.auth.client_secrets`). Nothing this module returns or audits holds a secret or a hash.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, TypedDict

from sqlalchemy import Connection

from flowport.auth.client_secrets import generate_secret, hash_secret
from flowport.errors import Conflict, InvalidRequest, NotFound
from flowport.permissions import PROFILES, UnknownPermission, expand
from flowport.persistence.conflicts import ConstraintViolated
from flowport.persistence.db import read_transaction, write_transaction
from flowport.persistence.repositories import clients as client_repo
from flowport.persistence.repositories.clients import ClientRow
from flowport.services import audit
from flowport.services.context import Actor, Services
from flowport.services.environments import require_existing
from flowport.services.paging import Page, make_page
from flowport.services.patches import no_nulls
from flowport.states import Visibility, parse_state

CLIENT_ID = re.compile(r"^[A-Za-z0-9._:@-]{1,128}$")
MIN_LIFETIME, MAX_LIFETIME = 60, 86400 * 30
MAX_GRACE = 86400 * 30
DECLARED_SOURCES = frozenset({"config", "code", "environment"})
# Members a JWK may only have when it holds private key material (RFC 7517/7518).
_PRIVATE_MEMBERS = frozenset({"d", "p", "q", "dp", "dq", "qi", "oth", "k"})


@dataclass(frozen=True)
class ClientSpec:
    """What a new client is registered with; ``client_id`` None means generate one."""

    name: str
    client_id: str | None = None
    profile: str | None = "ObjectReadWrite"
    permissions: Sequence[str] = ()
    audiences: Sequence[str] = ()
    token_lifetime: int | None = None
    refresh_tokens: bool = False
    environment: str | None = None  # None: the caller's environment
    visibility: Visibility = Visibility.SHARED
    jwks: dict[str, Any] | None = None


class ClientChanges(TypedDict, total=False):
    """A partial update: only the keys present change (the id and environment never do)."""

    name: str
    profile: str | None
    permissions: list[str]
    audiences: list[str]
    token_lifetime: int
    refresh_tokens: bool
    visibility: Visibility
    jwks: dict[str, Any] | None


@dataclass(frozen=True)
class ClientView:
    """A client as shown to administrators: never its secret, never a hash."""

    id: str
    env: str
    name: str
    profile: str | None
    permissions: list[str]
    audiences: list[str]
    token_lifetime: int
    refresh_tokens: bool
    visibility: Visibility
    enabled: bool
    source: str
    created_at: datetime
    last_used_at: datetime | None
    has_jwks: bool
    previous_secret_valid_until: datetime | None

    @classmethod
    def of_row(cls, row: ClientRow) -> ClientView:
        return cls(
            id=row.id,
            env=row.env,
            name=row.name,
            profile=row.profile,
            permissions=list(row.permissions),
            audiences=list(row.audiences),
            token_lifetime=row.token_lifetime,
            refresh_tokens=row.refresh_tokens,
            visibility=Visibility(row.visibility),
            enabled=row.enabled,
            source=row.source,
            created_at=row.created_at,
            last_used_at=row.last_used_at,
            has_jwks=bool(row.jwks),
            previous_secret_valid_until=row.previous_secret_expires_at if row.previous_secret_hash else None,
        )


@dataclass(frozen=True)
class NewSecret:
    """A client with the secret just issued for it: show it once, it cannot be read back."""

    client: ClientView
    client_secret: str = field(repr=False)


# --- use cases -----------------------------------------------------------------------------------


def create(services: Services, actor: Actor, spec: ClientSpec, *, source: str = "api") -> NewSecret:
    """Register a client and issue its first secret; an existing client id is a conflict."""
    client_id = spec.client_id if spec.client_id is not None else str(uuid.uuid4())
    _check_id(client_id)
    values = validated_values(
        name=spec.name,
        profile=spec.profile,
        permissions=list(spec.permissions),
        audiences=list(spec.audiences),
        token_lifetime=spec.token_lifetime or services.settings.auth.token_lifetime,
        refresh_tokens=spec.refresh_tokens,
        visibility=spec.visibility,
        jwks=spec.jwks,
    )
    secret = generate_secret()
    env = spec.environment or actor.env
    try:
        with write_transaction(services.db) as conn:
            require_existing(conn, env)
            if client_repo.get(conn, client_id) is not None:
                raise _duplicate(client_id)
            row = insert(conn, services, client_id, env, values, secret=secret, source=source)
            audit.record_action(
                conn, actor, "client.created", subject=client_id, env=env, details=_audited(values)
            )
    except ConstraintViolated as exc:  # registered by a concurrent request
        raise _duplicate(client_id) from exc
    return NewSecret(ClientView.of_row(row), secret)


def search(services: Services, environment: str | None, cursor: str | None, limit: int) -> Page[ClientView]:
    """Clients newest first, of one environment or (None) all of them."""
    with read_transaction(services.db) as conn:
        rows = client_repo.search(conn, environment, cursor, limit)
    page = make_page(rows, limit, lambda r: (r.created_at, r.id))
    return page.map(ClientView.of_row)


def get(services: Services, client_id: str) -> ClientView:
    with read_transaction(services.db) as conn:
        return ClientView.of_row(_existing(conn, client_id))


def update(services: Services, actor: Actor, client_id: str, changes: ClientChanges) -> ClientView:
    """Change what a client may do and how its tokens look; its id and environment stay.

    Clients declared in the settings file or in code are refused (409): they follow their declaration.
    """
    with write_transaction(services.db) as conn:
        row = _not_declared(_existing(conn, client_id), "changed")
        current: dict[str, Any] = {
            "name": row.name,
            "profile": row.profile,
            "permissions": row.permissions,
            "audiences": row.audiences,
            "token_lifetime": row.token_lifetime,
            "refresh_tokens": row.refresh_tokens,
            "visibility": row.visibility,
            "jwks": row.jwks,
        }
        unknown = set(changes) - set(current)
        if unknown:
            raise InvalidRequest(f"These client fields cannot be changed: {', '.join(sorted(unknown))}")
        no_nulls(changes, nullable={"profile", "jwks"})
        values = validated_values(**{**current, **changes})
        changed = {k: v for k, v in values.items() if v != current[k]}
        if changed:
            client_repo.update_client(conn, client_id, **changed)
            audit.record_action(
                conn, actor, "client.updated", subject=client_id, env=row.env, details=_audited(changed)
            )
        return ClientView.of_row(_existing(conn, client_id))


def rotate_secret(
    services: Services, actor: Actor, client_id: str, *, now: bool = False, grace_seconds: int | None = None
) -> NewSecret:
    """Issue a new secret; the previous one stays valid for the grace period (unless ``now``).

    At most two secrets are valid at a time: rotating again replaces the older one at once.
    """
    grace = services.settings.auth.secret_grace_seconds if grace_seconds is None else grace_seconds
    if not 0 <= grace <= MAX_GRACE:
        raise InvalidRequest(f"graceSeconds must be between 0 and {MAX_GRACE}")
    keep_previous = not now and grace > 0
    secret = generate_secret()
    with write_transaction(services.db) as conn:
        row = _not_declared(_existing(conn, client_id), "rotated")
        until = services.clock() + timedelta(seconds=grace) if keep_previous else None
        client_repo.update_client(
            conn,
            client_id,
            secret_hash=hash_secret(secret, services.auth.pepper),
            previous_secret_hash=row.secret_hash if keep_previous else None,
            previous_secret_expires_at=until,
        )
        details = {"graceUntil": until.isoformat() if until else None, "immediate": not keep_previous}
        audit.record_action(
            conn, actor, "client.secret_rotated", subject=client_id, env=row.env, details=details
        )
        return NewSecret(ClientView.of_row(_existing(conn, client_id)), secret)


def disable(services: Services, actor: Actor, client_id: str) -> ClientView:
    """Refuse the client new tokens (its secret and settings stay)."""
    return _set_enabled(services, actor, client_id, False)


def enable(services: Services, actor: Actor, client_id: str) -> ClientView:
    return _set_enabled(services, actor, client_id, True)


def delete(services: Services, actor: Actor, client_id: str) -> None:
    """Remove a client for good and revoke its refresh tokens; its id may then be registered again."""
    with write_transaction(services.db) as conn:
        row = _existing(conn, client_id)
        client_repo.delete_client(conn, client_id)
        revoked = client_repo.revoke_refresh_tokens(conn, client_id, services.clock())
        audit.record_action(
            conn, actor, "client.deleted", subject=client_id, env=row.env, details={"refreshRevoked": revoked}
        )


# --- helpers shared with start-up (bootstrap) ----------------------------------------------------


def insert(
    conn: Connection,
    services: Services,
    client_id: str,
    env: str,
    values: dict[str, Any],
    *,
    secret: str,
    source: str,
) -> ClientRow:
    """Insert a validated client row holding only the keyed hash of ``secret``."""
    row = ClientRow(
        id=client_id,
        env=env,
        enabled=True,
        secret_hash=hash_secret(secret, services.auth.pepper),
        previous_secret_hash=None,
        previous_secret_expires_at=None,
        source=source,
        created_at=services.clock(),
        last_used_at=None,
        **values,
    )
    client_repo.insert_client(conn, **row.__dict__)
    return row


def validated_values(
    *,
    name: str,
    profile: str | None,
    permissions: list[str],
    audiences: list[str],
    token_lifetime: int,
    refresh_tokens: bool,
    visibility: str,
    jwks: dict[str, Any] | None,
) -> dict[str, Any]:
    """The column values of a client, after checking each (400 naming the first problem)."""
    name = name.strip()
    if not 1 <= len(name) <= 255:
        raise InvalidRequest("A client needs a name of 1 to 255 characters")
    if profile is not None and profile not in PROFILES:
        raise InvalidRequest(
            f"Unknown profile {profile!r}; use one of {', '.join(PROFILES)}", profile=profile
        )
    try:
        expand(permissions)
    except UnknownPermission as exc:
        raise InvalidRequest(str(exc)) from exc
    if any(not isinstance(a, str) or not a.strip() or len(a) > 255 for a in audiences):
        raise InvalidRequest("Audiences must be non-empty strings of at most 255 characters")
    if not MIN_LIFETIME <= token_lifetime <= MAX_LIFETIME:
        raise InvalidRequest(f"tokenLifetime must be between {MIN_LIFETIME} and {MAX_LIFETIME} seconds")
    checked = parse_state(Visibility, visibility)
    if checked is None:
        raise InvalidRequest("visibility must be 'own' or 'shared'")
    if jwks is not None:
        _check_jwks(jwks)
    return {
        "name": name,
        "profile": profile,
        "permissions": sorted(set(permissions)),
        "audiences": list(dict.fromkeys(audiences)),
        "token_lifetime": token_lifetime,
        "refresh_tokens": refresh_tokens,
        "visibility": checked,
        "jwks": jwks,
    }


def _check_id(client_id: str) -> None:
    if not CLIENT_ID.fullmatch(client_id):
        raise InvalidRequest(
            "A client id has 1 to 128 letters, digits or any of . _ : @ -", clientId=client_id[:128]
        )


def _check_jwks(jwks: dict[str, Any]) -> None:
    """A JWK Set (RFC 7517 section 5) of public keys, for ``private_key_jwt`` (RFC 7523)."""
    keys = jwks.get("keys")
    if not isinstance(keys, list) or not keys:
        raise InvalidRequest('jwks must be a JWK Set: {"keys": [ ... ]} with at least one key')
    for key in keys:
        if not isinstance(key, dict) or not isinstance(key.get("kty"), str):
            raise InvalidRequest("Each key in jwks needs a 'kty'")
        if _PRIVATE_MEMBERS & set(key):
            raise InvalidRequest("jwks must hold public keys only; never send a private key")


def _audited(values: dict[str, Any]) -> dict[str, Any]:
    """What an audit event may say about a client's settings (no keys, no secrets)."""
    out = {k: v for k, v in values.items() if k != "jwks"}
    if "jwks" in values:
        out["hasJwks"] = values["jwks"] is not None
    return out


def _existing(conn: Connection, client_id: str) -> ClientRow:
    row = client_repo.get(conn, client_id)
    if row is None:
        raise NotFound(f"No client with id {client_id!r}", clientId=client_id)
    return row


def _not_declared(row: ClientRow, action: str) -> ClientRow:
    """Clients from the settings file or code are kept as declared at every start: change them there."""
    if row.source in DECLARED_SOURCES:
        where = {"config": "the settings file", "code": "the application's code"}.get(
            row.source, "FLOWPORT_ADMIN_CLIENT_SECRET"
        )
        raise Conflict(
            f"Client {row.id!r} is declared in {where}; it is {action} there (a change here would be "
            "undone at the next start)",
            clientId=row.id,
            source=row.source,
        )
    return row


def _duplicate(client_id: str) -> Conflict:
    return Conflict(f"A client with id {client_id!r} already exists", clientId=client_id)


def _set_enabled(services: Services, actor: Actor, client_id: str, enabled: bool) -> ClientView:
    with write_transaction(services.db) as conn:
        row = _existing(conn, client_id)
        if row.enabled != enabled:
            client_repo.update_client(conn, client_id, enabled=enabled)
            event = "client.enabled" if enabled else "client.disabled"
            audit.record_action(conn, actor, event, subject=client_id, env=row.env)
        return ClientView.of_row(_existing(conn, client_id))
