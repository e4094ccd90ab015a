"""What the commands need from Flowport, whether it runs in this process or behind a URL.

Two implementations each: :mod:`flowport.cli.local_workflow` and :mod:`flowport.cli.local_accounts`
call the services on the configured database, :mod:`flowport.cli.remote_workflow` and
:mod:`flowport.cli.remote_accounts` call a server through the SDK. Both hand out the SDK's models
(the native API's resources), so a command renders one table, and prints one JSON shape, either way.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from flowport.client.models import (
    AuditEvent,
    Definition,
    Deployment,
    Environment,
    HistoryEntry,
    Instance,
    IssuedClient,
    Job,
    OAuthClient,
    Page,
    SigningKey,
    Task,
    User,
)
from flowport.services.clients import ClientSpec
from flowport.services.users import UserChanges, UserSpec
from flowport.states import InstanceStatus, TaskState


@dataclass(frozen=True)
class ElementLabel:
    """What a person recognises a BPMN element by: its type and its name."""

    type: str | None
    name: str | None


@dataclass(frozen=True)
class Overview:
    """One instance with what ``instances show`` prints beside it."""

    instance: Instance
    elements: Mapping[str, ElementLabel]  # by element id, at least for the active ones
    recent: list[HistoryEntry]  # oldest first


@dataclass(frozen=True)
class TaskFilter:
    state: TaskState
    assignee: str | None = None
    candidate_group: str | None = None
    instance_id: str | None = None


class Workflow(Protocol):
    """Process definitions, instances, tasks and jobs."""

    def deploy(self, document: bytes) -> Deployment: ...

    def definitions(self, key: str | None, latest: bool, limit: int) -> Page[Definition]: ...

    def instances(self, status: InstanceStatus | None, key: str | None, limit: int) -> Page[Instance]: ...

    def overview(self, instance_id: str, history: int) -> Overview: ...

    def start(self, key: str, variables: dict[str, Any], business_key: str | None) -> Instance: ...

    def cancel(self, instance_id: str) -> Instance: ...

    def tasks(self, where: TaskFilter, limit: int) -> Page[Task]: ...

    def complete_task(self, task_id: str, variables: dict[str, Any]) -> Task: ...

    def jobs(self, topic: str | None, instance_id: str | None, limit: int) -> Page[Job]: ...


class Accounts(Protocol):
    """Administration: clients, users, environments, signing keys and the audit log."""

    def create_client(self, spec: ClientSpec) -> IssuedClient: ...

    def clients(self, env: str | None, limit: int) -> Page[OAuthClient]: ...

    def client(self, client_id: str) -> OAuthClient: ...

    def rotate_secret(self, client_id: str, now: bool, grace: int | None) -> IssuedClient: ...

    def set_enabled(self, client_id: str, enabled: bool) -> OAuthClient: ...

    def delete_client(self, client_id: str) -> None: ...

    def create_user(self, spec: UserSpec) -> User: ...

    def users(self, env: str | None, limit: int) -> Page[User]: ...

    def update_user(self, env: str, username: str, changes: UserChanges) -> User: ...

    def delete_user(self, env: str, username: str) -> None: ...

    def create_environment(self, name: str) -> Environment: ...

    def environments(self) -> list[Environment]: ...

    def delete_environment(self, name: str) -> None: ...

    def keys(self) -> list[SigningKey]: ...

    def rotate_key(self) -> SigningKey: ...

    def audit(self, event: str | None, env: str | None, limit: int) -> Page[AuditEvent]: ...
