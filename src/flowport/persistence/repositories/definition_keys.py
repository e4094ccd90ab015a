"""Processes addressed by key, across their versions (SAP Workflow's version-independent definition id).

A key names a process; each deployment of a changed model adds a version under it. Clients that
address the process rather than one version (SAP's ``/v1/workflow-definitions/{id}``) list the
newest version of each key by offset, read all versions of one key, or remove them all at once.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Select, func, select

from flowport.persistence.repositories.definitions import _COLUMNS, DefinitionRow
from flowport.persistence.tables import definitions


def _newest_per_key(env: str) -> Select[Any]:
    newest = (
        select(definitions.c.key, func.max(definitions.c.version).label("v"))
        .where(definitions.c.env == env)
        .group_by(definitions.c.key)
        .subquery()
    )
    return select(*_COLUMNS).join(
        newest, (newest.c.key == definitions.c.key) & (newest.c.v == definitions.c.version)
    )


def latest_versions(conn: Connection, env: str, skip: int, top: int) -> list[DefinitionRow]:
    """The newest version of each key, keys in alphabetical order."""
    query = _newest_per_key(env).where(definitions.c.env == env).order_by(definitions.c.key)
    return [DefinitionRow(*r) for r in conn.execute(query.offset(skip).limit(top))]


def count_keys(conn: Connection, env: str) -> int:
    query = select(func.count(func.distinct(definitions.c.key))).where(definitions.c.env == env)
    return int(conn.execute(query).scalar_one())


def versions_of(conn: Connection, env: str, key: str) -> list[DefinitionRow]:
    """Every version of ``key``, newest first (empty when nothing is deployed under it)."""
    query = (
        select(*_COLUMNS)
        .where(definitions.c.env == env, definitions.c.key == key)
        .order_by(definitions.c.version.desc())
    )
    return [DefinitionRow(*r) for r in conn.execute(query)]
