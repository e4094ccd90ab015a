"""External jobs (fetch-and-lock, complete, fail, extend lock) and incidents."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response

from flowport.api.deps import UseCaseContext, require
from flowport.api.native import NativeRoute
from flowport.api.schemas import (
    CompleteJobIn,
    ExtendLockIn,
    FailJobIn,
    FetchAndLockIn,
    IncidentOut,
    JobOut,
    PageOut,
    ResolveIncidentIn,
)
from flowport.services import jobs
from flowport.services.jobs import TopicRequest

router = APIRouter(prefix="/api/v1", tags=["jobs and incidents"], route_class=NativeRoute)

Worker = Annotated[UseCaseContext, Depends(require("jobs:work"))]
Reader = Annotated[UseCaseContext, Depends(require("instances:read"))]
Manager = Annotated[UseCaseContext, Depends(require("instances:manage"))]


@router.post("/jobs/fetch-and-lock", response_model=PageOut[JobOut])
def fetch_and_lock(body: FetchAndLockIn, use: Worker) -> PageOut[JobOut]:
    """Lock up to `maxJobs` jobs of the given topics (lock durations in milliseconds)."""
    topics = [TopicRequest(t.name, t.lock_duration) for t in body.topics]
    locked = jobs.fetch_and_lock(use.services, use.actor, body.worker_id, topics, body.max_jobs)
    return PageOut[JobOut](items=[JobOut.model_validate(j) for j in locked])


@router.get("/jobs", response_model=PageOut[JobOut])
def list_jobs(
    use: Worker,
    topic: str | None = None,
    process_instance_id: Annotated[str | None, Query(alias="processInstanceId")] = None,
    limit: int = Query(default=50, ge=1, le=1000),
    cursor: str | None = None,
) -> PageOut[JobOut]:
    page = jobs.search(use.services, use.actor, topic, process_instance_id, cursor, limit)
    return PageOut[JobOut].model_validate(page)


@router.post("/jobs/{job_id}/complete", status_code=204, response_class=Response)
def complete_job(job_id: str, body: CompleteJobIn, use: Worker) -> Response:
    jobs.complete(use.services, use.actor, job_id, body.worker_id, body.variables)
    return Response(status_code=204)


@router.post("/jobs/{job_id}/fail", response_model=JobOut)
def fail_job(job_id: str, body: FailJobIn, use: Worker) -> JobOut:
    """Report a failure; with `retries` 0 the job becomes an incident."""
    return JobOut.model_validate(
        jobs.fail(
            use.services,
            use.actor,
            job_id,
            body.worker_id,
            body.error_message,
            body.retries,
            body.retry_timeout,
        )
    )


@router.post("/jobs/{job_id}/extend-lock", response_model=JobOut)
def extend_lock(job_id: str, body: ExtendLockIn, use: Worker) -> JobOut:
    return JobOut.model_validate(
        jobs.extend_lock(use.services, use.actor, job_id, body.worker_id, body.new_duration)
    )


@router.get("/incidents", response_model=PageOut[IncidentOut])
def list_incidents(
    use: Reader,
    process_instance_id: Annotated[str | None, Query(alias="processInstanceId")] = None,
    open_only: Annotated[bool, Query(alias="open")] = True,
    limit: int = Query(default=50, ge=1, le=1000),
    cursor: str | None = None,
) -> PageOut[IncidentOut]:
    page = jobs.search_incidents(use.services, use.actor, process_instance_id, open_only, cursor, limit)
    return PageOut[IncidentOut].model_validate(page)


@router.post("/incidents/{incident_id}/resolve", response_model=IncidentOut)
def resolve_incident(incident_id: str, use: Manager, body: ResolveIncidentIn | None = None) -> IncidentOut:
    """Retry what failed: the job gets retries again, or the failed script runs once more."""
    return IncidentOut.model_validate(
        jobs.resolve_incident(use.services, use.actor, incident_id, body.retries if body else 1)
    )
