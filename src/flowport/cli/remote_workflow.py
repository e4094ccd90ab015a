"""The workflow commands against a server, through the SDK (``flowport --url ...``)."""

from __future__ import annotations

from collections import deque
from typing import Any

from flowport.cli.workflow import ElementLabel, Overview, TaskFilter
from flowport.client import Client
from flowport.client.models import Definition, Deployment, HistoryEntry, Instance, Job, Page, Task
from flowport.states import InstanceStatus

# The API's largest page: ``instances show`` reads an instance's whole history through it.
_HISTORY_PAGE = 1000


class RemoteWorkflow:
    """:class:`~flowport.cli.workflow.Workflow` over the native API, as the authenticated client."""

    def __init__(self, client: Client) -> None:
        self._client = client

    def deploy(self, document: bytes) -> Deployment:
        return self._client.definitions.deploy(document)

    def definitions(self, key: str | None, latest: bool, limit: int) -> Page[Definition]:
        return self._client.definitions.list(key, latest=latest, page_size=limit).page()

    def instances(self, status: InstanceStatus | None, key: str | None, limit: int) -> Page[Instance]:
        wanted = status.value if status else None
        return self._client.instances.search(status=wanted, definition_key=key, page_size=limit).page()

    def overview(self, instance_id: str, history: int) -> Overview:
        """The instance, its recent history and, from the whole history, its elements' labels.

        The API does not publish a definition's element index, but every history line names the
        element it happened at, and an active element has been entered, so it has a line.
        """
        instance = self._client.instances.get(instance_id)
        recent: deque[HistoryEntry] = deque(maxlen=history)
        labels: dict[str, ElementLabel] = {}
        for entry in self._client.instances.history(instance_id, page_size=_HISTORY_PAGE):
            if entry.element_id:
                labels[entry.element_id] = ElementLabel(entry.element_type, entry.element_name)
            recent.append(entry)
        return Overview(instance, labels, list(recent) if history else [])

    def start(self, key: str, variables: dict[str, Any], business_key: str | None) -> Instance:
        return self._client.instances.start(key, variables, business_key=business_key)

    def cancel(self, instance_id: str) -> Instance:
        return self._client.instances.cancel(instance_id)

    def tasks(self, where: TaskFilter, limit: int) -> Page[Task]:
        pages = self._client.tasks.search(
            state=where.state.value,
            assignee=where.assignee,
            candidate_group=where.candidate_group,
            process_instance_id=where.instance_id,
            page_size=limit,
        )
        return pages.page()

    def complete_task(self, task_id: str, variables: dict[str, Any]) -> Task:
        return self._client.tasks.complete(task_id, variables)

    def jobs(self, topic: str | None, instance_id: str | None, limit: int) -> Page[Job]:
        return self._client.jobs.search(topic=topic, process_instance_id=instance_id, page_size=limit).page()
