"""Process instances: state row with compare-and-set versioning, plus history."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, delete, insert, or_, select, update

from flowport.persistence.conflicts import violations_as_conflict
from flowport.persistence.paging import page
from flowport.persistence.scope import Scope, instance_visible
from flowport.persistence.tables import history, instances
from flowport.states import InstanceStatus


@dataclass(frozen=True)
class InstanceRow:
    id: str
    env: str
    definition_id: str
    definition_key: str
    business_key: str | None
    status: str
    version: int
    variables: dict[str, Any]
    active_element_ids: list[str]
    has_incidents: bool
    started_at: datetime
    ended_at: datetime | None
    started_by: str | None


_COLUMNS = (
    instances.c.id,
    instances.c.env,
    instances.c.definition_id,
    instances.c.definition_key,
    instances.c.business_key,
    instances.c.status,
    instances.c.version,
    instances.c.variables,
    instances.c.active_element_ids,
    instances.c.has_incidents,
    instances.c.started_at,
    instances.c.ended_at,
    instances.c.started_by,
)


def _row(r: Any) -> InstanceRow:
    return InstanceRow(*r)


def get(conn: Connection, scope: Scope, instance_id: str) -> InstanceRow | None:
    r = conn.execute(select(*_COLUMNS).where(instances.c.id == instance_id, instance_visible(scope))).first()
    return _row(r) if r else None


def get_with_state(conn: Connection, scope: Scope, instance_id: str) -> tuple[InstanceRow, str] | None:
    r = conn.execute(
        select(*_COLUMNS, instances.c.state).where(instances.c.id == instance_id, instance_visible(scope))
    ).first()
    return (_row(r[:-1]), str(r[-1])) if r else None


def exists(conn: Connection, instance_id: str) -> bool:
    """Whether the id is taken, in any environment (ids are unique across the server)."""
    return conn.execute(select(instances.c.id).where(instances.c.id == instance_id)).first() is not None


def insert_instance(conn: Connection, **values: Any) -> None:
    """Insert a row; a taken id or a deleted definition raises ConstraintViolated."""
    with violations_as_conflict("The process instance"):
        conn.execute(insert(instances).values(**values))


def compare_and_set(conn: Connection, instance_id: str, expected_version: int, **values: Any) -> bool:
    """Write ``values`` only if nobody changed the instance since ``expected_version`` was read."""
    result = conn.execute(
        update(instances)
        .where(instances.c.id == instance_id, instances.c.version == expected_version)
        .values(version=expected_version + 1, **values)
    )
    return result.rowcount == 1


def set_has_incidents(conn: Connection, instance_id: str, value: bool) -> None:
    conn.execute(update(instances).where(instances.c.id == instance_id).values(has_incidents=value))


def search(
    conn: Connection,
    scope: Scope,
    *,
    status: InstanceStatus | None,
    definition_key: str | None,
    business_key: str | None,
    started_after: datetime | None,
    started_before: datetime | None,
    cursor: str | None,
    limit: int,
) -> list[InstanceRow]:
    query = select(*_COLUMNS).where(instance_visible(scope))
    if status:
        query = query.where(instances.c.status == status)
    if definition_key:
        query = query.where(instances.c.definition_key == definition_key)
    if business_key:
        query = query.where(instances.c.business_key == business_key)
    if started_after:
        query = query.where(instances.c.started_at >= started_after)
    if started_before:
        query = query.where(instances.c.started_at < started_before)
    query = page(query, instances.c.started_at, instances.c.id, cursor, limit)
    return [_row(r) for r in conn.execute(query)]


def ids_by_business_key(conn: Connection, env: str, business_key: str) -> list[str]:
    rows = conn.execute(
        select(instances.c.id).where(instances.c.env == env, instances.c.business_key == business_key)
    )
    return [r[0] for r in rows]


def delete_instance(conn: Connection, instance_id: str) -> None:
    # Index tables go with ON DELETE CASCADE; history is kept apart from the FK on purpose
    # (it is an audit trail), so delete it explicitly.
    conn.execute(delete(history).where(history.c.instance_id == instance_id))
    conn.execute(delete(instances).where(instances.c.id == instance_id))


@dataclass(frozen=True)
class HistoryLine:
    """One line of an instance's history, as stored (the table's columns but ``id``)."""

    env: str
    instance_id: str
    at: datetime
    event: str
    element_id: str | None = None
    element_name: str | None = None
    element_type: str | None = None
    actor: str | None = None
    details: dict[str, Any] | None = None


def add_history(conn: Connection, lines: list[HistoryLine]) -> None:
    if lines:
        conn.execute(insert(history), [asdict(line) for line in lines])


def list_history(conn: Connection, instance_id: str, after_id: int, limit: int) -> list[dict[str, Any]]:
    rows = conn.execute(
        select(history)
        .where(history.c.instance_id == instance_id, history.c.id > after_id)
        .order_by(history.c.id)
        .limit(limit + 1)
    )
    return [dict(r._mapping) for r in rows]


# --- offset listing (products whose clients page with take/skip) ---------------------------------

SORTABLE = {
    "started_at": instances.c.started_at,
    "definition_key": instances.c.definition_key,
    "id": instances.c.id,
}


def list_offset(
    conn: Connection,
    scope: Scope,
    *,
    statuses: list[InstanceStatus] | None,
    has_incidents: bool | None,
    text: str | None,
    started_after: datetime | None,
    started_before: datetime | None,
    sort: str,
    descending: bool,
    skip: int,
    take: int,
) -> list[InstanceRow]:
    """A page by offset: ``statuses`` (any of), ``text`` in the id, key or business key (a substring).

    Offset paging costs more the deeper the page; it serves clients that only know take/skip.
    """
    query = select(*_COLUMNS).where(instance_visible(scope))
    if statuses is not None:
        query = query.where(instances.c.status.in_(statuses))
    if has_incidents is not None:
        query = query.where(instances.c.has_incidents.is_(has_incidents))
    if text:
        pattern = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        query = query.where(
            or_(
                instances.c.id.like(pattern, escape="\\"),
                instances.c.definition_key.like(pattern, escape="\\"),
                instances.c.business_key.like(pattern, escape="\\"),
            )
        )
    if started_after:
        query = query.where(instances.c.started_at >= started_after)
    if started_before:
        query = query.where(instances.c.started_at < started_before)
    column = SORTABLE[sort]
    order = [column.desc() if descending else column.asc()]
    if column is not instances.c.id:
        order.append(instances.c.id.desc() if descending else instances.c.id.asc())
    query = query.order_by(*order).offset(skip).limit(take)
    return [_row(r) for r in conn.execute(query)]
