"""Use cases for external jobs (service tasks done by workers) and incidents."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection

from flowport.errors import Conflict, InvalidRequest, NotFound
from flowport.persistence.db import read_transaction, write_transaction
from flowport.persistence.repositories import instances as instance_repo
from flowport.persistence.repositories import jobs as job_repo
from flowport.persistence.repositories.instances import HistoryLine
from flowport.persistence.repositories.jobs import JobRow
from flowport.services.context import Actor, Services
from flowport.services.execution import Execution, execute
from flowport.services.instance_writes import HistoryEvent, StaleRead
from flowport.services.paging import Page, make_page
from flowport.services.views import IncidentView, JobView, LockedJob
from flowport.states import IncidentKind


@dataclass(frozen=True)
class TopicRequest:
    name: str
    lock_duration_ms: int


def fetch_and_lock(
    services: Services, actor: Actor, worker_id: str, topics: list[TopicRequest], max_jobs: int
) -> list[LockedJob]:
    """Lock up to ``max_jobs`` available jobs of the given topics for ``worker_id``."""
    if not worker_id:
        raise InvalidRequest("workerId is required")
    if not topics:
        raise InvalidRequest("Name at least one topic")
    durations = {t.name: t.lock_duration_ms for t in topics}
    now = services.clock()
    locked: list[LockedJob] = []
    with write_transaction(services.db) as conn:
        for job in job_repo.lockable_jobs(conn, actor.scope, list(durations), now, max_jobs):
            until = now + timedelta(milliseconds=durations[job.topic])
            job_repo.lock_job(conn, job.id, worker_id, until)
            instance = instance_repo.get(conn, actor.scope, job.instance_id)
            variables = dict(instance.variables) if instance else {}
            view = JobView.of_row(replace(job, worker_id=worker_id, lock_expires_at=until))
            locked.append(LockedJob.of_job(view, variables))
    if locked:
        services.metrics.inc(
            "flowport_jobs_locked_total", float(len(locked)), help_text="Jobs locked by workers"
        )
    return locked


def _locked_by(conn: Connection, services: Services, actor: Actor, job_id: str, worker_id: str) -> JobRow:
    job = job_repo.get_job(conn, actor.scope, job_id)
    if job is None:
        raise NotFound(f"Job {job_id} does not exist (completed, canceled, or never existed)")
    now = services.clock()
    if job.worker_id != worker_id or job.lock_expires_at is None or job.lock_expires_at < now:
        raise Conflict(
            f"Job {job_id} is not locked by worker '{worker_id}' (the lock may have expired)",
            lockedBy=job.worker_id if job.lock_expires_at and job.lock_expires_at >= now else None,
        )
    return job


def complete(
    services: Services, actor: Actor, job_id: str, worker_id: str, variables: dict[str, Any]
) -> None:

    def use_case(execution: Execution) -> None:
        job = _locked_by(execution.conn, services, actor, job_id, worker_id)

        def still_locked(conn: Connection) -> None:
            # Locks are not part of the instance's version: check again under the write lock.
            _locked_by(conn, services, actor, job_id, worker_id)

        execution.write(still_locked)
        details = {"workerId": worker_id, "variables": sorted(variables)}
        execution.command(
            actor,
            job.instance_id,
            lambda run: run.complete_task(job_id, variables, job=True),
            event=HistoryEvent("job completed", job.element_id, details),
        )

    execute(services, use_case)
    services.metrics.inc("flowport_jobs_completed_total", help_text="Jobs completed by workers")


def fail(
    services: Services,
    actor: Actor,
    job_id: str,
    worker_id: str,
    error_message: str | None,
    retries: int,
    retry_timeout_ms: int,
) -> JobView:
    """Record a failed attempt; with no retries left the job becomes an incident on its instance."""
    if retries < 0 or retry_timeout_ms < 0:
        raise InvalidRequest("retries and retryTimeout must not be negative")
    now = services.clock()
    with write_transaction(services.db) as conn:
        job = _locked_by(conn, services, actor, job_id, worker_id)
        job_repo.fail_job(
            conn, job_id, retries, error_message, now + timedelta(milliseconds=retry_timeout_ms)
        )
        failed = HistoryLine(
            env=job.env,
            instance_id=job.instance_id,
            at=now,
            event="job failed",
            element_id=job.element_id,
            element_type="serviceTask",
            actor=actor.subject,
            details={"workerId": worker_id, "errorMessage": error_message, "retries": retries},
        )
        instance_repo.add_history(conn, [failed])
        if retries == 0:
            job_repo.insert_incidents(
                conn,
                [
                    {
                        "id": str(uuid.uuid4()),
                        "env": job.env,
                        "instance_id": job.instance_id,
                        "task_id": job.id,
                        "element_id": job.element_id,
                        "kind": IncidentKind.FAILED_JOB,
                        "message": (error_message or "The job failed and has no retries left")[:4000],
                        "created_at": now,
                    }
                ],
            )
            instance_repo.set_has_incidents(conn, job.instance_id, True)
        updated = job_repo.get_job(conn, actor.scope, job_id)
    services.metrics.inc("flowport_jobs_failed_total", help_text="Job failures reported by workers")
    assert updated is not None
    return JobView.of_row(updated)


def extend_lock(services: Services, actor: Actor, job_id: str, worker_id: str, duration_ms: int) -> JobView:
    if duration_ms <= 0:
        raise InvalidRequest("newDuration must be positive")
    with write_transaction(services.db) as conn:
        _locked_by(conn, services, actor, job_id, worker_id)
        job_repo.lock_job(conn, job_id, worker_id, services.clock() + timedelta(milliseconds=duration_ms))
        updated = job_repo.get_job(conn, actor.scope, job_id)
    assert updated is not None
    return JobView.of_row(updated)


def search(
    services: Services,
    actor: Actor,
    topic: str | None,
    instance_id: str | None,
    cursor: str | None,
    limit: int,
) -> Page[JobView]:
    with read_transaction(services.db) as conn:
        rows = job_repo.search_jobs(conn, actor.scope, topic, instance_id, cursor, limit)
    return make_page(rows, limit, lambda r: (r.created_at, r.id)).map(JobView.of_row)


def search_incidents(
    services: Services, actor: Actor, instance_id: str | None, open_only: bool, cursor: str | None, limit: int
) -> Page[IncidentView]:
    with read_transaction(services.db) as conn:
        rows = job_repo.search_incidents(conn, actor.scope, instance_id, open_only, cursor, limit)
    return make_page(rows, limit, lambda r: (r["created_at"], r["id"])).map(IncidentView.of_row)


def resolve_incident(services: Services, actor: Actor, incident_id: str, retries: int = 1) -> IncidentView:
    """Retry what failed: a job gets ``retries`` again, a failed script task runs once more."""
    now = services.clock()

    def use_case(execution: Execution) -> IncidentView:
        incident = job_repo.get_incident(execution.conn, actor.scope, incident_id)
        if incident is None:
            raise NotFound(f"Incident {incident_id} does not exist")
        if incident["resolved_at"] is not None:
            raise Conflict(f"Incident {incident_id} is already resolved")
        instance_id, task_id = incident["instance_id"], incident["task_id"]
        execution.write(lambda conn: _resolve(conn, incident_id, now))
        if incident["kind"] == IncidentKind.FAILED_JOB:
            if job_repo.get_job(execution.conn, actor.scope, task_id) is None:
                raise Conflict("The job of this incident no longer exists")
            execution.write(lambda conn: job_repo.set_job_retries(conn, task_id, max(1, retries), now))
        else:
            execution.command(
                actor,
                instance_id,
                lambda run: run.retry(task_id),
                event=HistoryEvent("incident resolved", incident["element_id"]),
            )
        execution.write(
            lambda conn: instance_repo.set_has_incidents(
                conn, instance_id, job_repo.open_incident_count(conn, instance_id) > 0
            )
        )
        return IncidentView.of_row({**incident, "resolved_at": now})

    return execute(services, use_case)


def _resolve(conn: Connection, incident_id: str, at: datetime) -> None:
    if not job_repo.resolve_incident(conn, incident_id, at):
        raise StaleRead(f"Incident {incident_id} was resolved meanwhile")
