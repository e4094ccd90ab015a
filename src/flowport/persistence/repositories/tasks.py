"""User tasks materialised from instance state, with candidates for fast search."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, insert, or_, select, update

from flowport.persistence.paging import page
from flowport.persistence.scope import Scope, task_visible
from flowport.persistence.tables import (
    definitions,
    instances,
    task_candidates,
    tasks,
)
from flowport.states import TaskState

# --- user tasks ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class TaskRow:
    id: str
    env: str
    instance_id: str
    definition_key: str
    element_id: str
    name: str | None
    assignee: str | None
    candidate_users: list[str]
    candidate_groups: list[str]
    state: str
    created_at: datetime
    due_at: datetime | None
    ended_at: datetime | None
    completed_by: str | None


_TASK_COLUMNS = (
    tasks.c.id,
    tasks.c.env,
    tasks.c.instance_id,
    tasks.c.definition_key,
    tasks.c.element_id,
    tasks.c.name,
    tasks.c.assignee,
    tasks.c.candidate_users,
    tasks.c.candidate_groups,
    tasks.c.state,
    tasks.c.created_at,
    tasks.c.due_at,
    tasks.c.ended_at,
    tasks.c.completed_by,
)


def get_task(conn: Connection, scope: Scope, task_id: str) -> TaskRow | None:
    r = conn.execute(select(*_TASK_COLUMNS).where(tasks.c.id == task_id, task_visible(scope))).first()
    return TaskRow(**r._asdict()) if r else None


def insert_tasks(conn: Connection, rows: list[dict[str, Any]]) -> None:
    if not rows:
        return
    conn.execute(insert(tasks), rows)
    candidates = [
        {"task_id": r["id"], "kind": kind, "value": value}
        for r in rows
        for kind, values in (("user", r["candidate_users"]), ("group", r["candidate_groups"]))
        for value in dict.fromkeys(values)
    ]
    if candidates:
        conn.execute(insert(task_candidates), candidates)


def close_tasks(
    conn: Connection, task_ids: list[str], state: TaskState, at: datetime, by: str | None
) -> None:
    if task_ids:
        conn.execute(
            update(tasks)
            .where(tasks.c.id.in_(task_ids))
            .values(state=state, ended_at=at, completed_by=by if state is TaskState.COMPLETED else None)
        )


def close_open_tasks_of(conn: Connection, instance_id: str, at: datetime) -> None:
    conn.execute(
        update(tasks)
        .where(tasks.c.instance_id == instance_id, tasks.c.state == TaskState.READY)
        .values(state=TaskState.CANCELED, ended_at=at)
    )


def set_assignee(conn: Connection, task_id: str, assignee: str | None) -> None:
    conn.execute(update(tasks).where(tasks.c.id == task_id).values(assignee=assignee))


def search_tasks(
    conn: Connection,
    scope: Scope,
    *,
    state: TaskState | None,
    assignee: str | None,
    candidate_user: str | None,
    candidate_group: str | None,
    instance_id: str | None,
    definition_key: str | None,
    element_id: str | None,
    cursor: str | None,
    limit: int,
) -> list[TaskRow]:
    query = select(*_TASK_COLUMNS).where(task_visible(scope))
    if state:
        query = query.where(tasks.c.state == state)
    if assignee:
        query = query.where(tasks.c.assignee == assignee)
    if candidate_user:
        query = query.where(
            tasks.c.id.in_(
                select(task_candidates.c.task_id).where(
                    task_candidates.c.kind == "user", task_candidates.c.value == candidate_user
                )
            )
        )
    if candidate_group:
        query = query.where(
            tasks.c.id.in_(
                select(task_candidates.c.task_id).where(
                    task_candidates.c.kind == "group", task_candidates.c.value == candidate_group
                )
            )
        )
    if instance_id:
        query = query.where(tasks.c.instance_id == instance_id)
    if definition_key:
        query = query.where(tasks.c.definition_key == definition_key)
    if element_id:
        query = query.where(tasks.c.element_id == element_id)
    query = page(query, tasks.c.created_at, tasks.c.id, cursor, limit)
    return [TaskRow(**r._asdict()) for r in conn.execute(query)]


def ready_for_identity(
    conn: Connection, scope: Scope, identity: str, groups: tuple[str, ...], limit: int
) -> list[TaskRow]:
    """Ready tasks ``identity`` may act on now: assigned to it, or offered to it or to one of ``groups``."""
    offered = select(task_candidates.c.task_id).where(
        or_(
            (task_candidates.c.kind == "user") & (task_candidates.c.value == identity),
            (task_candidates.c.kind == "group") & task_candidates.c.value.in_(groups),
        )
    )
    query = (
        select(*_TASK_COLUMNS)
        .where(task_visible(scope), tasks.c.state == TaskState.READY)
        .where(or_(tasks.c.assignee == identity, tasks.c.id.in_(offered)))
        .order_by(tasks.c.created_at, tasks.c.id)
        .limit(limit)
    )
    return [TaskRow(**r._asdict()) for r in conn.execute(query)]


def completed_by(conn: Connection, scope: Scope, identity: str, limit: int) -> list[TaskRow]:
    """Tasks ``identity`` completed, most recent first."""
    query = (
        select(*_TASK_COLUMNS)
        .where(task_visible(scope), tasks.c.state == TaskState.COMPLETED, tasks.c.completed_by == identity)
        .order_by(tasks.c.ended_at.desc(), tasks.c.id)
        .limit(limit)
    )
    return [TaskRow(**r._asdict()) for r in conn.execute(query)]


@dataclass(frozen=True)
class ProcessFacts:
    """The definition a task's instance runs: its id, key and name."""

    definition_id: str
    definition_key: str
    name: str | None


def process_facts(conn: Connection, env: str, instance_ids: list[str]) -> dict[str, ProcessFacts]:
    """By instance id, for instances whose tasks the caller already found visible."""
    if not instance_ids:
        return {}
    query = (
        select(instances.c.id, definitions.c.id.label("definition_id"), definitions.c.key, definitions.c.name)
        .join(definitions, definitions.c.id == instances.c.definition_id)
        .where(instances.c.env == env, instances.c.id.in_(set(instance_ids)))
    )
    return {r.id: ProcessFacts(r.definition_id, r.key, r.name) for r in conn.execute(query)}


def instance_variables(conn: Connection, env: str, instance_ids: list[str]) -> dict[str, dict[str, Any]]:
    """The variables of instances whose tasks the caller already found visible, by instance id."""
    if not instance_ids:
        return {}
    query = select(instances.c.id, instances.c.variables).where(
        instances.c.env == env, instances.c.id.in_(set(instance_ids))
    )
    return {r.id: dict(r.variables) for r in conn.execute(query)}
