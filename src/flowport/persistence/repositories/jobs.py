"""External jobs (service tasks for workers) and the incidents raised when they fail."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Connection, delete, insert, or_, select, update

from flowport.persistence.paging import page
from flowport.persistence.scope import Scope, instance_visible, of_visible_instance
from flowport.persistence.tables import (
    incidents,
    instances,
    jobs,
)
from flowport.states import InstanceStatus

# --- jobs ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class JobRow:
    id: str
    env: str
    instance_id: str
    definition_key: str
    element_id: str
    topic: str
    retries: int | None
    worker_id: str | None
    lock_expires_at: datetime | None
    due_at: datetime
    error_message: str | None
    created_at: datetime


_JOB_COLUMNS = (
    jobs.c.id,
    jobs.c.env,
    jobs.c.instance_id,
    jobs.c.definition_key,
    jobs.c.element_id,
    jobs.c.topic,
    jobs.c.retries,
    jobs.c.worker_id,
    jobs.c.lock_expires_at,
    jobs.c.due_at,
    jobs.c.error_message,
    jobs.c.created_at,
)


def _job_visible(scope: Scope) -> ColumnElement[bool]:
    return of_visible_instance(scope, jobs.c.env, jobs.c.instance_id)


def _incident_visible(scope: Scope) -> ColumnElement[bool]:
    return of_visible_instance(scope, incidents.c.env, incidents.c.instance_id)


def get_job(conn: Connection, scope: Scope, job_id: str) -> JobRow | None:
    r = conn.execute(select(*_JOB_COLUMNS).where(jobs.c.id == job_id, _job_visible(scope))).first()
    return JobRow(**r._asdict()) if r else None


def insert_jobs(conn: Connection, rows: list[dict[str, Any]]) -> None:
    if rows:
        conn.execute(insert(jobs), rows)


def delete_jobs(conn: Connection, job_ids: list[str]) -> None:
    if job_ids:
        conn.execute(delete(jobs).where(jobs.c.id.in_(job_ids)))


def lockable_jobs(
    conn: Connection, scope: Scope, topics: list[str], now: datetime, limit: int
) -> list[JobRow]:
    """Jobs ready for a worker: due, not locked (or lock expired), retries left, instance running."""
    query = (
        select(*_JOB_COLUMNS)
        .join(instances, instances.c.id == jobs.c.instance_id)
        .where(
            jobs.c.env == scope.env,
            instance_visible(scope),
            jobs.c.topic.in_(topics),
            jobs.c.due_at <= now,
            or_(jobs.c.lock_expires_at.is_(None), jobs.c.lock_expires_at < now),
            or_(jobs.c.retries.is_(None), jobs.c.retries > 0),
            instances.c.status == InstanceStatus.RUNNING,
        )
        .order_by(jobs.c.due_at)
        .limit(limit)
    )
    if conn.dialect.name == "postgresql":
        query = query.with_for_update(of=jobs, skip_locked=True)
    return [JobRow(**r._asdict()) for r in conn.execute(query)]


def lock_job(conn: Connection, job_id: str, worker_id: str, until: datetime) -> None:
    conn.execute(update(jobs).where(jobs.c.id == job_id).values(worker_id=worker_id, lock_expires_at=until))


def fail_job(conn: Connection, job_id: str, retries: int, message: str | None, due_at: datetime) -> None:
    conn.execute(
        update(jobs)
        .where(jobs.c.id == job_id)
        .values(retries=retries, error_message=message, due_at=due_at, worker_id=None, lock_expires_at=None)
    )


def set_job_retries(conn: Connection, job_id: str, retries: int, due_at: datetime) -> None:
    conn.execute(
        update(jobs)
        .where(jobs.c.id == job_id)
        .values(retries=retries, due_at=due_at, worker_id=None, lock_expires_at=None)
    )


def search_jobs(
    conn: Connection, scope: Scope, topic: str | None, instance_id: str | None, cursor: str | None, limit: int
) -> list[JobRow]:
    query = select(*_JOB_COLUMNS).where(_job_visible(scope))
    if topic:
        query = query.where(jobs.c.topic == topic)
    if instance_id:
        query = query.where(jobs.c.instance_id == instance_id)
    query = page(query, jobs.c.created_at, jobs.c.id, cursor, limit)
    return [JobRow(**r._asdict()) for r in conn.execute(query)]


# --- incidents -----------------------------------------------------------------------------------


def insert_incidents(conn: Connection, rows: list[dict[str, Any]]) -> None:
    if rows:
        conn.execute(insert(incidents), rows)


def get_incident(conn: Connection, scope: Scope, incident_id: str) -> dict[str, Any] | None:
    r = conn.execute(select(incidents).where(incidents.c.id == incident_id, _incident_visible(scope))).first()
    return dict(r._mapping) if r else None


def resolve_incident(conn: Connection, incident_id: str, at: datetime) -> bool:
    """Mark an open incident resolved; False when it was resolved already."""
    result = conn.execute(
        update(incidents)
        .where(incidents.c.id == incident_id, incidents.c.resolved_at.is_(None))
        .values(resolved_at=at)
    )
    return result.rowcount == 1


def resolve_incidents_of_tasks(conn: Connection, task_ids: list[str], at: datetime) -> None:
    if task_ids:
        conn.execute(
            update(incidents)
            .where(incidents.c.task_id.in_(task_ids), incidents.c.resolved_at.is_(None))
            .values(resolved_at=at)
        )


def open_incident_count(conn: Connection, instance_id: str) -> int:
    rows = conn.execute(
        select(incidents.c.id).where(
            incidents.c.instance_id == instance_id, incidents.c.resolved_at.is_(None)
        )
    ).all()
    return len(rows)


def search_incidents(
    conn: Connection, scope: Scope, instance_id: str | None, open_only: bool, cursor: str | None, limit: int
) -> list[dict[str, Any]]:
    query = select(incidents).where(_incident_visible(scope))
    if instance_id:
        query = query.where(incidents.c.instance_id == instance_id)
    if open_only:
        query = query.where(incidents.c.resolved_at.is_(None))
    query = page(query, incidents.c.created_at, incidents.c.id, cursor, limit)
    return [dict(r._mapping) for r in conn.execute(query)]
