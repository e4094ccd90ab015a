"""Task lists as people's inboxes show them: ordered by a chosen date, paged after or before a task.

The native ``GET /api/v1/tasks`` pages newest first with an opaque cursor; product task lists
(Camunda Tasklist) sort by creation, completion or due date in either direction and resume from the
``sortValues`` of a task on the previous page. Each task comes with its process (definition id and
name) and, on request, its instance's variables: whoever may see a task may see the data it shows,
even when the instance itself is not visible to them (an ``own`` caller offered the task).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection

from flowport.errors import InvalidRequest, NotFound
from flowport.persistence.db import read_transaction
from flowport.persistence.repositories import task_listing as listing_repo
from flowport.persistence.repositories import tasks as task_repo
from flowport.persistence.repositories.task_listing import NO_DATE, TaskBound, TaskFilter, TaskStateFilter
from flowport.persistence.repositories.tasks import TaskRow
from flowport.services.context import Actor, Services
from flowport.services.views import TaskDetail, TaskView

__all__ = [
    "NO_DATE",
    "ORDER_FIELDS",
    "Resume",
    "TaskFilter",
    "TaskOrder",
    "TaskStateFilter",
    "details",
    "get",
    "search",
    "variables",
]

# The task dates a list can be ordered by (TaskView attribute names).
ORDER_FIELDS = ("created_at", "ended_at", "due_at")


@dataclass(frozen=True)
class TaskOrder:
    """Which date orders the list, and which way; ties are broken by task id."""

    field: str = "created_at"
    descending: bool = True

    def value(self, task: TaskView) -> datetime:
        """The task's position in this order (``NO_DATE`` when it lacks the date)."""
        at: datetime | None = getattr(task, self.field)
        return at if at is not None else NO_DATE


@dataclass(frozen=True)
class Resume:
    """Where a page starts: next to a task of a previous page (``at`` is its date, as the caller saw it)."""

    task_id: str
    at: datetime
    inclusive: bool = False


def search(
    services: Services,
    actor: Actor,
    matching: TaskFilter,
    order: TaskOrder,
    *,
    after: Resume | None = None,
    before: Resume | None = None,
    limit: int = 50,
    variable_names: Collection[str] | None = None,
) -> list[TaskDetail]:
    """One page of visible tasks in ``order``; with ``before`` (and no ``after``) the page before it."""
    if order.field not in ORDER_FIELDS:
        raise InvalidRequest(
            f"Tasks cannot be ordered by {order.field}; use one of {', '.join(ORDER_FIELDS)}"
        )
    with read_transaction(services.db) as conn:
        rows = listing_repo.search_tasks_ordered(
            conn,
            actor.scope,
            matching,
            column=order.field,
            descending=order.descending,
            after=_bound(conn, actor, after, order),
            before=_bound(conn, actor, before, order),
            limit=limit,
        )
        return _details(conn, actor, rows, variable_names)


def get(services: Services, actor: Actor, task_id: str) -> TaskDetail:
    with read_transaction(services.db) as conn:
        row = task_repo.get_task(conn, actor.scope, task_id)
        if row is None:
            raise NotFound(f"Task {task_id} does not exist")
        return _details(conn, actor, [row], None)[0]


def details(services: Services, actor: Actor, task: TaskView) -> TaskDetail:
    """A task a use case just handed out (claimed, completed), with its process."""
    with read_transaction(services.db) as conn:
        facts = task_repo.process_facts(conn, actor.env, [task.instance_id]).get(task.instance_id)
    return _detail(task, facts, None)


def variables(
    services: Services, actor: Actor, task_id: str, names: Collection[str] | None = None
) -> dict[str, Any]:
    """The variables a visible task shows (its instance's), all or those named."""
    with read_transaction(services.db) as conn:
        row = task_repo.get_task(conn, actor.scope, task_id)
        if row is None:
            raise NotFound(f"Task {task_id} does not exist")
        found = task_repo.instance_variables(conn, actor.env, [row.instance_id]).get(row.instance_id, {})
    return _named(found, names)


def _bound(conn: Connection, actor: Actor, resume: Resume | None, order: TaskOrder) -> TaskBound | None:
    """The exact stored position of the task to resume from; the caller's copy if it is gone."""
    if resume is None:
        return None
    stored = listing_repo.order_position(conn, actor.scope, resume.task_id, order.field)
    return TaskBound(stored.at if stored else resume.at, resume.task_id, resume.inclusive)


def _details(
    conn: Connection, actor: Actor, rows: list[TaskRow], variable_names: Collection[str] | None
) -> list[TaskDetail]:
    instance_ids = [r.instance_id for r in rows]
    facts = task_repo.process_facts(conn, actor.env, instance_ids)
    values = task_repo.instance_variables(conn, actor.env, instance_ids) if variable_names is not None else {}
    return [
        _detail(
            TaskView.of_row(r),
            facts.get(r.instance_id),
            _named(values.get(r.instance_id, {}), variable_names) if variable_names is not None else None,
        )
        for r in rows
    ]


def _detail(
    task: TaskView, facts: task_repo.ProcessFacts | None, values: dict[str, Any] | None
) -> TaskDetail:
    return TaskDetail(
        task=task,
        definition_id=facts.definition_id if facts else None,
        definition_key=task.definition_key,
        process_name=facts.name if facts else None,
        variables=values,
    )


def _named(values: dict[str, Any], names: Collection[str] | None) -> dict[str, Any]:
    return dict(values) if not names else {k: v for k, v in values.items() if k in names}
