"""Environments (sandboxes): every definition, instance, client and user belongs to exactly one."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection

from flowport.config import DEFAULT_ENV
from flowport.errors import Conflict, InvalidRequest, NotFound
from flowport.persistence.conflicts import ConstraintViolated
from flowport.persistence.db import read_transaction, write_transaction
from flowport.persistence.repositories import environments as env_repo
from flowport.persistence.repositories.environments import EnvironmentRow
from flowport.services import audit
from flowport.services.context import Actor, Services

NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,62}$")


@dataclass(frozen=True)
class EnvironmentView:
    """An environment (sandbox) as administrators see it."""

    name: str
    created_at: datetime

    @classmethod
    def of_row(cls, row: EnvironmentRow) -> EnvironmentView:
        return cls(row.name, row.created_at)


def validate_name(name: str) -> str:
    """``name`` if it is a valid environment name (lower-case letters, digits, ``_``, ``-``; 1-63 chars)."""
    if not NAME.fullmatch(name):
        raise InvalidRequest(
            f"Invalid environment name {name!r}: use 1 to 63 lower-case letters, digits, '_' or '-', "
            "starting with a letter or digit"
        )
    return name


def create(services: Services, actor: Actor, name: str) -> EnvironmentView:
    """Create an environment; an existing name is a conflict."""
    validate_name(name)
    now = services.clock()
    try:
        with write_transaction(services.db) as conn:
            if env_repo.exists(conn, name):
                raise Conflict(f"Environment {name!r} already exists", environment=name)
            env_repo.insert_environment(conn, name, now)
            audit.record_action(conn, actor, "environment.created", subject=name, env=name)
    except ConstraintViolated as exc:  # created by a concurrent request
        raise Conflict(f"Environment {name!r} already exists", environment=name) from exc
    return EnvironmentView(name, now)


def list_all(services: Services) -> list[EnvironmentView]:
    """All environments, by name."""
    with read_transaction(services.db) as conn:
        return [EnvironmentView.of_row(r) for r in env_repo.all_environments(conn)]


def delete(services: Services, actor: Actor, name: str) -> None:
    """Delete an empty environment; ``default`` and environments that still hold data are refused."""
    if name == DEFAULT_ENV:
        raise Conflict("The default environment cannot be deleted", environment=name)
    with write_transaction(services.db) as conn:
        if not env_repo.exists(conn, name):
            raise NotFound(f"No environment named {name!r}", environment=name)
        held = env_repo.contents(conn, name)
        if held:
            raise Conflict(
                f"Environment {name!r} still holds {', '.join(held)}; delete them first",
                environment=name,
                holds=held,
            )
        env_repo.delete_environment(conn, name)
        audit.record_action(conn, actor, "environment.deleted", subject=name, env=name)


def require_existing(conn: Connection, name: str) -> str:
    """``name`` if that environment exists; otherwise an invalid request naming it."""
    if not env_repo.exists(conn, name):
        raise InvalidRequest(f"Unknown environment {name!r}; create it first", environment=name)
    return name


def ensure(conn: Connection, name: str, services: Services) -> bool:
    """Create ``name`` unless it exists (start-up; safe when several processes race). True if created."""
    validate_name(name)
    if env_repo.exists(conn, name):
        return False
    try:
        with conn.begin_nested():  # a concurrent insert must not abort the surrounding transaction
            env_repo.insert_environment(conn, name, services.clock())
    except ConstraintViolated:
        return False
    return True


def get(services: Services, name: str) -> EnvironmentView:
    with read_transaction(services.db) as conn:
        row = env_repo.get(conn, name)
    if row is None:
        raise NotFound(f"No environment named {name!r}", environment=name)
    return EnvironmentView.of_row(row)


def ensure_default(services: Services) -> None:
    """Make sure the ``default`` environment exists (every start, and CLI commands on a new database)."""
    with read_transaction(services.db) as conn:
        if env_repo.exists(conn, DEFAULT_ENV):
            return
    with write_transaction(services.db) as conn:
        ensure(conn, DEFAULT_ENV, services)
