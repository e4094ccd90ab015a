"""The admin API's operations (``/api/v1/admin``): clients, users, environments, keys, audit."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from flowport.client import operations as op
from flowport.client.models import AuditEvent, Environment, IssuedClient, OAuthClient, Page, SigningKey, User
from flowport.client.operations import Operation, segment

ADMIN = "/api/v1/admin"

# Responses that carry a secret must not be cached by anything on the way.
_NO_STORE = {"Cache-Control": "no-store"}


def _names(values: Sequence[str] | None) -> list[str] | None:
    return list(values) if values is not None else None


def create_client(
    name: str,
    *,
    client_id: str | None,
    profile: str | None,
    permissions: Sequence[str] | None,
    audiences: Sequence[str] | None,
    token_lifetime: int | None,
    refresh_tokens: bool | None,
    environment: str | None,
    visibility: str | None,
    jwks: Mapping[str, Any] | None,
) -> Operation[IssuedClient]:
    payload = op.body(
        name=name,
        clientId=client_id,
        profile=profile,
        permissions=_names(permissions),
        audiences=_names(audiences),
        tokenLifetime=token_lifetime,
        refreshTokens=refresh_tokens,
        environment=environment,
        visibility=visibility,
        jwks=dict(jwks) if jwks is not None else None,
    )
    return Operation("POST", f"{ADMIN}/clients", op.model(IssuedClient), json=payload, headers=_NO_STORE)


def list_clients(environment: str | None, limit: int, cursor: str | None) -> Operation[Page[OAuthClient]]:
    params = {"environment": environment, "limit": limit, "cursor": cursor}
    return Operation("GET", f"{ADMIN}/clients", op.page(OAuthClient), params=params)


def get_client(client_id: str) -> Operation[OAuthClient]:
    return Operation("GET", f"{ADMIN}/clients/{segment(client_id)}", op.model(OAuthClient))


def update_client(client_id: str, changes: Mapping[str, Any]) -> Operation[OAuthClient]:
    path = f"{ADMIN}/clients/{segment(client_id)}"
    return Operation("PATCH", path, op.model(OAuthClient), json=dict(changes))


def rotate_secret(client_id: str, now: bool, grace_seconds: int | None) -> Operation[IssuedClient]:
    payload = op.body(now=now, graceSeconds=grace_seconds)
    path = f"{ADMIN}/clients/{segment(client_id)}/rotate-secret"
    return Operation("POST", path, op.model(IssuedClient), json=payload, headers=_NO_STORE)


def client_action(client_id: str, action: str) -> Operation[OAuthClient]:
    """``disable`` or ``enable``: repeating either leaves the same state, so it may be retried."""
    path = f"{ADMIN}/clients/{segment(client_id)}/{action}"
    return Operation("POST", path, op.model(OAuthClient), idempotent=True)


def delete_client(client_id: str) -> Operation[None]:
    return Operation("DELETE", f"{ADMIN}/clients/{segment(client_id)}", op.nothing)


def create_user(
    username: str,
    password: str,
    *,
    groups: Sequence[str] | None,
    roles: Sequence[str] | None,
    profile: str | None,
    permissions: Sequence[str] | None,
    environment: str | None,
    visibility: str | None,
) -> Operation[User]:
    payload = op.body(
        username=username,
        password=password,
        groups=_names(groups),
        roles=_names(roles),
        profile=profile,
        permissions=_names(permissions),
        environment=environment,
        visibility=visibility,
    )
    return Operation("POST", f"{ADMIN}/users", op.model(User), json=payload)


def list_users(environment: str | None, limit: int, cursor: str | None) -> Operation[Page[User]]:
    params = {"environment": environment, "limit": limit, "cursor": cursor}
    return Operation("GET", f"{ADMIN}/users", op.page(User), params=params)


def get_user(username: str, environment: str | None) -> Operation[User]:
    path = f"{ADMIN}/users/{segment(username)}"
    return Operation("GET", path, op.model(User), params={"environment": environment})


def update_user(username: str, environment: str | None, changes: Mapping[str, Any]) -> Operation[User]:
    path = f"{ADMIN}/users/{segment(username)}"
    return Operation("PATCH", path, op.model(User), params={"environment": environment}, json=dict(changes))


def delete_user(username: str, environment: str | None) -> Operation[None]:
    path = f"{ADMIN}/users/{segment(username)}"
    return Operation("DELETE", path, op.nothing, params={"environment": environment})


def create_environment(name: str) -> Operation[Environment]:
    return Operation("POST", f"{ADMIN}/environments", op.model(Environment), json={"name": name})


def list_environments() -> Operation[list[Environment]]:
    return Operation("GET", f"{ADMIN}/environments", op.items(Environment))


def get_environment(name: str) -> Operation[Environment]:
    return Operation("GET", f"{ADMIN}/environments/{segment(name)}", op.model(Environment))


def delete_environment(name: str) -> Operation[None]:
    return Operation("DELETE", f"{ADMIN}/environments/{segment(name)}", op.nothing)


def list_keys() -> Operation[list[SigningKey]]:
    return Operation("GET", f"{ADMIN}/keys", op.items(SigningKey))


def rotate_key() -> Operation[SigningKey]:
    return Operation("POST", f"{ADMIN}/keys/rotate", op.model(SigningKey))


def search_audit(
    event: str | None, environment: str | None, limit: int, cursor: str | None
) -> Operation[Page[AuditEvent]]:
    params = {"event": event, "environment": environment, "limit": limit, "cursor": cursor}
    return Operation("GET", f"{ADMIN}/audit", op.page(AuditEvent), params=params)
