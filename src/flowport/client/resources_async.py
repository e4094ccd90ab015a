"""The async client's typed methods: the surface of ``resources.py``, awaited.

Each method builds its operation in ``endpoints*.py`` (shared with the sync client) and awaits it;
searches return :class:`~flowport.client.pages.AsyncPages` (``async for``) without a request yet.
"""

from __future__ import annotations

from collections.abc import Awaitable, Mapping, Sequence
from datetime import datetime
from typing import Any, Protocol, TypeVar

from flowport.client import endpoints as ep
from flowport.client import endpoints_admin as admin_ep
from flowport.client.endpoints import BpmnSource, Variables
from flowport.client.models import (
    AuditEvent,
    Definition,
    Delivery,
    Deployment,
    Environment,
    HistoryEntry,
    Incident,
    Instance,
    IssuedClient,
    Job,
    OAuthClient,
    SigningKey,
    Task,
    User,
)
from flowport.client.operations import Operation
from flowport.client.pages import AsyncPages

T = TypeVar("T")
PAGE_SIZE = 100


class Runner(Protocol):
    def execute(self, op: Operation[T]) -> Awaitable[T]: ...


class _Resource:
    def __init__(self, client: Runner) -> None:
        self._run = client.execute


class Definitions(_Resource):
    async def deploy(self, *sources: BpmnSource) -> Deployment:
        """Deploy BPMN files (paths or bytes), one request each; a file deployed before is not new."""
        if not sources:
            raise ValueError("Give at least one BPMN file or document")
        done = [await self._run(ep.deploy(ep.bpmn_bytes(source))) for source in sources]
        return Deployment.merge(done)

    def list(
        self, key: str | None = None, *, latest: bool = False, page_size: int = PAGE_SIZE
    ) -> AsyncPages[Definition]:
        return AsyncPages(self._run, lambda cursor: ep.list_definitions(key, latest, page_size, cursor))

    async def get(self, definition_id: str) -> Definition:
        return await self._run(ep.get_definition(definition_id))

    async def xml(self, definition_id: str) -> str:
        return await self._run(ep.definition_xml(definition_id))

    async def delete(self, definition_id: str, *, cascade: bool = False) -> None:
        await self._run(ep.delete_definition(definition_id, cascade))


class Instances(_Resource):
    async def start(
        self,
        definition_key: str | None = None,
        variables: Variables | None = None,
        *,
        business_key: str | None = None,
        definition_id: str | None = None,
        version: int | None = None,
        instance_id: str | None = None,
    ) -> Instance:
        """Start the latest version of ``definition_key`` (or ``definition_id``, or a ``version``)."""
        return await self._run(
            ep.start(
                definition_key,
                definition_id=definition_id,
                version=version,
                variables=variables,
                business_key=business_key,
                instance_id=instance_id,
            )
        )

    def search(
        self,
        *,
        status: str | None = None,
        definition_key: str | None = None,
        business_key: str | None = None,
        started_after: datetime | None = None,
        started_before: datetime | None = None,
        page_size: int = PAGE_SIZE,
    ) -> AsyncPages[Instance]:
        return AsyncPages(
            self._run,
            lambda cursor: ep.search_instances(
                status=status,
                definition_key=definition_key,
                business_key=business_key,
                started_after=started_after,
                started_before=started_before,
                limit=page_size,
                cursor=cursor,
            ),
        )

    async def get(self, instance_id: str) -> Instance:
        return await self._run(ep.get_instance(instance_id))

    async def cancel(self, instance_id: str) -> Instance:
        return await self._run(ep.instance_action(instance_id, "cancel"))

    async def suspend(self, instance_id: str) -> Instance:
        return await self._run(ep.instance_action(instance_id, "suspend"))

    async def resume(self, instance_id: str) -> Instance:
        return await self._run(ep.instance_action(instance_id, "resume"))

    async def move(
        self, instance_id: str, to_element_id: str, *, from_element_id: str | None = None
    ) -> Instance:
        return await self._run(ep.move(instance_id, to_element_id, from_element_id))

    async def delete(self, instance_id: str) -> None:
        await self._run(ep.delete_instance(instance_id))

    async def variables(self, instance_id: str) -> dict[str, Any]:
        return await self._run(ep.get_variables(instance_id))

    async def set_variables(
        self, instance_id: str, variables: Variables, *, replace: bool = False
    ) -> dict[str, Any]:
        """Merge ``variables`` into the instance's (``replace=True``: they become all its variables)."""
        return await self._run(ep.set_variables(instance_id, variables, replace))

    def history(self, instance_id: str, *, page_size: int = 200) -> AsyncPages[HistoryEntry]:
        return AsyncPages(self._run, lambda cursor: ep.history(instance_id, page_size, cursor))


