"""Process definitions: versions per key, XML and specs stored once per definition."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, delete, func, insert, or_, select

from flowport.persistence.paging import page
from flowport.persistence.tables import definitions, history, instances, start_timers, start_triggers
from flowport.states import OPEN_STATUSES


@dataclass(frozen=True)
class DefinitionRow:
    id: str
    env: str
    key: str
    version: int
    name: str | None
    xml_hash: str
    deployed_at: datetime
    deployed_by: str | None
    elements: dict[str, Any]


_COLUMNS = (
    definitions.c.id,
    definitions.c.env,
    definitions.c.key,
    definitions.c.version,
    definitions.c.name,
    definitions.c.xml_hash,
    definitions.c.deployed_at,
    definitions.c.deployed_by,
    definitions.c.elements,
)


def _row(r: Any) -> DefinitionRow:
    return DefinitionRow(*r)


def get(conn: Connection, env: str, definition_id: str) -> DefinitionRow | None:
    r = conn.execute(
        select(*_COLUMNS).where(definitions.c.id == definition_id, definitions.c.env == env)
    ).first()
    return _row(r) if r else None


def latest(conn: Connection, env: str, key: str) -> DefinitionRow | None:
    r = conn.execute(
        select(*_COLUMNS)
        .where(definitions.c.env == env, definitions.c.key == key)
        .order_by(definitions.c.version.desc())
        .limit(1)
    ).first()
    return _row(r) if r else None


def by_version(conn: Connection, env: str, key: str, version: int) -> DefinitionRow | None:
    r = conn.execute(
        select(*_COLUMNS).where(
            definitions.c.env == env, definitions.c.key == key, definitions.c.version == version
        )
    ).first()
    return _row(r) if r else None


def insert_definition(conn: Connection, **values: Any) -> None:
    conn.execute(insert(definitions).values(**values))


def insert_start_triggers(conn: Connection, rows: list[dict[str, Any]]) -> None:
    if rows:
        conn.execute(insert(start_triggers), rows)


def start_trigger_definitions(conn: Connection, env: str, kind: str, name: str) -> list[str]:
    """Ids of the newest version of each definition that starts on this message/signal."""
    newest = (
        select(definitions.c.key, func.max(definitions.c.version).label("v"))
        .where(definitions.c.env == env)
        .group_by(definitions.c.key)
        .subquery()
    )
    rows = conn.execute(
        select(start_triggers.c.definition_id)
        .join(definitions, definitions.c.id == start_triggers.c.definition_id)
        .join(newest, (newest.c.key == definitions.c.key) & (newest.c.v == definitions.c.version))
        .where(start_triggers.c.env == env, start_triggers.c.kind == kind, start_triggers.c.name == name)
    ).all()
    return [r[0] for r in rows]


def runtime_parts(conn: Connection, definition_id: str) -> tuple[str, dict[str, Any]]:
    """The serialized engine spec and the element facts of a definition (one query)."""
    spec, elements = conn.execute(
        select(definitions.c.spec, definitions.c.elements).where(definitions.c.id == definition_id)
    ).one()
    return str(spec), dict(elements)


def xml(conn: Connection, env: str, definition_id: str) -> bytes | None:
    value = conn.execute(
        select(definitions.c.xml).where(definitions.c.id == definition_id, definitions.c.env == env)
    ).scalar()
    return bytes(value) if value is not None else None


def latest_xml(conn: Connection, env: str, key: str) -> bytes | None:
    value = conn.execute(
        select(definitions.c.xml)
        .where(definitions.c.env == env, definitions.c.key == key)
        .order_by(definitions.c.version.desc())
        .limit(1)
    ).scalar()
    return bytes(value) if value is not None else None


def search(
    conn: Connection,
    env: str,
    key: str | None,
    latest_only: bool,
    cursor: str | None,
    limit: int,
    text: str | None = None,
) -> list[DefinitionRow]:
    """Newest first; ``text``: a part of the key or the name (case-insensitive)."""
    query = select(*_COLUMNS).where(definitions.c.env == env)
    if key:
        query = query.where(definitions.c.key == key)
    if text:
        pattern = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        query = query.where(
            or_(
                definitions.c.key.ilike(pattern, escape="\\"),
                definitions.c.name.ilike(pattern, escape="\\"),
            )
        )
    if latest_only:
        newest = (
            select(definitions.c.key, func.max(definitions.c.version).label("v"))
            .where(definitions.c.env == env)
            .group_by(definitions.c.key)
            .subquery()
        )
        query = query.join(
            newest, (newest.c.key == definitions.c.key) & (newest.c.v == definitions.c.version)
        )
    query = page(query, definitions.c.deployed_at, definitions.c.id, cursor, limit)
    return [_row(r) for r in conn.execute(query)]


def count_instances(conn: Connection, definition_id: str, running_only: bool) -> int:
    query = select(func.count()).select_from(instances).where(instances.c.definition_id == definition_id)
    if running_only:
        query = query.where(instances.c.status.in_(OPEN_STATUSES))
    return int(conn.execute(query).scalar_one())


def delete_definition(conn: Connection, definition_id: str, with_instances: bool) -> None:
    if with_instances:
        owned = select(instances.c.id).where(instances.c.definition_id == definition_id)
        conn.execute(delete(history).where(history.c.instance_id.in_(owned)))
        conn.execute(delete(instances).where(instances.c.definition_id == definition_id))
    conn.execute(delete(start_triggers).where(start_triggers.c.definition_id == definition_id))
    conn.execute(delete(start_timers).where(start_timers.c.definition_id == definition_id))
    conn.execute(delete(definitions).where(definitions.c.id == definition_id))


def count(conn: Connection, env: str, key: str | None) -> int:
    """How many versions are deployed in ``env`` (of ``key``, when given): a search's total."""
    query = select(func.count()).select_from(definitions).where(definitions.c.env == env)
    if key:
        query = query.where(definitions.c.key == key)
    return int(conn.execute(query).scalar_one())


def version_counts(conn: Connection, env: str, keys: list[str]) -> dict[str, int]:
    """How many versions of each of ``keys`` are deployed in ``env`` (one grouped query)."""
    if not keys:
        return {}
    rows = conn.execute(
        select(definitions.c.key, func.count())
        .where(definitions.c.env == env, definitions.c.key.in_(keys))
        .group_by(definitions.c.key)
    ).all()
    return {str(k): int(n) for k, n in rows}
