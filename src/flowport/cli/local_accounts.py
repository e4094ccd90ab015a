"""The administration commands in-process: the services on the configured database."""

from __future__ import annotations

from flowport.api.schemas_admin import AuditEventOut, ClientOut, EnvironmentOut, SigningKeyOut, UserOut
from flowport.cli import wire
from flowport.cli.local_workflow import CLI_ACTOR
from flowport.client.models import AuditEvent, Environment, IssuedClient, OAuthClient, Page, SigningKey, User
from flowport.services import audit as audit_service
from flowport.services import clients as client_service
from flowport.services import environments as environment_service
from flowport.services import keys as key_service
from flowport.services import users as user_service
from flowport.services.clients import ClientSpec, NewSecret
from flowport.services.context import Services
from flowport.services.users import UserChanges, UserSpec


class LocalAccounts:
    """:class:`~flowport.cli.workflow.Accounts` over the services; the CLI acts with every right."""

    def __init__(self, services: Services) -> None:
        self._services = services

    def create_client(self, spec: ClientSpec) -> IssuedClient:
        return _issued(client_service.create(self._services, CLI_ACTOR, spec, source="cli"))

    def clients(self, env: str | None, limit: int) -> Page[OAuthClient]:
        return wire.page(ClientOut, OAuthClient, client_service.search(self._services, env, None, limit))

    def client(self, client_id: str) -> OAuthClient:
        return wire.model(ClientOut, OAuthClient, client_service.get(self._services, client_id))

    def rotate_secret(self, client_id: str, now: bool, grace: int | None) -> IssuedClient:
        issued = client_service.rotate_secret(
            self._services, CLI_ACTOR, client_id, now=now, grace_seconds=grace
        )
        return _issued(issued)

    def set_enabled(self, client_id: str, enabled: bool) -> OAuthClient:
        change = client_service.enable if enabled else client_service.disable
        return wire.model(ClientOut, OAuthClient, change(self._services, CLI_ACTOR, client_id))

    def delete_client(self, client_id: str) -> None:
        client_service.delete(self._services, CLI_ACTOR, client_id)

    def create_user(self, spec: UserSpec) -> User:
        return wire.model(UserOut, User, user_service.create(self._services, CLI_ACTOR, spec))

    def users(self, env: str | None, limit: int) -> Page[User]:
        return wire.page(UserOut, User, user_service.search(self._services, env, None, limit))

    def update_user(self, env: str, username: str, changes: UserChanges) -> User:
        view = user_service.update(self._services, CLI_ACTOR, env, username, changes)
        return wire.model(UserOut, User, view)

    def delete_user(self, env: str, username: str) -> None:
        user_service.delete(self._services, CLI_ACTOR, env, username)

    def create_environment(self, name: str) -> Environment:
        view = environment_service.create(self._services, CLI_ACTOR, name)
        return wire.model(EnvironmentOut, Environment, view)

    def environments(self) -> list[Environment]:
        return wire.models(EnvironmentOut, Environment, environment_service.list_all(self._services))

    def delete_environment(self, name: str) -> None:
        environment_service.delete(self._services, CLI_ACTOR, name)

    def keys(self) -> list[SigningKey]:
        return wire.models(SigningKeyOut, SigningKey, key_service.list_keys(self._services))

    def rotate_key(self) -> SigningKey:
        return wire.model(SigningKeyOut, SigningKey, key_service.rotate(self._services, CLI_ACTOR))

    def audit(self, event: str | None, env: str | None, limit: int) -> Page[AuditEvent]:
        found = audit_service.search(self._services, env, event, None, limit)
        return wire.page(AuditEventOut, AuditEvent, found)


def _issued(issued: NewSecret) -> IssuedClient:
    """The client with its new secret, as the API's ``ClientWithSecretOut`` answers it."""
    return wire.model(ClientOut, IssuedClient, issued.client, clientSecret=issued.client_secret)
