"""Use cases that list user tasks by offset (with a total) and read the data a task works on.

Product facades (SAP Workflow's task instances) page with ``$skip``/``$top`` and a total count,
filter by several candidate users or groups at once, and read a task's context; the native
API's cursor search stays in :mod:`flowport.services.tasks`. Visibility is the caller's scope.
"""

from __future__ import annotations

from typing import Any

from flowport.errors import NotFound
from flowport.persistence.db import read_transaction
from flowport.persistence.repositories import instances as instance_repo
from flowport.persistence.repositories import task_listing as repo
from flowport.persistence.repositories import tasks as task_repo
from flowport.persistence.repositories.task_listing import TaskFilter, TaskOrder, TaskStateFilter
from flowport.services.context import Actor, Services
from flowport.services.counted import Counted, OffsetPage
from flowport.services.views import TaskView

__all__ = ["TaskFilter", "TaskOrder", "TaskStateFilter", "context_of", "search"]


def search(
    services: Services,
    actor: Actor,
    filters: TaskFilter,
    page: OffsetPage,
    order: TaskOrder = TaskOrder.CREATED_AT,
    descending: bool = False,
) -> Counted[TaskView]:
    """One slice of the visible tasks the filters keep (oldest first by default), and their total."""
    with read_transaction(services.db) as conn:
        rows = repo.list_tasks(
            conn, actor.scope, filters, order=order, descending=descending, skip=page.skip, top=page.top
        )
        total = repo.count_tasks(conn, actor.scope, filters) if page.with_total else None
    return Counted([TaskView.of_row(r) for r in rows], total)


def context_of(services: Services, actor: Actor, task_id: str) -> dict[str, Any]:
    """The variables of a visible task's instance: what the person working on the task sees.

    The task is visible, so its instance's data is readable through it even when the caller may
    not read the instance itself (as completing the task may change it).
    """
    with read_transaction(services.db) as conn:
        task = task_repo.get_task(conn, actor.scope, task_id)
        if task is None:
            raise NotFound(f"Task {task_id} does not exist")
        instance = instance_repo.get(conn, actor.scope.unowned(), task.instance_id)
    if instance is None:
        raise NotFound(f"Task {task_id} does not exist")
    return dict(instance.variables)
