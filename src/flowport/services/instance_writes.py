"""Write one planned engine run: the instance row (compare-and-set), its index tables and history.

The "before" snapshot is taken when an instance is opened, so the index tables are updated by
difference, without reading them back. Nothing here runs the engine: these writes happen under
the write lock, after the run was planned (see :mod:`flowport.services.execution`).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection

from flowport.engine.model import ElementInfo, Snapshot
from flowport.persistence.conflicts import ConstraintViolated
from flowport.persistence.repositories import events as event_repo
from flowport.persistence.repositories import instances as instance_repo
from flowport.persistence.repositories import jobs as job_repo
from flowport.persistence.repositories import tasks as task_repo
from flowport.persistence.repositories.instances import HistoryLine
from flowport.states import IncidentKind, InstanceStatus, TaskState


class StaleRead(Exception):
    """An instance changed between planning a run and writing it: plan the use case again."""


@dataclass(frozen=True)
class HistoryEvent:
    """A history line a use case adds for what it did (besides the engine's own steps)."""

    event: str
    element_id: str | None = None
    details: dict[str, Any] | None = None


@dataclass(frozen=True)
class InstanceHeader:
    """What a use case knows about an instance: as read, or as a planned run leaves it."""

    id: str
    env: str
    definition_id: str
    definition_key: str
    business_key: str | None
    version: int  # 0 for an instance not stored yet
    status: InstanceStatus
    elements: dict[str, ElementInfo]
    started_at: datetime | None = None
    started_by: str | None = None
    has_incidents: bool = False
    ended_at: datetime | None = None

    @property
    def ended(self) -> bool:
        return self.status.ended


EMPTY = Snapshot(completed=False, variables={}, active_element_ids=[])


@dataclass(frozen=True)
class RunRecord:
    """One engine run to store: the instance before and after, and what to write about it."""

    before: InstanceHeader
    after: InstanceHeader
    state: str
    old: Snapshot
    new: Snapshot
    at: datetime
    actor: str | None
    events: list[HistoryEvent] = field(default_factory=list)
    completed_task: str | None = None

    @property
    def created(self) -> bool:
        return self.before.version == 0


def write_run(conn: Connection, record: RunRecord) -> None:
    """Store the run's state and sync tasks, jobs, timers, subscriptions, incidents and history.

    Raises :class:`StaleRead` when the instance changed since it was read.
    """
    header, after, now = record.after, record.new, record.at
    values: dict[str, Any] = {
        "state": record.state,
        "variables": after.variables,
        "active_element_ids": [] if header.ended else after.active_element_ids,
        "status": header.status,
        "ended_at": header.ended_at,
    }
    if after.failures:
        values["has_incidents"] = True
    if record.created:
        try:
            instance_repo.insert_instance(
                conn,
                id=header.id,
                env=header.env,
                definition_id=header.definition_id,
                definition_key=header.definition_key,
                business_key=header.business_key,
                version=1,
                started_at=header.started_at,
                started_by=header.started_by,
                **{**values, "has_incidents": bool(after.failures)},
            )
        except ConstraintViolated:
            # Its id was taken or its definition deleted meanwhile: planning again says which.
            raise StaleRead(f"Instance {header.id} could not be created as planned") from None
    elif not instance_repo.compare_and_set(conn, header.id, record.before.version, **values):
        raise StaleRead(f"Instance {header.id} was changed by another request")
    ended = header.ended
    _sync_tasks(conn, header, record.old, after, now, record.actor, record.completed_task, ended)
    _sync_jobs(conn, header, record.old, after, now)
    _sync_timers(conn, header, record.old, after, ended)
    _sync_subscriptions(conn, header, record.old, after, now, ended)
    _record_failures(conn, header, after, now)
    _record_history(conn, record)


def _sync_tasks(
    conn: Connection,
    header: InstanceHeader,
    before: Snapshot,
    after: Snapshot,
    now: datetime,
    actor: str | None,
    completed_task: str | None,
    ended: bool,
) -> None:
    before_ids = {t.id for t in before.tasks}
    after_ids = set() if ended and after.tasks else {t.id for t in after.tasks}
    gone = [t for t in before_ids - after_ids]
    if completed_task and completed_task in gone:
        task_repo.close_tasks(conn, [completed_task], TaskState.COMPLETED, now, actor)
        gone.remove(completed_task)
    task_repo.close_tasks(conn, gone, TaskState.CANCELED, now, None)
    rows = []
    for task in after.tasks:
        if task.id in before_ids or task.id not in after_ids:
            continue
        info = header.elements.get(task.element_id) or ElementInfo(task.element_id, "userTask")
        rows.append(
            {
                "id": task.id,
                "env": header.env,
                "instance_id": header.id,
                "definition_key": header.definition_key,
                "element_id": task.element_id,
                "name": info.name,
                "assignee": info.assignee,
                "candidate_users": list(info.candidate_users),
                "candidate_groups": list(info.candidate_groups),
                "state": TaskState.READY,
                "created_at": now,
                "due_at": _parse_due(info.due_date),
            }
        )
    task_repo.insert_tasks(conn, rows)


def _sync_jobs(
    conn: Connection, header: InstanceHeader, before: Snapshot, after: Snapshot, now: datetime
) -> None:
    before_ids = {j.id for j in before.jobs}
    after_ids = {j.id for j in after.jobs}
    job_repo.delete_jobs(conn, sorted(before_ids - after_ids))
    rows = []
    for job in after.jobs:
        if job.id in before_ids:
            continue
        info = header.elements.get(job.element_id)
        rows.append(
            {
                "id": job.id,
                "env": header.env,
                "instance_id": header.id,
                "definition_key": header.definition_key,
                "element_id": job.element_id,
                "topic": (info.topic if info else None) or job.element_id,
                "retries": None,
                "due_at": now,
                "created_at": now,
            }
        )
    job_repo.insert_jobs(conn, rows)


def _sync_timers(
    conn: Connection, header: InstanceHeader, before: Snapshot, after: Snapshot, ended: bool
) -> None:
    before_by_id = {t.id: t for t in before.timers}
    after_timers = [] if ended else after.timers
    after_ids = {t.id for t in after_timers}
    event_repo.delete_timers(conn, sorted(set(before_by_id) - after_ids))
    rows = []
    for timer in after_timers:
        previous = before_by_id.get(timer.id)
        if previous is None:
            rows.append(
                {
                    "id": timer.id,
                    "env": header.env,
                    "instance_id": header.id,
                    "element_id": timer.element_id,
                    "due_at": timer.due_at,
                }
            )
        elif previous.due_at != timer.due_at:
            event_repo.reschedule_timer(conn, timer.id, timer.due_at)
    event_repo.insert_timers(conn, rows)


def _sync_subscriptions(
    conn: Connection, header: InstanceHeader, before: Snapshot, after: Snapshot, now: datetime, ended: bool
) -> None:
    before_ids = {e.id for e in before.events}
    after_events = [] if ended else after.events
    after_ids = {e.id for e in after_events}
    event_repo.delete_subscriptions(conn, sorted(before_ids - after_ids))
    rows = [
        {
            "id": e.id,
            "env": header.env,
            "instance_id": header.id,
            "kind": e.kind,
            "name": e.name,
            "element_id": e.element_id,
            "business_key": header.business_key,
            "correlation_key": e.correlation_key,
            "created_at": now,
        }
        for e in after_events
        if e.id not in before_ids
    ]
    event_repo.insert_subscriptions(conn, rows)


def _record_failures(conn: Connection, header: InstanceHeader, after: Snapshot, now: datetime) -> None:
    job_repo.insert_incidents(
        conn,
        [
            {
                "id": str(uuid.uuid4()),
                "env": header.env,
                "instance_id": header.id,
                "task_id": f.task_id,
                "element_id": f.element_id,
                "kind": IncidentKind.SCRIPT_ERROR,
                "message": f.message[:4000],
                "created_at": now,
            }
            for f in after.failures
        ],
    )


def _record_history(conn: Connection, record: RunRecord) -> None:
    header, after = record.after, record.new
    rows: list[HistoryLine] = []
    for event in record.events:
        info = header.elements.get(event.element_id) if event.element_id else None
        rows.append(history_row(header, record.at, record.actor, event, info))
    for step in after.steps:
        rows.append(
            HistoryLine(
                env=header.env,
                instance_id=header.id,
                at=record.at,
                event=step.event,
                element_id=step.element_id,
                element_name=step.element_name,
                element_type=step.element_type,
                actor=record.actor,
            )
        )
    for failure in after.failures:
        incident = HistoryEvent("incident", failure.element_id, {"message": failure.message})
        rows.append(history_row(header, record.at, record.actor, incident, None))
    if after.completed and header.status is InstanceStatus.COMPLETED:
        rows.append(history_row(header, record.at, record.actor, HistoryEvent("instance completed"), None))
    instance_repo.add_history(conn, rows)


def history_row(
    header: InstanceHeader, at: datetime, actor: str | None, event: HistoryEvent, info: ElementInfo | None
) -> HistoryLine:
    """A history line about ``header``'s instance."""
    return HistoryLine(
        env=header.env,
        instance_id=header.id,
        at=at,
        event=event.event,
        element_id=event.element_id,
        element_name=info.name if info else None,
        element_type=info.type if info else None,
        actor=actor,
        details=event.details,
    )


def _parse_due(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None  # an expression such as ${dueDate}: not supported yet, the task simply has no due date
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
