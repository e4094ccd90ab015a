"""Write the outcome of one engine run: instance row (compare-and-set), index tables and history.

The "before" snapshot is taken when an instance is opened, so the index tables are updated by
difference, without reading them back.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection

from flowport.engine.model import ElementInfo, Snapshot
from flowport.engine.runtime import InstanceRun
from flowport.errors import Conflict
from flowport.persistence.db import after_commit
from flowport.persistence.repositories import events as event_repo
from flowport.persistence.repositories import instances as instance_repo
from flowport.persistence.repositories import jobs as job_repo
from flowport.persistence.repositories import tasks as task_repo
from flowport.services.context import Actor, Services


@dataclass
class InstanceHeader:
    """What a use case knows about the instance it is changing."""

    id: str
    env: str
    definition_id: str
    definition_key: str
    business_key: str | None
    version: int  # the version that was read (0 for a new instance)
    status: str
    elements: dict[str, ElementInfo]
    started_at: datetime | None = None


EMPTY = Snapshot(completed=False, variables={}, active_element_ids=[])


def persist(
    conn: Connection,
    services: Services,
    header: InstanceHeader,
    run: InstanceRun,
    before: Snapshot,
    actor: Actor,
    *,
    events: list[tuple[str, str | None, dict[str, Any] | None]] = (),  # type: ignore[assignment]
    completed_task: str | None = None,
    status: str | None = None,
    new: bool = False,
) -> Snapshot:
    """Store ``run``'s state and sync tasks, jobs, timers, subscriptions, incidents and history."""
    now = services.clock()
    header_status_before = header.status
    after = run.snapshot()
    final_status = status or ("COMPLETED" if after.completed else header.status)
    ended = final_status in ("COMPLETED", "CANCELED")
    values: dict[str, Any] = {
        "state": run.dump(),
        "variables": after.variables,
        "active_element_ids": [] if ended else after.active_element_ids,
        "status": final_status,
        "ended_at": now if ended else None,
    }
    if after.failures:
        values["has_incidents"] = True
    if new:
        header.started_at = now
        instance_repo.insert_instance(
            conn,
            id=header.id,
            env=header.env,
            definition_id=header.definition_id,
            definition_key=header.definition_key,
            business_key=header.business_key,
            version=1,
            started_at=now,
            started_by=actor.subject,
            **{**values, "has_incidents": bool(after.failures)},
        )
    elif not instance_repo.compare_and_set(conn, header.id, header.version, **values):
        raise Conflict(
            f"Instance {header.id} was changed by another request; read it again and retry",
            currentVersion=header.version + 1,
        )
    header.version = 1 if new else header.version + 1
    header.status = final_status
    _sync_tasks(conn, header, before, after, now, actor, completed_task, ended)
    _sync_jobs(conn, header, before, after, now)
    _sync_timers(conn, header, before, after, ended)
    _sync_subscriptions(conn, header, before, after, now, ended)
    _record_failures(conn, header, after, now)
    _record_history(conn, header, after, actor, now, events)
    if after.timers and any(t.id not in {b.id for b in before.timers} for t in after.timers):
        after_commit(conn, services.timers_changed.set)
    if final_status == "COMPLETED" and header_status_before != "COMPLETED":
        after_commit(
            conn,
            lambda: services.metrics.inc(
                "flowport_instances_completed_total", help_text="Process instances completed"
            ),
        )
    if after.failures:
        count = float(len(after.failures))
        after_commit(
            conn,
            lambda: services.metrics.inc("flowport_incidents_total", count, help_text="Incidents raised"),
        )
    if after.thrown:  # messages and signals meant for other instances (BPMN 2.0 section 10.5.5)
        from flowport.services.messages import deliver_thrown  # messages builds on this module

        deliver_thrown(conn, services, actor, header.id, after.thrown)
    return after


def _sync_tasks(
    conn: Connection,
    header: InstanceHeader,
    before: Snapshot,
    after: Snapshot,
    now: datetime,
    actor: Actor,
    completed_task: str | None,
    ended: bool,
) -> None:
    before_ids = {t.id for t in before.tasks}
    after_ids = set() if ended and after.tasks else {t.id for t in after.tasks}
    gone = [t for t in before_ids - after_ids]
    if completed_task and completed_task in gone:
        task_repo.close_tasks(conn, [completed_task], "COMPLETED", now, actor.subject)
        gone.remove(completed_task)
    task_repo.close_tasks(conn, gone, "CANCELED", now, None)
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
                "state": "READY",
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
                "kind": "scriptError",
                "message": f.message[:4000],
                "created_at": now,
            }
            for f in after.failures
        ],
    )


def _record_history(
    conn: Connection,
    header: InstanceHeader,
    after: Snapshot,
    actor: Actor,
    now: datetime,
    events: Any,
) -> None:
    rows: list[dict[str, Any]] = []
    for event, element_id, details in events:
        info = header.elements.get(element_id) if element_id else None
        rows.append(_history_row(header, now, actor, event, element_id, info, details))
    for step in after.steps:
        rows.append(
            {
                "env": header.env,
                "instance_id": header.id,
                "at": now,
                "element_id": step.element_id,
                "element_name": step.element_name,
                "element_type": step.element_type,
                "event": step.event,
                "actor": actor.subject,
                "details": None,
            }
        )
    for failure in after.failures:
        rows.append(
            _history_row(
                header, now, actor, "incident", failure.element_id, None, {"message": failure.message}
            )
        )
    if after.completed and header.status == "COMPLETED":
        rows.append(_history_row(header, now, actor, "instance completed", None, None, None))
    instance_repo.add_history(conn, rows)


def _history_row(
    header: InstanceHeader,
    now: datetime,
    actor: Actor,
    event: str,
    element_id: str | None,
    info: ElementInfo | None,
    details: dict[str, Any] | None,
) -> dict[str, Any]:
    return {
        "env": header.env,
        "instance_id": header.id,
        "at": now,
        "element_id": element_id,
        "element_name": info.name if info else None,
        "element_type": info.type if info else None,
        "event": event,
        "actor": actor.subject,
        "details": details,
    }


def _parse_due(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None  # an expression such as ${dueDate}: not supported yet, the task simply has no due date
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
