"""Environments (sandboxes): the rows that name them, and what each one holds."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, Table, delete, insert, select

from flowport.persistence.auth_tables import clients, environments, users
from flowport.persistence.conflicts import violations_as_conflict
from flowport.persistence.tables import definitions, instances


@dataclass(frozen=True)
class EnvironmentRow:
    name: str
    created_at: datetime


# What an environment can hold that makes deleting it a loss, by the name an operator knows it by.
_CONTENTS: tuple[tuple[str, Table], ...] = (
    ("definitions", definitions),
    ("instances", instances),
    ("clients", clients),
    ("users", users),
)


def get(conn: Connection, name: str) -> EnvironmentRow | None:
    r = conn.execute(select(environments).where(environments.c.name == name)).first()
    return EnvironmentRow(r.name, r.created_at) if r else None


def exists(conn: Connection, name: str) -> bool:
    return conn.execute(select(environments.c.name).where(environments.c.name == name)).first() is not None


def insert_environment(conn: Connection, name: str, created_at: datetime) -> None:
    """Insert a row; a duplicate name raises ConstraintViolated."""
    with violations_as_conflict("The environment"):
        conn.execute(insert(environments).values(name=name, created_at=created_at))


def all_environments(conn: Connection) -> list[EnvironmentRow]:
    rows = conn.execute(select(environments).order_by(environments.c.name))
    return [EnvironmentRow(r.name, r.created_at) for r in rows]


def delete_environment(conn: Connection, name: str) -> bool:
    return conn.execute(delete(environments).where(environments.c.name == name)).rowcount == 1


def contents(conn: Connection, name: str) -> list[str]:
    """The kinds of things ``name`` still holds (each checked with one indexed ``LIMIT 1`` probe)."""
    held: list[str] = []
    for label, table in _CONTENTS:
        if conn.execute(select(table.c.env).where(table.c.env == name).limit(1)).first() is not None:
            held.append(label)
    return held
