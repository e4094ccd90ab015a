"""The admin API: clients, environments, users, signing keys and the audit log (``/api/v1/admin``).

Clients and users are managed across environments: the body's ``environment`` (or a query filter)
says which one; it defaults to the caller's own.
"""

from __future__ import annotations

from typing import Annotated, Any, cast
from urllib.parse import quote

from fastapi import APIRouter, Depends, Query, Response

from flowport.api.deps import ServicesDep, require
from flowport.api.json_route import JsonRoute
from flowport.api.schemas import PageOut
from flowport.api.schemas_admin import (
    AuditEventOut,
    ClientIn,
    ClientOut,
    ClientPatch,
    ClientWithSecretOut,
    EnvironmentIn,
    EnvironmentOut,
    RotateSecretIn,
    SigningKeyOut,
    UserIn,
    UserOut,
    UserPatch,
)
from flowport.services import audit, clients, environments, keys, users
from flowport.services.clients import ClientChanges, ClientSpec, NewSecret
from flowport.services.context import Actor
from flowport.services.users import UserChanges, UserSpec

router = APIRouter(prefix="/api/v1/admin", tags=["administration"], route_class=JsonRoute)

ClientAdmin = Annotated[Actor, Depends(require("admin:clients"))]
EnvAdmin = Annotated[Actor, Depends(require("admin:environments"))]
UserAdmin = Annotated[Actor, Depends(require("admin:users"))]
Auditor = Annotated[Actor, Depends(require("admin:audit"))]
KeyAdmin = Annotated[Actor, Depends(require("admin:keys"))]
Limit = Annotated[int, Query(ge=1, le=1000)]
EnvFilter = Annotated[str | None, Query(alias="environment", description="default: every environment")]


# --- clients -------------------------------------------------------------------------------------


def _with_secret(issued: NewSecret) -> ClientWithSecretOut:
    client = ClientOut.model_validate(issued.client)
    return ClientWithSecretOut(**client.model_dump(), client_secret=issued.client_secret)


@router.post("/clients", status_code=201, response_model=ClientWithSecretOut)
def create_client(
    body: ClientIn, response: Response, services: ServicesDep, actor: ClientAdmin
) -> ClientWithSecretOut:
    """Register a client; the answer holds its secret this once (only a keyed hash is stored)."""
    spec = ClientSpec(**body.model_dump())
    issued = clients.create(services, actor, spec, source="api")
    response.headers["Location"] = f"/api/v1/admin/clients/{quote(issued.client.id, safe='')}"
    response.headers["Cache-Control"] = "no-store"
    return _with_secret(issued)


@router.get("/clients", response_model=PageOut[ClientOut])
def list_clients(
    services: ServicesDep,
    actor: ClientAdmin,
    environment: EnvFilter = None,
    limit: Limit = 50,
    cursor: str | None = None,
) -> PageOut[ClientOut]:
    page = clients.search(services, environment, cursor, limit)
    return PageOut[ClientOut].model_validate(page)


@router.get("/clients/{client_id}", response_model=ClientOut)
def get_client(client_id: str, services: ServicesDep, actor: ClientAdmin) -> ClientOut:
    return ClientOut.model_validate(clients.get(services, client_id))


@router.patch("/clients/{client_id}", response_model=ClientOut)
def update_client(client_id: str, body: ClientPatch, services: ServicesDep, actor: ClientAdmin) -> ClientOut:
    """Change the fields sent (not the client id, not the environment)."""
    changes = cast(ClientChanges, body.model_dump(exclude_unset=True))
    return ClientOut.model_validate(clients.update(services, actor, client_id, changes))


@router.post("/clients/{client_id}/rotate-secret", response_model=ClientWithSecretOut)
def rotate_client_secret(
    client_id: str,
    response: Response,
    services: ServicesDep,
    actor: ClientAdmin,
    body: RotateSecretIn | None = None,
) -> ClientWithSecretOut:
    """Issue a new secret; the previous one stays valid for `graceSeconds` unless `now` is true."""
    body = body or RotateSecretIn()
    issued = clients.rotate_secret(services, actor, client_id, now=body.now, grace_seconds=body.grace_seconds)
    response.headers["Cache-Control"] = "no-store"
    return _with_secret(issued)


@router.post("/clients/{client_id}/disable", response_model=ClientOut)
def disable_client(client_id: str, services: ServicesDep, actor: ClientAdmin) -> ClientOut:
    """Refuse the client new tokens until it is enabled again."""
    return ClientOut.model_validate(clients.disable(services, actor, client_id))


@router.post("/clients/{client_id}/enable", response_model=ClientOut)
def enable_client(client_id: str, services: ServicesDep, actor: ClientAdmin) -> ClientOut:
    return ClientOut.model_validate(clients.enable(services, actor, client_id))


@router.delete("/clients/{client_id}", status_code=204, response_class=Response)
def delete_client(client_id: str, services: ServicesDep, actor: ClientAdmin) -> Response:
    clients.delete(services, actor, client_id)
    return Response(status_code=204)


