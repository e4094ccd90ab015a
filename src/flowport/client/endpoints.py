"""The native API's runtime operations (``/api/v1``): definitions, instances, tasks, events, jobs.

Each function builds one :class:`~flowport.client.operations.Operation`; durations are seconds
here and milliseconds on the wire.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from flowport.client import operations as op
from flowport.client.models import (
    Definition,
    Delivery,
    Deployment,
    HistoryEntry,
    Incident,
    Instance,
    Job,
    Page,
    Task,
)
from flowport.client.operations import Operation, segment

API = "/api/v1"
BpmnSource = str | os.PathLike[str] | bytes
Variables = Mapping[str, Any]


def ms(seconds: float) -> int:
    return max(1, round(seconds * 1000))


def bpmn_bytes(source: BpmnSource) -> bytes:
    """The document to deploy: ``bytes`` as they are, a ``str`` or path names a file."""
    return source if isinstance(source, bytes) else Path(source).read_bytes()


# Process definitions


def deploy(document: bytes) -> Operation[Deployment]:
    # Deploying the same XML again changes nothing (the answer says created=False): safe to retry.
    return Operation(
        "POST",
        f"{API}/process-definitions",
        lambda response: Deployment.from_json(response.json()),
        content=document,
        headers={"Content-Type": "application/xml"},
        idempotent=True,
    )


def list_definitions(
    key: str | None, latest: bool, limit: int, cursor: str | None
) -> Operation[Page[Definition]]:
    params = {"key": key, "latest": latest or None, "limit": limit, "cursor": cursor}
    return Operation("GET", f"{API}/process-definitions", op.page(Definition), params=params)


def get_definition(definition_id: str) -> Operation[Definition]:
    return Operation("GET", f"{API}/process-definitions/{segment(definition_id)}", op.model(Definition))


def definition_xml(definition_id: str) -> Operation[str]:
    path = f"{API}/process-definitions/{segment(definition_id)}/xml"
    return Operation("GET", path, op.text, headers={"Accept": "application/xml, application/problem+json"})


def delete_definition(definition_id: str, cascade: bool) -> Operation[None]:
    path = f"{API}/process-definitions/{segment(definition_id)}"
    return Operation("DELETE", path, op.nothing, params={"cascade": cascade or None})


# Process instances


def start(
    definition_key: str | None,
    *,
    definition_id: str | None,
    version: int | None,
    variables: Variables | None,
    business_key: str | None,
    instance_id: str | None,
) -> Operation[Instance]:
    payload = op.body(
        definitionKey=definition_key,
        definitionId=definition_id,
        version=version,
        variables=dict(variables or {}),
        businessKey=business_key,
        id=instance_id,
    )
    return Operation("POST", f"{API}/process-instances", op.model(Instance), json=payload)


def search_instances(
    *,
    status: str | None,
    definition_key: str | None,
    business_key: str | None,
    started_after: datetime | None,
    started_before: datetime | None,
    limit: int,
    cursor: str | None,
) -> Operation[Page[Instance]]:
    params = {
        "status": status,
        "definitionKey": definition_key,
        "businessKey": business_key,
        "startedAfter": started_after,
        "startedBefore": started_before,
        "limit": limit,
        "cursor": cursor,
    }
    return Operation("GET", f"{API}/process-instances", op.page(Instance), params=params)


def _instance(instance_id: str, tail: str = "") -> str:
    return f"{API}/process-instances/{segment(instance_id)}{tail}"


def get_instance(instance_id: str) -> Operation[Instance]:
    return Operation("GET", _instance(instance_id), op.model(Instance))


def instance_action(instance_id: str, action: str) -> Operation[Instance]:
    """``cancel``, ``suspend`` or ``resume``: a second try of a lost one would answer 409, so no retry."""
    return Operation("POST", _instance(instance_id, f"/{action}"), op.model(Instance))


def move(instance_id: str, to_element_id: str, from_element_id: str | None) -> Operation[Instance]:
    payload = op.body(toElementId=to_element_id, fromElementId=from_element_id)
    return Operation("POST", _instance(instance_id, "/move"), op.model(Instance), json=payload)


def delete_instance(instance_id: str) -> Operation[None]:
    return Operation("DELETE", _instance(instance_id), op.nothing)


def get_variables(instance_id: str) -> Operation[dict[str, Any]]:
    return Operation("GET", _instance(instance_id, "/variables"), op.json_object)


def set_variables(instance_id: str, variables: Variables, replace: bool) -> Operation[dict[str, Any]]:
    method = "PUT" if replace else "PATCH"
    return Operation(method, _instance(instance_id, "/variables"), op.json_object, json=dict(variables))


def history(instance_id: str, limit: int, cursor: str | None) -> Operation[Page[HistoryEntry]]:
    params = {"limit": limit, "cursor": cursor}
    return Operation("GET", _instance(instance_id, "/history"), op.page(HistoryEntry), params=params)


# User tasks


def search_tasks(
    *,
    state: str | None,
    assignee: str | None,
    candidate_user: str | None,
    candidate_group: str | None,
    process_instance_id: str | None,
    definition_key: str | None,
    element_id: str | None,
    limit: int,
    cursor: str | None,
) -> Operation[Page[Task]]:
    params = {
        "state": state,
        "assignee": assignee,
        "candidateUser": candidate_user,
        "candidateGroup": candidate_group,
        "processInstanceId": process_instance_id,
        "definitionKey": definition_key,
        "elementId": element_id,
        "limit": limit,
        "cursor": cursor,
    }
    return Operation("GET", f"{API}/tasks", op.page(Task), params=params)


def get_task(task_id: str) -> Operation[Task]:
    return Operation("GET", f"{API}/tasks/{segment(task_id)}", op.model(Task))


def claim(task_id: str, assignee: str | None) -> Operation[Task]:
    payload = op.body(assignee=assignee)
    return Operation("POST", f"{API}/tasks/{segment(task_id)}/claim", op.model(Task), json=payload)


def unclaim(task_id: str) -> Operation[Task]:
    return Operation("POST", f"{API}/tasks/{segment(task_id)}/unclaim", op.model(Task))


def complete_task(task_id: str, variables: Variables | None) -> Operation[Task]:
    payload = {"variables": dict(variables or {})}
    return Operation("POST", f"{API}/tasks/{segment(task_id)}/complete", op.model(Task), json=payload)


# Messages and signals


def correlate(
    name: str,
    *,
    process_instance_id: str | None,
    business_key: str | None,
    correlation_key: str | None,
    variables: Variables | None,
) -> Operation[list[Delivery]]:
    payload = op.body(
        name=name,
        processInstanceId=process_instance_id,
        businessKey=business_key,
        correlationKey=correlation_key,
        variables=dict(variables or {}),
    )
    return Operation("POST", f"{API}/messages", op.items(Delivery), json=payload)


def broadcast(name: str, variables: Variables | None) -> Operation[list[Delivery]]:
    payload = {"name": name, "variables": dict(variables or {})}
    return Operation("POST", f"{API}/signals", op.items(Delivery), json=payload)


# External jobs and incidents


def fetch_and_lock(worker_id: str, topics: Mapping[str, float], max_jobs: int) -> Operation[list[Job]]:
    payload = {
        "workerId": worker_id,
        "maxJobs": max_jobs,
        "topics": [{"name": name, "lockDuration": ms(seconds)} for name, seconds in topics.items()],
    }
    return Operation("POST", f"{API}/jobs/fetch-and-lock", op.items(Job), json=payload)


def search_jobs(
    topic: str | None, process_instance_id: str | None, limit: int, cursor: str | None
) -> Operation[Page[Job]]:
    params = {"topic": topic, "processInstanceId": process_instance_id, "limit": limit, "cursor": cursor}
    return Operation("GET", f"{API}/jobs", op.page(Job), params=params)


def complete_job(job_id: str, worker_id: str, variables: Variables | None) -> Operation[None]:
    payload = {"workerId": worker_id, "variables": dict(variables or {})}
    return Operation("POST", f"{API}/jobs/{segment(job_id)}/complete", op.nothing, json=payload)


def fail_job(
    job_id: str, worker_id: str, error_message: str | None, retries: int, retry_timeout: float
) -> Operation[Job]:
    payload = op.body(
        workerId=worker_id,
        errorMessage=error_message,
        retries=retries,
        retryTimeout=round(retry_timeout * 1000),
    )
    return Operation("POST", f"{API}/jobs/{segment(job_id)}/fail", op.model(Job), json=payload)


def extend_lock(job_id: str, worker_id: str, duration: float) -> Operation[Job]:
    # Sets the lock to now + duration: sending it twice leaves the same lock, so it may be retried.
    payload = {"workerId": worker_id, "newDuration": ms(duration)}
    path = f"{API}/jobs/{segment(job_id)}/extend-lock"
    return Operation("POST", path, op.model(Job), json=payload, idempotent=True)


def search_incidents(
    process_instance_id: str | None, open_only: bool, limit: int, cursor: str | None
) -> Operation[Page[Incident]]:
    params = {"processInstanceId": process_instance_id, "open": open_only, "limit": limit, "cursor": cursor}
    return Operation("GET", f"{API}/incidents", op.page(Incident), params=params)


def resolve_incident(incident_id: str, retries: int) -> Operation[Incident]:
    path = f"{API}/incidents/{segment(incident_id)}/resolve"
    return Operation("POST", path, op.model(Incident), json={"retries": retries})


def topic_durations(topics: Sequence[str] | Mapping[str, float], lock_duration: float) -> dict[str, float]:
    """Topics as ``{name: lock seconds}``: a list of names shares ``lock_duration``."""
    if isinstance(topics, Mapping):
        return {name: float(seconds) for name, seconds in topics.items()}
    return dict.fromkeys(topics, float(lock_duration))
