"""Use cases for external jobs (service tasks done by workers) and incidents."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from flowport.errors import Conflict, InvalidRequest, NotFound
from flowport.persistence.db import read_transaction, write_transaction
from flowport.persistence.repositories import instances as instance_repo
from flowport.persistence.repositories import jobs as job_repo
from flowport.persistence.repositories.jobs import JobRow
from flowport.services.context import Actor, Services
from flowport.services.instances import command
from flowport.services.paging import Page, make_page


@dataclass(frozen=True)
class TopicRequest:
    name: str
    lock_duration_ms: int


@dataclass(frozen=True)
class LockedJob:
    job: JobRow
    variables: dict[str, Any]


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
        for job in job_repo.lockable_jobs(conn, actor.env, list(durations), now, max_jobs):
            until = now + timedelta(milliseconds=durations[job.topic])
            job_repo.lock_job(conn, job.id, worker_id, until)
            instance = instance_repo.get(conn, actor.env, job.instance_id)
            variables = dict(instance.variables) if instance else {}
            locked.append(
                LockedJob(
                    JobRow(**{**job.__dict__, "worker_id": worker_id, "lock_expires_at": until}), variables
                )
            )
    if locked:
        services.metrics.inc(
            "flowport_jobs_locked_total", float(len(locked)), help_text="Jobs locked by workers"
        )
    return locked


def _locked_by(conn: Any, services: Services, actor: Actor, job_id: str, worker_id: str) -> JobRow:
    job = job_repo.get_job(conn, actor.env, job_id)
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
    with write_transaction(services.db) as conn:
        job = _locked_by(conn, services, actor, job_id, worker_id)
        command(
            conn,
            services,
            actor,
            job.instance_id,
            lambda run: run.complete_task(job_id, variables, job=True),
            event="job completed",
            element_id=job.element_id,
            details={"workerId": worker_id, "variables": sorted(variables)},
        )
    services.metrics.inc("flowport_jobs_completed_total", help_text="Jobs completed by workers")


def fail(
    services: Services,
    actor: Actor,
    job_id: str,
    worker_id: str,
    error_message: str | None,
    retries: int,
    retry_timeout_ms: int,
) -> JobRow:
    """Record a failed attempt; with no retries left the job becomes an incident on its instance."""
    if retries < 0 or retry_timeout_ms < 0:
        raise InvalidRequest("retries and retryTimeout must not be negative")
    now = services.clock()
    with write_transaction(services.db) as conn:
        job = _locked_by(conn, services, actor, job_id, worker_id)
        job_repo.fail_job(
            conn, job_id, retries, error_message, now + timedelta(milliseconds=retry_timeout_ms)
        )
        history: dict[str, Any] = {
            "env": job.env,
            "instance_id": job.instance_id,
            "at": now,
            "element_id": job.element_id,
            "element_name": None,
            "element_type": "serviceTask",
            "event": "job failed",
            "actor": actor.subject,
            "details": {"workerId": worker_id, "errorMessage": error_message, "retries": retries},
        }
        instance_repo.add_history(conn, [history])
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
                        "kind": "failedJob",
                        "message": (error_message or "The job failed and has no retries left")[:4000],
                        "created_at": now,
                    }
                ],
            )
            instance_repo.set_has_incidents(conn, job.instance_id, True)
        updated = job_repo.get_job(conn, actor.env, job_id)
    services.metrics.inc("flowport_jobs_failed_total", help_text="Job failures reported by workers")
    assert updated is not None
    return updated


def extend_lock(services: Services, actor: Actor, job_id: str, worker_id: str, duration_ms: int) -> JobRow:
    if duration_ms <= 0:
        raise InvalidRequest("newDuration must be positive")
    with write_transaction(services.db) as conn:
        _locked_by(conn, services, actor, job_id, worker_id)
        job_repo.lock_job(conn, job_id, worker_id, services.clock() + timedelta(milliseconds=duration_ms))
        updated = job_repo.get_job(conn, actor.env, job_id)
    assert updated is not None
    return updated


def search(
    services: Services,
    actor: Actor,
    topic: str | None,
    instance_id: str | None,
    cursor: str | None,
    limit: int,
) -> Page[JobRow]:
    with read_transaction(services.db) as conn:
        rows = job_repo.search_jobs(conn, actor.env, topic, instance_id, cursor, limit)
    return make_page(rows, limit, lambda r: (r.created_at, r.id))


def search_incidents(
    services: Services, actor: Actor, instance_id: str | None, open_only: bool, cursor: str | None, limit: int
) -> Page[dict[str, Any]]:
    with read_transaction(services.db) as conn:
        rows = job_repo.search_incidents(conn, actor.env, instance_id, open_only, cursor, limit)
    return make_page(rows, limit, lambda r: (r["created_at"], r["id"]))


def resolve_incident(services: Services, actor: Actor, incident_id: str, retries: int = 1) -> dict[str, Any]:
    """Retry what failed: a job gets ``retries`` again, a failed script task runs once more."""
    now = services.clock()
    with write_transaction(services.db) as conn:
        incident = job_repo.get_incident(conn, actor.env, incident_id)
        if incident is None:
            raise NotFound(f"Incident {incident_id} does not exist")
        if incident["resolved_at"] is not None:
            raise Conflict(f"Incident {incident_id} is already resolved")
        job_repo.resolve_incident(conn, incident_id, now)
        if incident["kind"] == "failedJob":
            if job_repo.get_job(conn, actor.env, incident["task_id"]) is None:
                raise Conflict("The job of this incident no longer exists")
            job_repo.set_job_retries(conn, incident["task_id"], max(1, retries), now)
        else:
            command(
                conn,
                services,
                actor,
                incident["instance_id"],
                lambda run: run.retry(incident["task_id"]),
                event="incident resolved",
                element_id=incident["element_id"],
            )
        instance_repo.set_has_incidents(
            conn, incident["instance_id"], job_repo.open_incident_count(conn, incident["instance_id"]) > 0
        )
        resolved = job_repo.get_incident(conn, actor.env, incident_id)
    assert resolved is not None
    return resolved
