"""Use cases for user tasks: search, read, claim, unclaim, complete."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from sqlalchemy import Connection

from flowport.errors import Conflict, InvalidRequest, NotFound
from flowport.persistence.db import read_transaction, write_transaction
from flowport.persistence.repositories import instances as instance_repo
from flowport.persistence.repositories import tasks as task_repo
from flowport.persistence.repositories.instances import HistoryLine
from flowport.persistence.repositories.tasks import TaskRow
from flowport.services.context import Actor, Services
from flowport.services.execution import Execution, execute
from flowport.services.paging import Page, make_page
from flowport.services.views import TaskView
from flowport.states import InstanceStatus, TaskState, parse_state


def search(
    services: Services,
    actor: Actor,
    *,
    state: str | None = TaskState.READY,
    assignee: str | None = None,
    candidate_user: str | None = None,
    candidate_group: str | None = None,
    instance_id: str | None = None,
    definition_key: str | None = None,
    element_id: str | None = None,
    cursor: str | None = None,
    limit: int = 50,
) -> Page[TaskView]:
    wanted = parse_state(TaskState, state) if state else None
    if state and wanted is None:
        raise InvalidRequest(f"Unknown task state '{state}'; use one of {', '.join(TaskState)}")
    with read_transaction(services.db) as conn:
        rows = task_repo.search_tasks(
            conn,
            actor.scope,
            state=wanted,
            assignee=assignee,
            candidate_user=candidate_user,
            candidate_group=candidate_group,
            instance_id=instance_id,
            definition_key=definition_key,
            element_id=element_id,
            cursor=cursor,
            limit=limit,
        )
    return make_page(rows, limit, lambda r: (r.created_at, r.id)).map(TaskView.of_row)


def get(services: Services, actor: Actor, task_id: str) -> TaskView:
    with read_transaction(services.db) as conn:
        row = task_repo.get_task(conn, actor.scope, task_id)
    if row is None:
        raise NotFound(f"Task {task_id} does not exist")
    return TaskView.of_row(row)


def claim(services: Services, actor: Actor, task_id: str, assignee: str | None) -> TaskView:
    """Assign a ready task to ``assignee`` (default: the caller); taken by someone else is a 409."""
    user = assignee or actor.subject
    if not user:
        raise InvalidRequest("Give the assignee to claim the task for")
    with write_transaction(services.db) as conn:
        row = _ready(conn, actor, task_id)
        _require_running(conn, actor, row.instance_id)
        if row.assignee and row.assignee != user:
            raise Conflict(f"Task {task_id} is already claimed by {row.assignee}", assignee=row.assignee)
        task_repo.set_assignee(conn, task_id, user)
        _history(conn, services, actor, row, "task claimed", {"assignee": user})
        updated = task_repo.get_task(conn, actor.scope.unowned(), task_id)
    assert updated is not None
    return TaskView.of_row(updated)


def assign(
    services: Services, actor: Actor, task_id: str, assignee: str, *, allow_override: bool
) -> TaskView:
    """Assign a ready task to ``assignee``; one assigned to someone else only with ``allow_override``.

    Camunda Tasklist's assign: overriding is its default, refusing it is the caller's choice (409).
    """
    with write_transaction(services.db) as conn:
        row = _ready(conn, actor, task_id)
        _require_running(conn, actor, row.instance_id)
        if row.assignee and row.assignee != assignee and not allow_override:
            raise Conflict(f"Task {task_id} is already assigned to {row.assignee}", assignee=row.assignee)
        task_repo.set_assignee(conn, task_id, assignee)
        details = {"assignee": assignee, "previousAssignee": row.assignee}
        _history(conn, services, actor, row, "task claimed", details)
        updated = task_repo.get_task(conn, actor.scope.unowned(), task_id)
    assert updated is not None
    return TaskView.of_row(updated)


def unclaim(services: Services, actor: Actor, task_id: str, *, require_assigned: bool = False) -> TaskView:
    """Take a ready task back to its candidates; ``require_assigned`` refuses an unassigned one (409)."""
    with write_transaction(services.db) as conn:
        row = _ready(conn, actor, task_id)
        _require_running(conn, actor, row.instance_id)
        if require_assigned and not row.assignee:
            raise Conflict(f"Task {task_id} is not assigned")
        task_repo.set_assignee(conn, task_id, None)
        _history(conn, services, actor, row, "task unclaimed", {"previousAssignee": row.assignee})
        updated = task_repo.get_task(conn, actor.scope.unowned(), task_id)
    assert updated is not None
    return TaskView.of_row(updated)


def complete(
    services: Services,
    actor: Actor,
    task_id: str,
    variables: dict[str, Any],
    *,
    acting_for: str | None = None,
    assignee_only: bool = False,
) -> TaskView:
    """Complete a ready task with variables and run the instance on until it waits again.

    ``acting_for`` names the person an application completes the task for (OptimaJet's
    ``identityId``): recorded as who completed it, in the task and the history. It grants nothing,
    and an ``own`` caller's work is always recorded as its own (its name is what scopes its data).
    ``assignee_only``: only the task's assignee may complete it (a person must claim it first, as in
    Camunda Tasklist); an unassigned task or one assigned to someone else is a 409, nothing changes.
    """
    recorded = replace(actor, subject=acting_for) if acting_for and not actor.sees_only_own else actor

    def use_case(execution: Execution) -> TaskRow:
        row = _ready(execution.conn, actor, task_id)
        if assignee_only:
            _require_assignee(row, actor)
        # The task is visible, so the caller acts on its instance even when it may not read it.
        execution.command(
            recorded,
            row.instance_id,
            lambda run: run.complete_task(task_id, variables),
            completed_task=task_id,
            scope=actor.scope.unowned(),
        )
        return row

    row = execute(services, use_case)
    services.metrics.inc("flowport_tasks_completed_total", help_text="User tasks completed")
    # As the run left it; not read back, so the answer costs no extra query.
    return replace(
        TaskView.of_row(row),
        state=TaskState.COMPLETED,
        ended_at=services.clock(),
        completed_by=recorded.subject,
    )


def _require_assignee(row: TaskRow, actor: Actor) -> None:
    if not row.assignee:
        raise Conflict(f"Task {row.id} is not assigned; assign it before completing it")
    if row.assignee != actor.subject:
        raise Conflict(f"Task {row.id} is not assigned to {actor.subject}", assignee=row.assignee)


def _ready(conn: Connection, actor: Actor, task_id: str) -> TaskRow:
    row = task_repo.get_task(conn, actor.scope, task_id)
    if row is None:
        raise NotFound(f"Task {task_id} does not exist")
    if row.state != TaskState.READY:
        raise Conflict(f"Task {task_id} is {row.state.lower()}, not ready", state=row.state)
    return row


def _require_running(conn: Connection, actor: Actor, instance_id: str) -> None:
    instance = instance_repo.get(conn, actor.scope.unowned(), instance_id)
    if instance is not None and instance.status == InstanceStatus.SUSPENDED:
        raise Conflict(f"Process instance {instance_id} is suspended; resume it first")


def _history(
    conn: Connection, services: Services, actor: Actor, row: TaskRow, event: str, details: dict[str, Any]
) -> None:
    line = HistoryLine(
        env=row.env,
        instance_id=row.instance_id,
        at=services.clock(),
        event=event,
        element_id=row.element_id,
        element_name=row.name,
        element_type="userTask",
        actor=actor.subject,
        details=details,
    )
    instance_repo.add_history(conn, [line])
