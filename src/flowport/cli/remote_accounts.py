"""The administration commands against a server, through the SDK's admin API (needs the Admin profile)."""

from __future__ import annotations

from typing import Any

from flowport.client import Client
from flowport.client.models import AuditEvent, Environment, IssuedClient, OAuthClient, Page, SigningKey, User
from flowport.services.clients import ClientSpec
from flowport.services.users import UserChanges, UserSpec


class RemoteAccounts:
    """:class:`~flowport.cli.workflow.Accounts` over ``/api/v1/admin``."""

    def __init__(self, client: Client) -> None:
        self._admin = client.admin

    def create_client(self, spec: ClientSpec) -> IssuedClient:
        return self._admin.clients.create(
            spec.name,
            client_id=spec.client_id,
            profile=spec.profile,
            permissions=spec.permissions,
            audiences=spec.audiences,
            token_lifetime=spec.token_lifetime,
            refresh_tokens=spec.refresh_tokens,
            environment=spec.environment,
            visibility=spec.visibility.value,
            jwks=spec.jwks,
        )

    def clients(self, env: str | None, limit: int) -> Page[OAuthClient]:
        return self._admin.clients.list(environment=env, page_size=limit).page()

    def client(self, client_id: str) -> OAuthClient:
        return self._admin.clients.get(client_id)

    def rotate_secret(self, client_id: str, now: bool, grace: int | None) -> IssuedClient:
        return self._admin.clients.rotate_secret(client_id, now=now, grace_seconds=grace)

    def set_enabled(self, client_id: str, enabled: bool) -> OAuthClient:
        clients = self._admin.clients
        return clients.enable(client_id) if enabled else clients.disable(client_id)

    def delete_client(self, client_id: str) -> None:
        self._admin.clients.delete(client_id)

    def create_user(self, spec: UserSpec) -> User:
        return self._admin.users.create(
            spec.username,
            spec.password,
            groups=spec.groups,
            roles=spec.roles,
            profile=spec.profile,
            permissions=spec.permissions,
            environment=spec.environment,
            visibility=spec.visibility.value,
        )

    def users(self, env: str | None, limit: int) -> Page[User]:
        return self._admin.users.list(environment=env, page_size=limit).page()

    def update_user(self, env: str, username: str, changes: UserChanges) -> User:
        wire: dict[str, Any] = dict(changes)  # the keys the CLI sends have the same names on the wire
        return self._admin.users.update(username, environment=env, **wire)

    def delete_user(self, env: str, username: str) -> None:
        self._admin.users.delete(username, environment=env)

    def create_environment(self, name: str) -> Environment:
        return self._admin.environments.create(name)

    def environments(self) -> list[Environment]:
        return self._admin.environments.list()

    def delete_environment(self, name: str) -> None:
        self._admin.environments.delete(name)

    def keys(self) -> list[SigningKey]:
        return self._admin.keys.list()

    def rotate_key(self) -> SigningKey:
        return self._admin.keys.rotate()

    def audit(self, event: str | None, env: str | None, limit: int) -> Page[AuditEvent]:
        return self._admin.audit.search(event=event, environment=env, page_size=limit).page()
