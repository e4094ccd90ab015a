"""People who log in (Tasklist users): create, change, lock, delete. Passwords only as argon2id hashes.

A user's rights are its ``profile`` plus its extra ``permissions``. ``roles`` are labels for the
applications and the console (shown, carried in the session), not grants: what a user may do is
decided in one place, by profile and permissions. ``groups`` feed task candidate groups.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypedDict

from sqlalchemy import Connection

from flowport.auth.passwords import hash_password, password_problem
from flowport.errors import Conflict, InvalidRequest, NotFound
from flowport.permissions import PROFILES, UnknownPermission, expand
from flowport.persistence.conflicts import ConstraintViolated
from flowport.persistence.db import read_transaction, write_transaction
from flowport.persistence.repositories import sessions as session_repo
from flowport.persistence.repositories import users as user_repo
from flowport.persistence.repositories.users import UserRow
from flowport.services import audit
from flowport.services.context import Actor, Services
from flowport.services.environments import require_existing
from flowport.services.paging import Page, make_page
from flowport.services.patches import no_nulls
from flowport.states import Visibility, parse_state

USERNAME = re.compile(r"^[A-Za-z0-9._@+-]{1,255}$")


@dataclass(frozen=True)
class UserSpec:
    """A new user. ``environment`` None means the caller's environment."""

    username: str
    password: str = field(repr=False)
    groups: Sequence[str] = ()
    roles: Sequence[str] = ()
    profile: str | None = "ObjectRead"
    permissions: Sequence[str] = ()
    environment: str | None = None
    visibility: Visibility = Visibility.SHARED


class UserChanges(TypedDict, total=False):
    """A partial update: only the keys present change (username and environment never do)."""

    password: str
    groups: list[str]
    roles: list[str]
    profile: str | None
    permissions: list[str]
    visibility: Visibility
    locked: bool


@dataclass(frozen=True)
class UserView:
    """A user as administrators see it: never the password hash."""

    id: str
    env: str
    username: str
    roles: list[str]
    groups: list[str]
    profile: str | None
    permissions: list[str]
    visibility: Visibility
    locked: bool
    created_at: datetime

    @classmethod
    def of_row(cls, row: UserRow) -> UserView:
        return cls(
            id=row.id,
            env=row.env,
            username=row.username,
            roles=list(row.roles),
            groups=list(row.groups),
            profile=row.profile,
            permissions=list(row.permissions),
            visibility=Visibility(row.visibility),
            locked=row.locked,
            created_at=row.created_at,
        )


def create(services: Services, actor: Actor, spec: UserSpec, *, check_password: bool = True) -> UserView:
    """Create a user; an existing username in that environment is a conflict.

    ``check_password=False`` is only for the demo user, whose well-known password is the point.
    """
    if not USERNAME.fullmatch(spec.username):
        raise InvalidRequest("A username has 1 to 255 letters, digits or any of . _ @ + -")
    if check_password:
        _check_password(spec.password)
    values = _validated(
        groups=list(spec.groups),
        roles=list(spec.roles),
        profile=spec.profile,
        permissions=list(spec.permissions),
        visibility=spec.visibility,
    )
    env = spec.environment or actor.env
    row = UserRow(
        id=str(uuid.uuid4()),
        env=env,
        username=spec.username,
        password_hash=hash_password(spec.password),  # slow on purpose: outside the transaction
        locked=False,
        created_at=services.clock(),
        **values,
    )
    try:
        with write_transaction(services.db) as conn:
            require_existing(conn, env)
            if user_repo.by_username(conn, env, spec.username) is not None:
                raise _duplicate(spec.username, env)
            user_repo.insert_user(conn, **row.__dict__)
            audit.record_action(
                conn, actor, "user.created", subject=spec.username, env=env, details=_audited(values)
            )
    except ConstraintViolated as exc:  # created by a concurrent request
        raise _duplicate(spec.username, env) from exc
    return UserView.of_row(row)


