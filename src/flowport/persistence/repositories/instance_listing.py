"""Process instances listed page by page with an offset, a sort field and a total (SAP's ``$skip``/``$top``).

The native API pages with cursors (:mod:`flowport.persistence.paging`); products whose clients page
with an offset and ask for the total count (SAP Workflow's ``$skip``, ``$orderby``,
``$inlinecount``) read through here. Each row comes with the version and name of its definition,
which those clients show beside the instance. Visibility is the caller's :class:`Scope`, as for
every instance query.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from sqlalchemy import ColumnElement, Connection, Select, and_, false, func, or_, select

from flowport.persistence.repositories.instances import _COLUMNS, InstanceRow
from flowport.persistence.scope import Scope, instance_visible
from flowport.persistence.tables import definitions, instances
from flowport.states import InstanceStatus


@dataclass(frozen=True)
class StatusFilter:
    """Instances in ``status``; with ``has_incidents`` set, only those with (or without) open incidents."""

    status: InstanceStatus
    has_incidents: bool | None = None


@dataclass(frozen=True)
class InstanceFilter:
    """What a listing keeps: any of ``statuses`` (all when empty) and every other field given."""

    statuses: tuple[StatusFilter, ...] = ()
    definition_key: str | None = None
    business_key: str | None = None
    started_by: str | None = None
    contains_text: str | None = None  # case-insensitive, in id, key, starter, business key, name


class InstanceOrder(StrEnum):
    """The fields a listing sorts by."""

    ID = "id"
    DEFINITION_KEY = "definitionKey"
    DEFINITION_VERSION = "definitionVersion"
    DEFINITION_NAME = "definitionName"
    STARTED_AT = "startedAt"
    ENDED_AT = "endedAt"
    STARTED_BY = "startedBy"
    BUSINESS_KEY = "businessKey"


_ORDER_COLUMNS: dict[InstanceOrder, ColumnElement[Any]] = {
    InstanceOrder.ID: instances.c.id,
    InstanceOrder.DEFINITION_KEY: instances.c.definition_key,
    InstanceOrder.DEFINITION_VERSION: definitions.c.version,
    InstanceOrder.DEFINITION_NAME: definitions.c.name,
    InstanceOrder.STARTED_AT: instances.c.started_at,
    InstanceOrder.ENDED_AT: instances.c.ended_at,
    InstanceOrder.STARTED_BY: instances.c.started_by,
    InstanceOrder.BUSINESS_KEY: instances.c.business_key,
}


@dataclass(frozen=True)
class DescribedInstanceRow:
    """An instance row with the version number and name of the definition it runs."""

    instance: InstanceRow
    definition_version: int
    definition_name: str | None


def _described(scope: Scope) -> Select[Any]:
    return (
        select(*_COLUMNS, definitions.c.version.label("definition_version"), definitions.c.name)
        .join_from(instances, definitions, definitions.c.id == instances.c.definition_id)
        .where(instance_visible(scope))
    )


def _row(r: Any) -> DescribedInstanceRow:
    return DescribedInstanceRow(InstanceRow(*r[: len(_COLUMNS)]), int(r[-2]), r[-1])


def _status_condition(wanted: StatusFilter) -> ColumnElement[bool]:
    condition = instances.c.status == wanted.status
    if wanted.has_incidents is not None:
        condition = and_(condition, instances.c.has_incidents.is_(wanted.has_incidents))
    return condition


def _filtered(query: Select[Any], filters: InstanceFilter) -> Select[Any]:
    if filters.statuses:
        query = query.where(or_(false(), *(_status_condition(s) for s in filters.statuses)))
    if filters.definition_key:
        query = query.where(instances.c.definition_key == filters.definition_key)
    if filters.business_key:
        query = query.where(instances.c.business_key == filters.business_key)
    if filters.started_by:
        query = query.where(instances.c.started_by == filters.started_by)
    if filters.contains_text:
        text = filters.contains_text
        query = query.where(
            or_(
                *(
                    column.icontains(text, autoescape=True)
                    for column in (
                        instances.c.id,
                        instances.c.definition_key,
                        instances.c.started_by,
                        instances.c.business_key,
                        definitions.c.name,
                    )
                )
            )
        )
    return query


def get_described(conn: Connection, scope: Scope, instance_id: str) -> DescribedInstanceRow | None:
    r = conn.execute(_described(scope).where(instances.c.id == instance_id)).first()
    return _row(r) if r else None


def list_described(
    conn: Connection,
    scope: Scope,
    filters: InstanceFilter,
    *,
    order: InstanceOrder = InstanceOrder.STARTED_AT,
    descending: bool = True,
    skip: int = 0,
    top: int = 100,
) -> list[DescribedInstanceRow]:
    """One page; empty values sort first ascending and last descending, ties by id."""
    column = _ORDER_COLUMNS[order]
    sort = column.desc().nulls_last() if descending else column.asc().nulls_first()
    tie = instances.c.id.desc() if descending else instances.c.id.asc()
    query = _filtered(_described(scope), filters).order_by(sort, tie).offset(skip).limit(top)
    return [_row(r) for r in conn.execute(query)]


def count_described(conn: Connection, scope: Scope, filters: InstanceFilter) -> int:
    """How many instances the filters keep (what ``list_described`` pages through)."""
    query = (
        select(func.count())
        .select_from(instances)
        .join(definitions, definitions.c.id == instances.c.definition_id)
        .where(instance_visible(scope))
    )
    return int(conn.execute(_filtered(query, filters)).scalar_one())