class Tasks(_Resource):
    def search(
        self,
        *,
        state: str | None = None,
        assignee: str | None = None,
        candidate_user: str | None = None,
        candidate_group: str | None = None,
        process_instance_id: str | None = None,
        definition_key: str | None = None,
        element_id: str | None = None,
        page_size: int = PAGE_SIZE,
    ) -> AsyncPages[Task]:
        """User tasks; ``state`` defaults to READY on the server."""
        return AsyncPages(
            self._run,
            lambda cursor: ep.search_tasks(
                state=state,
                assignee=assignee,
                candidate_user=candidate_user,
                candidate_group=candidate_group,
                process_instance_id=process_instance_id,
                definition_key=definition_key,
                element_id=element_id,
                limit=page_size,
                cursor=cursor,
            ),
        )

    async def get(self, task_id: str) -> Task:
        return await self._run(ep.get_task(task_id))

    async def claim(self, task_id: str, assignee: str | None = None) -> Task:
        return await self._run(ep.claim(task_id, assignee))

    async def unclaim(self, task_id: str) -> Task:
        return await self._run(ep.unclaim(task_id))

    async def complete(self, task_id: str, variables: Variables | None = None) -> Task:
        """Complete a ready task; one that is no longer ready raises :class:`Conflict`."""
        return await self._run(ep.complete_task(task_id, variables))


class Messages(_Resource):
    async def correlate(
        self,
        name: str,
        variables: Variables | None = None,
        *,
        process_instance_id: str | None = None,
        business_key: str | None = None,
        correlation_key: str | None = None,
    ) -> list[Delivery]:
        """Deliver a message; :class:`NotFound` when nobody waits for it and no process starts on it."""
        return await self._run(
            ep.correlate(
                name,
                process_instance_id=process_instance_id,
                business_key=business_key,
                correlation_key=correlation_key,
                variables=variables,
            )
        )


class Signals(_Resource):
    async def broadcast(self, name: str, variables: Variables | None = None) -> list[Delivery]:
        return await self._run(ep.broadcast(name, variables))


class Jobs(_Resource):
    async def fetch_and_lock(
        self,
        worker_id: str,
        topics: Sequence[str] | Mapping[str, float],
        *,
        max_jobs: int = 10,
        lock_duration: float = 300.0,
    ) -> list[Job]:
        """Lock up to ``max_jobs`` jobs; ``topics`` maps names to lock seconds, or lists names."""
        return await self._run(
            ep.fetch_and_lock(worker_id, ep.topic_durations(topics, lock_duration), max_jobs)
        )

    def search(
        self, *, topic: str | None = None, process_instance_id: str | None = None, page_size: int = PAGE_SIZE
    ) -> AsyncPages[Job]:
        return AsyncPages(
            self._run, lambda cursor: ep.search_jobs(topic, process_instance_id, page_size, cursor)
        )

    async def complete(self, job_id: str, worker_id: str, variables: Variables | None = None) -> None:
        await self._run(ep.complete_job(job_id, worker_id, variables))

    async def fail(
        self,
        job_id: str,
        worker_id: str,
        error_message: str | None,
        *,
        retries: int,
        retry_timeout: float = 0.0,
    ) -> Job:
        """Report a failure; ``retries`` left (0: an incident), retried after ``retry_timeout`` seconds."""
        return await self._run(ep.fail_job(job_id, worker_id, error_message, retries, retry_timeout))

    async def extend_lock(self, job_id: str, worker_id: str, duration: float) -> Job:
        """Hold the lock ``duration`` seconds from now."""
        return await self._run(ep.extend_lock(job_id, worker_id, duration))


class Incidents(_Resource):
    def search(
        self, *, process_instance_id: str | None = None, open_only: bool = True, page_size: int = PAGE_SIZE
    ) -> AsyncPages[Incident]:
        return AsyncPages(
            self._run, lambda cursor: ep.search_incidents(process_instance_id, open_only, page_size, cursor)
        )

    async def resolve(self, incident_id: str, *, retries: int = 1) -> Incident:
        return await self._run(ep.resolve_incident(incident_id, retries))