# --- environments --------------------------------------------------------------------------------


@router.post("/environments", status_code=201, response_model=EnvironmentOut)
def create_environment(
    body: EnvironmentIn, response: Response, services: ServicesDep, actor: EnvAdmin
) -> EnvironmentOut:
    view = environments.create(services, actor, body.name)
    response.headers["Location"] = f"/api/v1/admin/environments/{view.name}"
    return EnvironmentOut.model_validate(view)


@router.get("/environments", response_model=PageOut[EnvironmentOut])
def list_environments(services: ServicesDep, actor: EnvAdmin) -> PageOut[EnvironmentOut]:
    return PageOut[EnvironmentOut](
        items=[EnvironmentOut.model_validate(v) for v in environments.list_all(services)]
    )


@router.get("/environments/{name}", response_model=EnvironmentOut)
def get_environment(name: str, services: ServicesDep, actor: EnvAdmin) -> EnvironmentOut:
    return EnvironmentOut.model_validate(environments.get(services, name))


@router.delete("/environments/{name}", status_code=204, response_class=Response)
def delete_environment(name: str, services: ServicesDep, actor: EnvAdmin) -> Response:
    """Delete an empty environment (`default` and environments holding data are refused with 409)."""
    environments.delete(services, actor, name)
    return Response(status_code=204)


# --- users ---------------------------------------------------------------------------------------


UserEnv = Annotated[str | None, Query(alias="environment", description="default: the caller's environment")]


@router.post("/users", status_code=201, response_model=UserOut)
def create_user(body: UserIn, response: Response, services: ServicesDep, actor: UserAdmin) -> UserOut:
    """Create a user who can log in at `POST /api/login` (password: at least 8 characters)."""
    values: dict[str, Any] = body.model_dump(exclude={"password"})
    view = users.create(services, actor, UserSpec(password=body.password.get_secret_value(), **values))
    response.headers["Location"] = (
        f"/api/v1/admin/users/{quote(view.username, safe='')}?environment={view.env}"
    )
    return UserOut.model_validate(view)


@router.get("/users", response_model=PageOut[UserOut])
def list_users(
    services: ServicesDep,
    actor: UserAdmin,
    environment: EnvFilter = None,
    limit: Limit = 50,
    cursor: str | None = None,
) -> PageOut[UserOut]:
    page = users.search(services, environment, cursor, limit)
    return PageOut[UserOut].model_validate(page)


@router.get("/users/{username}", response_model=UserOut)
def get_user(username: str, services: ServicesDep, actor: UserAdmin, environment: UserEnv = None) -> UserOut:
    return UserOut.model_validate(users.get(services, environment or actor.env, username))


@router.patch("/users/{username}", response_model=UserOut)
def update_user(
    username: str, body: UserPatch, services: ServicesDep, actor: UserAdmin, environment: UserEnv = None
) -> UserOut:
    """Change the fields sent; a new password or `locked: true` ends the user's sessions."""
    changes: dict[str, Any] = body.model_dump(exclude_unset=True)
    if body.password is not None:
        changes["password"] = body.password.get_secret_value()
    return UserOut.model_validate(
        users.update(services, actor, environment or actor.env, username, cast(UserChanges, changes))
    )


@router.delete("/users/{username}", status_code=204, response_class=Response)
def delete_user(
    username: str, services: ServicesDep, actor: UserAdmin, environment: UserEnv = None
) -> Response:
    users.delete(services, actor, environment or actor.env, username)
    return Response(status_code=204)


# --- signing keys --------------------------------------------------------------------------------


@router.get("/keys", response_model=PageOut[SigningKeyOut])
def list_signing_keys(services: ServicesDep, actor: KeyAdmin) -> PageOut[SigningKeyOut]:
    """Every token-signing key, newest first: which one signs, which are still published."""
    return PageOut[SigningKeyOut](items=[SigningKeyOut.model_validate(k) for k in keys.list_keys(services)])


@router.post("/keys/rotate", status_code=201, response_model=SigningKeyOut)
def rotate_signing_key(services: ServicesDep, actor: KeyAdmin) -> SigningKeyOut:
    """Publish a new signing key and sign with it from now on (as `flowport keys rotate`).

    The previous key stays in the JWKS until every token it signed has expired.
    """
    return SigningKeyOut.model_validate(keys.rotate(services, actor))


# --- audit ---------------------------------------------------------------------------------------


@router.get("/audit", response_model=PageOut[AuditEventOut])
def list_audit_events(
    services: ServicesDep,
    actor: Auditor,
    event: str | None = None,
    environment: EnvFilter = None,
    limit: Limit = 50,
    cursor: str | None = None,
) -> PageOut[AuditEventOut]:
    """Security events, newest first (never secrets)."""
    return PageOut[AuditEventOut].model_validate(audit.search(services, environment, event, cursor, limit))