def search(services: Services, environment: str | None, cursor: str | None, limit: int) -> Page[UserView]:
    """Users newest first, of one environment or (None) all of them."""
    with read_transaction(services.db) as conn:
        rows = user_repo.search(conn, environment, cursor, limit)
    page = make_page(rows, limit, lambda r: (r.created_at, r.id))
    return page.map(UserView.of_row)


def get(services: Services, env: str, username: str) -> UserView:
    with read_transaction(services.db) as conn:
        return UserView.of_row(_existing(conn, env, username))


def update(services: Services, actor: Actor, env: str, username: str, changes: UserChanges) -> UserView:
    """Change a user; a new password or a lock ends the user's sessions."""
    allowed = {"password", "groups", "roles", "profile", "permissions", "visibility", "locked"}
    unknown = set(changes) - allowed
    if unknown:
        raise InvalidRequest(f"These user fields cannot be changed: {', '.join(sorted(unknown))}")
    no_nulls(changes, nullable={"profile"})
    password = changes.get("password")
    new_hash = None
    if password is not None:
        _check_password(password)
        new_hash = hash_password(password)
    with write_transaction(services.db) as conn:
        row = _existing(conn, env, username)
        current: dict[str, Any] = {
            "groups": row.groups,
            "roles": row.roles,
            "profile": row.profile,
            "permissions": row.permissions,
            "visibility": row.visibility,
        }
        merged = {**current, **{k: v for k, v in changes.items() if k in current}}
        values = _validated(**merged)
        changed: dict[str, Any] = {k: v for k, v in values.items() if v != current[k]}
        locked = changes.get("locked")
        if locked is not None and locked != row.locked:
            changed["locked"] = locked
        if changed:
            user_repo.update_user(conn, row.id, **changed)
            audit.record_action(
                conn, actor, "user.updated", subject=username, env=env, details=_audited(changed)
            )
        if new_hash is not None:
            user_repo.update_user(conn, row.id, password_hash=new_hash)
            audit.record_action(conn, actor, "user.password_changed", subject=username, env=env)
        if new_hash is not None or changed.get("locked"):
            session_repo.delete_for_user(conn, row.id)
        return UserView.of_row(_existing(conn, env, username))


def delete(services: Services, actor: Actor, env: str, username: str) -> None:
    """Remove a user and end its sessions."""
    with write_transaction(services.db) as conn:
        row = _existing(conn, env, username)
        session_repo.delete_for_user(conn, row.id)
        user_repo.delete_user(conn, row.id)
        audit.record_action(conn, actor, "user.deleted", subject=username, env=env)


def _validated(
    *, groups: list[str], roles: list[str], profile: str | None, permissions: list[str], visibility: str
) -> dict[str, Any]:
    if profile is not None and profile not in PROFILES:
        raise InvalidRequest(
            f"Unknown profile {profile!r}; use one of {', '.join(PROFILES)}", profile=profile
        )
    try:
        expand(permissions)
    except UnknownPermission as exc:
        raise InvalidRequest(str(exc)) from exc
    for label, names in (("groups", groups), ("roles", roles)):
        if any(not isinstance(n, str) or not n.strip() or len(n) > 255 for n in names):
            raise InvalidRequest(f"{label} must be non-empty strings of at most 255 characters")
    checked = parse_state(Visibility, visibility)
    if checked is None:
        raise InvalidRequest("visibility must be 'own' or 'shared'")
    return {
        "groups": list(dict.fromkeys(groups)),
        "roles": list(dict.fromkeys(roles)),
        "profile": profile,
        "permissions": sorted(set(permissions)),
        "visibility": checked,
    }


def _check_password(password: str) -> None:
    problem = password_problem(password)
    if problem is not None:
        raise InvalidRequest(problem)


def _audited(values: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in values.items() if k not in ("password", "password_hash")}


def _existing(conn: Connection, env: str, username: str) -> UserRow:
    row = user_repo.by_username(conn, env, username)
    if row is None:
        raise NotFound(f"No user {username!r} in environment {env!r}", username=username, environment=env)
    return row


def _duplicate(username: str, env: str) -> Conflict:
    return Conflict(f"User {username!r} already exists in environment {env!r}", username=username)