class AdminClients(_Resource):
    async def create(
        self,
        name: str,
        *,
        client_id: str | None = None,
        profile: str | None = None,
        permissions: Sequence[str] | None = None,
        audiences: Sequence[str] | None = None,
        token_lifetime: int | None = None,
        refresh_tokens: bool | None = None,
        environment: str | None = None,
        visibility: str | None = None,
        jwks: Mapping[str, Any] | None = None,
    ) -> IssuedClient:
        """Register a client; the answer's ``client_secret`` is shown this once."""
        return await self._run(
            admin_ep.create_client(
                name,
                client_id=client_id,
                profile=profile,
                permissions=permissions,
                audiences=audiences,
                token_lifetime=token_lifetime,
                refresh_tokens=refresh_tokens,
                environment=environment,
                visibility=visibility,
                jwks=jwks,
            )
        )

    def list(self, *, environment: str | None = None, page_size: int = PAGE_SIZE) -> AsyncPages[OAuthClient]:
        return AsyncPages(self._run, lambda cursor: admin_ep.list_clients(environment, page_size, cursor))

    async def get(self, client_id: str) -> OAuthClient:
        return await self._run(admin_ep.get_client(client_id))

    async def update(self, client_id: str, **changes: Any) -> OAuthClient:
        """Change the fields given, by their API names (``tokenLifetime=600``, ``profile="Worker"``)."""
        return await self._run(admin_ep.update_client(client_id, changes))

    async def rotate_secret(
        self, client_id: str, *, now: bool = False, grace_seconds: int | None = None
    ) -> IssuedClient:
        return await self._run(admin_ep.rotate_secret(client_id, now, grace_seconds))

    async def disable(self, client_id: str) -> OAuthClient:
        return await self._run(admin_ep.client_action(client_id, "disable"))

    async def enable(self, client_id: str) -> OAuthClient:
        return await self._run(admin_ep.client_action(client_id, "enable"))

    async def delete(self, client_id: str) -> None:
        await self._run(admin_ep.delete_client(client_id))


class AdminUsers(_Resource):
    async def create(
        self,
        username: str,
        password: str,
        *,
        groups: Sequence[str] | None = None,
        roles: Sequence[str] | None = None,
        profile: str | None = None,
        permissions: Sequence[str] | None = None,
        environment: str | None = None,
        visibility: str | None = None,
    ) -> User:
        return await self._run(
            admin_ep.create_user(
                username,
                password,
                groups=groups,
                roles=roles,
                profile=profile,
                permissions=permissions,
                environment=environment,
                visibility=visibility,
            )
        )

    def list(self, *, environment: str | None = None, page_size: int = PAGE_SIZE) -> AsyncPages[User]:
        return AsyncPages(self._run, lambda cursor: admin_ep.list_users(environment, page_size, cursor))

    async def get(self, username: str, *, environment: str | None = None) -> User:
        return await self._run(admin_ep.get_user(username, environment))

    async def update(self, username: str, *, environment: str | None = None, **changes: Any) -> User:
        """Change the fields given, by their API names (``locked=True``, ``groups=[...]``)."""
        return await self._run(admin_ep.update_user(username, environment, changes))

    async def delete(self, username: str, *, environment: str | None = None) -> None:
        await self._run(admin_ep.delete_user(username, environment))


class AdminEnvironments(_Resource):
    async def create(self, name: str) -> Environment:
        return await self._run(admin_ep.create_environment(name))

    async def list(self) -> list[Environment]:
        return await self._run(admin_ep.list_environments())

    async def get(self, name: str) -> Environment:
        return await self._run(admin_ep.get_environment(name))

    async def delete(self, name: str) -> None:
        await self._run(admin_ep.delete_environment(name))


class AdminKeys(_Resource):
    async def list(self) -> list[SigningKey]:
        return await self._run(admin_ep.list_keys())

    async def rotate(self) -> SigningKey:
        return await self._run(admin_ep.rotate_key())


class AdminAudit(_Resource):
    def search(
        self, *, event: str | None = None, environment: str | None = None, page_size: int = PAGE_SIZE
    ) -> AsyncPages[AuditEvent]:
        """Security events, newest first."""
        return AsyncPages(
            self._run, lambda cursor: admin_ep.search_audit(event, environment, page_size, cursor)
        )


class Admin:
    """The admin API (``/api/v1/admin``): needs a client with the ``Admin`` profile's permissions."""

    def __init__(self, client: Runner) -> None:
        self.clients = AdminClients(client)
        self.users = AdminUsers(client)
        self.environments = AdminEnvironments(client)
        self.keys = AdminKeys(client)
        self.audit = AdminAudit(client)
