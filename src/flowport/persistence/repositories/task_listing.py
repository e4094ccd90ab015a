"""User tasks as product task lists page them, with one filter for every listing.

Two ways to page, besides the native cursor of :func:`flowport.persistence.repositories.tasks.search_tasks`:
by offset with a sort field and a total (SAP's ``$skip``/``$top``: :func:`list_tasks`,
:func:`count_tasks`), and by keyset on a date, after or before a given task (Camunda Tasklist's
``searchAfter``/``searchBefore``: :func:`search_tasks_ordered`). Both take a :class:`TaskFilter`;
candidate filters match any of the values given; visibility is the caller's :class:`Scope`, as for
every task query.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import ColumnElement, Connection, and_, false, func, literal, or_, select, true

from flowport.persistence.repositories.tasks import _TASK_COLUMNS, TaskRow
from flowport.persistence.scope import Scope, task_visible
from flowport.persistence.tables import UTCDateTime, instances, task_candidates, tasks
from flowport.states import TaskState


@dataclass(frozen=True)
class TaskStateFilter:
    """Tasks in ``state`` (any when None); with ``assigned`` set, only those with (or without) an assignee."""

    state: TaskState | None = None
    assigned: bool | None = None


@dataclass(frozen=True)
class TaskFilter:
    """What a listing keeps: any of ``states`` (all when empty), any of the candidates, every other field."""

    states: tuple[TaskStateFilter, ...] = ()
    assignee: str | None = None
    processor: str | None = None  # the assignee, or whoever completed the task
    candidate_users: tuple[str, ...] = ()
    candidate_groups: tuple[str, ...] = ()
    instance_id: str | None = None
    definition_id: str | None = None  # one deployed version
    definition_key: str | None = None  # any version of a process
    element_id: str | None = None


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
    condition: ColumnElement[bool] = true() if wanted.state is None else tasks.c.state == wanted.state
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


def task_conditions(filters: TaskFilter) -> list[ColumnElement[bool]]:
    """The WHERE conditions of a :class:`TaskFilter` (every one must hold)."""
    conditions: list[ColumnElement[bool]] = []
    if filters.states:
        conditions.append(or_(false(), *(_state_condition(s) for s in filters.states)))
    if filters.assignee:
        conditions.append(tasks.c.assignee == filters.assignee)
    if filters.processor:
        conditions.append(
            or_(tasks.c.assignee == filters.processor, tasks.c.completed_by == filters.processor)
        )
    if filters.candidate_users:
        conditions.append(_offered_to("user", filters.candidate_users))
    if filters.candidate_groups:
        conditions.append(_offered_to("group", filters.candidate_groups))
    if filters.instance_id:
        conditions.append(tasks.c.instance_id == filters.instance_id)
    if filters.definition_id:
        of_definition = select(instances.c.id).where(instances.c.definition_id == filters.definition_id)
        conditions.append(tasks.c.instance_id.in_(of_definition))
    if filters.definition_key:
        conditions.append(tasks.c.definition_key == filters.definition_key)
    if filters.element_id:
        conditions.append(tasks.c.element_id == filters.element_id)
    return conditions


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
    query = select(*_TASK_COLUMNS).where(task_visible(scope), *task_conditions(filters))
    query = query.order_by(sort, tasks.c.created_at, tasks.c.id).offset(skip).limit(top)
    return [TaskRow(**r._asdict()) for r in conn.execute(query)]


def count_tasks(conn: Connection, scope: Scope, filters: TaskFilter) -> int:
    query = select(func.count()).select_from(tasks).where(task_visible(scope), *task_conditions(filters))
    return int(conn.execute(query).scalar_one())


# --- keyset paging on a date (Camunda Tasklist: resume after or before a task) --------------------

# Where a task without the sorted date sorts: after every dated task in ascending order.
NO_DATE = datetime(9999, 12, 31, tzinfo=UTC)
_DATE_COLUMNS = {"created_at": tasks.c.created_at, "ended_at": tasks.c.ended_at, "due_at": tasks.c.due_at}


@dataclass(frozen=True)
class TaskBound:
    """A keyset position: the sorted date (``NO_DATE`` when the task has none) and the task id."""

    at: datetime
    task_id: str
    inclusive: bool = False


def _order_key(column: str) -> ColumnElement[datetime]:
    """The sorted date, with ``NO_DATE`` for tasks without one, so keyset comparisons see no NULLs."""
    return func.coalesce(_DATE_COLUMNS[column], literal(NO_DATE, UTCDateTime()), type_=UTCDateTime())


def order_position(conn: Connection, scope: Scope, task_id: str, column: str) -> TaskBound | None:
    """The exact position of a visible task in an ordering (its stored date, not a rounded copy)."""
    r = conn.execute(
        select(_order_key(column).label("at")).where(tasks.c.id == task_id, task_visible(scope))
    ).first()
    return TaskBound(r.at, task_id) if r else None


def search_tasks_ordered(
    conn: Connection,
    scope: Scope,
    matching: TaskFilter,
    *,
    column: str,
    descending: bool,
    after: TaskBound | None,
    before: TaskBound | None,
    limit: int,
) -> list[TaskRow]:
    """Up to ``limit`` tasks in the order asked, after ``after`` or before ``before`` (in that order)."""
    key = _order_key(column)
    query = select(*_TASK_COLUMNS).where(task_visible(scope), *task_conditions(matching))
    # Reading backwards (before a task) walks the order reversed; the caller turns the page back round.
    backwards = before is not None and after is None
    bound = after if after is not None else before
    forwards_desc = descending != backwards
    if bound is not None:
        later = or_(key > bound.at, and_(key == bound.at, tasks.c.id > bound.task_id))
        earlier = or_(key < bound.at, and_(key == bound.at, tasks.c.id < bound.task_id))
        condition = earlier if forwards_desc else later
        if bound.inclusive:
            condition = or_(condition, tasks.c.id == bound.task_id)
        query = query.where(condition)
    ordering = (key.desc(), tasks.c.id.desc()) if forwards_desc else (key.asc(), tasks.c.id.asc())
    rows = [TaskRow(**r._asdict()) for r in conn.execute(query.order_by(*ordering).limit(limit))]
    return rows[::-1] if backwards else rows
