"""The workflow commands in-process: the services on the configured database, as the CLI's actor."""

from __future__ import annotations

from collections import deque
from typing import Any

from flowport.api.schemas import (
    DefinitionOut,
    DeploymentOut,
    HistoryOut,
    InstanceOut,
    JobOut,
    TaskOut,
)
from flowport.cli import wire
from flowport.cli.workflow import ElementLabel, Overview, TaskFilter
from flowport.client.models import Definition, Deployment, HistoryEntry, Instance, Job, Page, Task
from flowport.services import definitions as definition_service
from flowport.services import instances as instance_service
from flowport.services import jobs as job_service
from flowport.services import tasks as task_service
from flowport.services.context import Actor, Services
from flowport.states import InstanceStatus

CLI_ACTOR = Actor(subject="cli")


class LocalWorkflow:
    """:class:`~flowport.cli.workflow.Workflow` over the services (no server, no token)."""

    def __init__(self, services: Services) -> None:
        self._services = services

    def deploy(self, document: bytes) -> Deployment:
        deployed = definition_service.deploy(self._services, CLI_ACTOR, document)
        out = DeploymentOut(
            definitions=[DefinitionOut.model_validate(d.definition) for d in deployed],
            created=[d.created for d in deployed],
        )
        return Deployment.from_json(out.model_dump(mode="json", by_alias=True))

    def definitions(self, key: str | None, latest: bool, limit: int) -> Page[Definition]:
        found = definition_service.list_definitions(self._services, CLI_ACTOR, key, latest, None, limit)
        return wire.page(DefinitionOut, Definition, found)

    def instances(self, status: InstanceStatus | None, key: str | None, limit: int) -> Page[Instance]:
        found = instance_service.search(
            self._services, CLI_ACTOR, status=status, definition_key=key, limit=limit
        )
        return wire.summary_page(InstanceOut.summary, Instance, found)

    def overview(self, instance_id: str, history: int) -> Overview:
        view = instance_service.get(self._services, CLI_ACTOR, instance_id)
        elements = definition_service.get(self._services, CLI_ACTOR, view.definition_id).elements
        labels = {key: ElementLabel(info.type, info.name) for key, info in elements.items()}
        recent = wire.models(HistoryOut, HistoryEntry, self._recent_history(instance_id, history))
        return Overview(wire.model(InstanceOut, Instance, view), labels, recent)

    def _recent_history(self, instance_id: str, count: int) -> list[object]:
        """The last ``count`` entries (the service pages oldest first, so read through to the end)."""
        recent: deque[object] = deque(maxlen=count)
        after: int | None = 0
        while count and after is not None:
            page = instance_service.history(self._services, CLI_ACTOR, instance_id, after, 1000)
            recent.extend(page.items)
            after = page.items[-1].id if page.next_cursor else None
        return list(recent)

    def start(self, key: str, variables: dict[str, Any], business_key: str | None) -> Instance:
        view = instance_service.start(
            self._services, CLI_ACTOR, definition_key=key, variables=variables, business_key=business_key
        )
        return wire.model(InstanceOut, Instance, view)

    def cancel(self, instance_id: str) -> Instance:
        return wire.model(
            InstanceOut, Instance, instance_service.cancel(self._services, CLI_ACTOR, instance_id)
        )

    def tasks(self, where: TaskFilter, limit: int) -> Page[Task]:
        found = task_service.search(
            self._services,
            CLI_ACTOR,
            state=where.state,
            assignee=where.assignee,
            candidate_group=where.candidate_group,
            instance_id=where.instance_id,
            limit=limit,
        )
        return wire.page(TaskOut, Task, found)

    def complete_task(self, task_id: str, variables: dict[str, Any]) -> Task:
        return wire.model(TaskOut, Task, task_service.complete(self._services, CLI_ACTOR, task_id, variables))

    def jobs(self, topic: str | None, instance_id: str | None, limit: int) -> Page[Job]:
        found = job_service.search(self._services, CLI_ACTOR, topic, instance_id, None, limit)
        return wire.page(JobOut, Job, found)
