"""User tasks listed page by page with an offset, a sort field and a total (SAP's ``$skip``/``$top``).

The offset counterpart of :func:`flowport.persistence.repositories.tasks.search_tasks` for clients
that page by offset and ask for the total count. Candidate filters match any of the values given;
visibility is the caller's :class:`Scope`, as for every task query.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from sqlalchemy import ColumnElement, Connection, Select, and_, false, func, or_, select

from flowport.persistence.repositories.tasks import _TASK_COLUMNS, TaskRow
from flowport.persistence.scope import Scope, task_visible
from flowport.persistence.tables import task_candidates, tasks
from flowport.states import TaskState


@dataclass(frozen=True)
class TaskStateFilter:
    """Tasks in ``state``; with ``assigned`` set, only those with (or without) an assignee."""

    state: TaskState
    assigned: bool | None = None


@dataclass(frozen=True)
class TaskFilter:
    """What a listing keeps: any of ``states`` (all when empty), any of the candidates, every other field."""

    states: tuple[TaskStateFilter, ...] = ()
    instance_id: str | None = None
    definition_key: str | None = None
    processor: str | None = None  # the assignee, or whoever completed the task
    candidate_users: tuple[str, ...] = ()
    candidate_groups: tuple[str, ...] = ()


class TaskOrder(StrEnum):
    """The fields a task listing sorts by."""

    CREATED_AT = "createdAt"
    ENDED_AT = "endedAt"
    DUE_AT = "dueAt"
    ID = "id"
    NAME = "name"
    ELEMENT_ID = "elementId"
    ASSIGNEE = "assignee"
    DEFINITION_KEY = "definitionKey"
    INSTANCE_ID = "instanceId"


_ORDER_COLUMNS: dict[TaskOrder, ColumnElement[Any]] = {
    TaskOrder.CREATED_AT: tasks.c.created_at,
    TaskOrder.ENDED_AT: tasks.c.ended_at,
    TaskOrder.DUE_AT: tasks.c.due_at,
    TaskOrder.ID: tasks.c.id,
    TaskOrder.NAME: tasks.c.name,
    TaskOrder.ELEMENT_ID: tasks.c.element_id,
    TaskOrder.ASSIGNEE: tasks.c.assignee,
    TaskOrder.DEFINITION_KEY: tasks.c.definition_key,
    TaskOrder.INSTANCE_ID: tasks.c.instance_id,
}


def _state_condition(wanted: TaskStateFilter) -> ColumnElement[bool]:
    condition = tasks.c.state == wanted.state
    if wanted.assigned is True:
        condition = and_(condition, tasks.c.assignee.is_not(None))
    elif wanted.assigned is False:
        condition = and_(condition, tasks.c.assignee.is_(None))
    return condition


def _offered_to(kind: str, values: tuple[str, ...]) -> ColumnElement[bool]:
    return tasks.c.id.in_(
        select(task_candidates.c.task_id).where(
            task_candidates.c.kind == kind, task_candidates.c.value.in_(values)
        )
    )


def _filtered(query: Select[Any], filters: TaskFilter) -> Select[Any]:
    if filters.states:
        query = query.where(or_(false(), *(_state_condition(s) for s in filters.states)))
    if filters.instance_id:
        query = query.where(tasks.c.instance_id == filters.instance_id)
    if filters.definition_key:
        query = query.where(tasks.c.definition_key == filters.definition_key)
    if filters.processor:
        query = query.where(
            or_(tasks.c.assignee == filters.processor, tasks.c.completed_by == filters.processor)
        )
    if filters.candidate_users:
        query = query.where(_offered_to("user", filters.candidate_users))
    if filters.candidate_groups:
        query = query.where(_offered_to("group", filters.candidate_groups))
    return query


def list_tasks(
    conn: Connection,
    scope: Scope,
    filters: TaskFilter,
    *,
    order: TaskOrder = TaskOrder.CREATED_AT,
    descending: bool = False,
    skip: int = 0,
    top: int = 100,
) -> list[TaskRow]:
    """One page; empty values sort first ascending and last descending, ties by creation, then id."""
    column = _ORDER_COLUMNS[order]
    sort = column.desc().nulls_last() if descending else column.asc().nulls_first()
    query = select(*_TASK_COLUMNS).where(task_visible(scope))
    query = _filtered(query, filters).order_by(sort, tasks.c.created_at, tasks.c.id).offset(skip).limit(top)
    return [TaskRow(**r._asdict()) for r in conn.execute(query)]


def count_tasks(conn: Connection, scope: Scope, filters: TaskFilter) -> int:
    query = select(func.count()).select_from(tasks).where(task_visible(scope))
    return int(conn.execute(_filtered(query, filters)).scalar_one())
