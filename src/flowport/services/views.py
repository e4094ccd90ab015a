"""The workflow entities as the services hand them out: one frozen view per entity.

Repositories return their rows; each view maps a row in exactly one place (``of_row``). The
edges (API schemas with ``from_attributes``, the CLI, the product facades) read views only, so a
column can change without touching them. Account views (clients, users, environments, keys,
audit entries) live with their use cases in :mod:`flowport.services.clients` and its siblings.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any

from flowport.engine.model import ElementInfo, Snapshot
from flowport.persistence.repositories.definitions import DefinitionRow
from flowport.persistence.repositories.instances import InstanceRow
from flowport.persistence.repositories.jobs import JobRow
from flowport.persistence.repositories.tasks import TaskRow
from flowport.services.instance_writes import InstanceHeader
from flowport.states import IncidentKind, InstanceStatus, TaskState


@dataclass(frozen=True)
class DefinitionView:
    """A deployed version of a process."""

    id: str
    key: str
    version: int
    name: str | None
    deployed_at: datetime
    deployed_by: str | None
    elements: dict[str, ElementInfo]  # by element id: what the server indexes about each

    @classmethod
    def of_row(cls, row: DefinitionRow) -> DefinitionView:
        elements = {k: ElementInfo.from_dict(v) for k, v in row.elements.items()}
        return cls(row.id, row.key, row.version, row.name, row.deployed_at, row.deployed_by, elements)


@dataclass(frozen=True)
class InstanceView:
    """A process instance."""

    id: str
    definition_id: str
    definition_key: str
    version: int
    status: InstanceStatus
    business_key: str | None
    active_element_ids: list[str]
    has_incidents: bool
    started_at: datetime
    ended_at: datetime | None
    started_by: str | None
    variables: dict[str, Any]

    @classmethod
    def of_row(cls, row: InstanceRow) -> InstanceView:
        return cls(
            row.id,
            row.definition_id,
            row.definition_key,
            row.version,
            InstanceStatus(row.status),
            row.business_key,
            list(row.active_element_ids),
            bool(row.has_incidents),
            row.started_at,
            row.ended_at,
            row.started_by,
            dict(row.variables),
        )

    @classmethod
    def of_planned(cls, header: InstanceHeader, snapshot: Snapshot) -> InstanceView:
        """As a planned engine run leaves the instance (what a command answers before it is read back)."""
        assert header.started_at is not None
        return cls(
            header.id,
            header.definition_id,
            header.definition_key,
            header.version,
            header.status,
            header.business_key,
            [] if header.ended else snapshot.active_element_ids,
            header.has_incidents,
            header.started_at,
            header.ended_at,
            header.started_by,
            snapshot.variables,
        )


@dataclass(frozen=True)
class HistoryEntry:
    """One line of an instance's history: what happened, at which element, by whom."""

    id: int
    at: datetime
    element_id: str | None
    element_name: str | None
    element_type: str | None
    event: str
    actor: str | None
    details: dict[str, Any] | None

    @classmethod
    def of_row(cls, row: Mapping[str, Any]) -> HistoryEntry:
        return cls(
            row["id"],
            row["at"],
            row["element_id"],
            row["element_name"],
            row["element_type"],
            row["event"],
            row["actor"],
            row["details"],
        )


@dataclass(frozen=True)
class TaskView:
    """A user task: waiting for a person (READY) or closed."""

    id: str
    instance_id: str
    definition_key: str
    element_id: str
    name: str | None
    assignee: str | None
    candidate_users: list[str]
    candidate_groups: list[str]
    state: TaskState
    created_at: datetime
    due_at: datetime | None
    ended_at: datetime | None
    completed_by: str | None

    @classmethod
    def of_row(cls, row: TaskRow) -> TaskView:
        return cls(
            row.id,
            row.instance_id,
            row.definition_key,
            row.element_id,
            row.name,
            row.assignee,
            list(row.candidate_users),
            list(row.candidate_groups),
            TaskState(row.state),
            row.created_at,
            row.due_at,
            row.ended_at,
            row.completed_by,
        )


@dataclass(frozen=True)
class JobView:
    """An external job: a service task waiting for (or locked by) a worker."""

    id: str
    topic: str
    instance_id: str
    definition_key: str
    element_id: str
    retries: int | None
    worker_id: str | None
    lock_expires_at: datetime | None
    error_message: str | None
    created_at: datetime

    @classmethod
    def of_row(cls, row: JobRow) -> JobView:
        return cls(
            row.id,
            row.topic,
            row.instance_id,
            row.definition_key,
            row.element_id,
            row.retries,
            row.worker_id,
            row.lock_expires_at,
            row.error_message,
            row.created_at,
        )


@dataclass(frozen=True)
class LockedJob(JobView):
    """A job just locked for a worker, with its instance's variables (what the worker works on)."""

    variables: dict[str, Any]

    @classmethod
    def of_job(cls, job: JobView, variables: dict[str, Any]) -> LockedJob:
        return cls(**{f.name: getattr(job, f.name) for f in fields(JobView)}, variables=variables)


@dataclass(frozen=True)
class IncidentView:
    """Something that failed in an instance and waits for someone to resolve it."""

    id: str
    instance_id: str
    task_id: str
    element_id: str
    kind: IncidentKind
    message: str
    created_at: datetime
    resolved_at: datetime | None

    @property
    def job_id(self) -> str | None:
        """The failed job, for a failed job (a script error's task is no job)."""
        return self.task_id if self.kind is IncidentKind.FAILED_JOB else None

    @classmethod
    def of_row(cls, row: Mapping[str, Any]) -> IncidentView:
        return cls(
            row["id"],
            row["instance_id"],
            row["task_id"],
            row["element_id"],
            IncidentKind(row["kind"]),
            row["message"],
            row["created_at"],
            row["resolved_at"],
        )


@dataclass(frozen=True)
class TaskDetail:
    """A user task with the process it belongs to, as product task lists show it.

    ``variables`` are its instance's (a task sees its whole instance), narrowed to the names asked
    for; None when none were asked for.
    """

    task: TaskView
    definition_id: str | None
    definition_key: str
    process_name: str | None
    variables: dict[str, Any] | None = None
