"""The admin API: clients, environments, users, signing keys and the audit log (``/api/v1/admin``).

Clients and users are managed across environments: the body's ``environment`` (or a query filter)
says which one; it defaults to the caller's own.
"""

from __future__ import annotations

from typing import Annotated, Any, cast
from urllib.parse import quote

from fastapi import APIRouter, Depends, Query, Response

from flowport.api.deps import UseCaseContext, require
from flowport.api.native import NativeRoute
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
from flowport.persistence.repositories.environments import EnvironmentRow
from flowport.services import audit, clients, environments, keys, users
from flowport.services.clients import ClientChanges, ClientSpec, ClientView, NewSecret
from flowport.services.users import UserChanges, UserSpec, UserView

router = APIRouter(prefix="/api/v1/admin", tags=["administration"], route_class=NativeRoute)

ClientAdmin = Annotated[UseCaseContext, Depends(require("admin:clients"))]
EnvAdmin = Annotated[UseCaseContext, Depends(require("admin:environments"))]
UserAdmin = Annotated[UseCaseContext, Depends(require("admin:users"))]
Auditor = Annotated[UseCaseContext, Depends(require("admin:audit"))]
KeyAdmin = Annotated[UseCaseContext, Depends(require("admin:keys"))]
Limit = Annotated[int, Query(ge=1, le=1000)]
EnvFilter = Annotated[str | None, Query(alias="environment", description="default: every environment")]


# --- clients -------------------------------------------------------------------------------------


def _client(view: ClientView) -> ClientOut:
    return ClientOut(
        client_id=view.id,
        name=view.name,
        environment=view.env,
        profile=view.profile,
        permissions=view.permissions,
        audiences=view.audiences,
        token_lifetime=view.token_lifetime,
        refresh_tokens=view.refresh_tokens,
        visibility=view.visibility,
        enabled=view.enabled,
        source=view.source,
        created_at=view.created_at,
        last_used_at=view.last_used_at,
        has_jwks=view.has_jwks,
        previous_secret_valid_until=view.previous_secret_valid_until,
    )


def _with_secret(issued: NewSecret) -> ClientWithSecretOut:
    return ClientWithSecretOut(**_client(issued.client).model_dump(), client_secret=issued.client_secret)


@router.post("/clients", status_code=201, response_model=ClientWithSecretOut)
def create_client(body: ClientIn, response: Response, use: ClientAdmin) -> ClientWithSecretOut:
    """Register a client; the answer holds its secret this once (only a keyed hash is stored)."""
    spec = ClientSpec(**body.model_dump())
    issued = clients.create(use.services, use.actor, spec, source="api")
    response.headers["Location"] = f"/api/v1/admin/clients/{quote(issued.client.id, safe='')}"
    response.headers["Cache-Control"] = "no-store"
    return _with_secret(issued)


@router.get("/clients", response_model=PageOut[ClientOut])
def list_clients(
    use: ClientAdmin,
    environment: EnvFilter = None,
    limit: Limit = 50,
    cursor: str | None = None,
) -> PageOut[ClientOut]:
    page = clients.search(use.services, environment, cursor, limit)
    return PageOut[ClientOut](items=[_client(c) for c in page.items], next_cursor=page.next_cursor)


@router.get("/clients/{client_id}", response_model=ClientOut)
def get_client(client_id: str, use: ClientAdmin) -> ClientOut:
    return _client(clients.get(use.services, client_id))


@router.patch("/clients/{client_id}", response_model=ClientOut)
def update_client(client_id: str, body: ClientPatch, use: ClientAdmin) -> ClientOut:
    """Change the fields sent (not the client id, not the environment)."""
    changes = cast(ClientChanges, body.model_dump(exclude_unset=True))
    return _client(clients.update(use.services, use.actor, client_id, changes))


@router.post("/clients/{client_id}/rotate-secret", response_model=ClientWithSecretOut)
def rotate_client_secret(
    client_id: str,
    response: Response,
    use: ClientAdmin,
    body: RotateSecretIn | None = None,
) -> ClientWithSecretOut:
    """Issue a new secret; the previous one stays valid for `graceSeconds` unless `now` is true."""
    body = body or RotateSecretIn()
    issued = clients.rotate_secret(
        use.services, use.actor, client_id, now=body.now, grace_seconds=body.grace_seconds
    )
    response.headers["Cache-Control"] = "no-store"
    return _with_secret(issued)


@router.post("/clients/{client_id}/disable", response_model=ClientOut)
def disable_client(client_id: str, use: ClientAdmin) -> ClientOut:
    """Refuse the client new tokens until it is enabled again."""
    return _client(clients.disable(use.services, use.actor, client_id))


@router.post("/clients/{client_id}/enable", response_model=ClientOut)
def enable_client(client_id: str, use: ClientAdmin) -> ClientOut:
    return _client(clients.enable(use.services, use.actor, client_id))


@router.delete("/clients/{client_id}", status_code=204, response_class=Response)
def delete_client(client_id: str, use: ClientAdmin) -> Response:
    clients.delete(use.services, use.actor, client_id)
    return Response(status_code=204)


# --- environments --------------------------------------------------------------------------------


def _environment(row: EnvironmentRow) -> EnvironmentOut:
    return EnvironmentOut(name=row.name, created_at=row.created_at)


@router.post("/environments", status_code=201, response_model=EnvironmentOut)
def create_environment(body: EnvironmentIn, response: Response, use: EnvAdmin) -> EnvironmentOut:
    row = environments.create(use.services, use.actor, body.name)
    response.headers["Location"] = f"/api/v1/admin/environments/{row.name}"
    return _environment(row)


@router.get("/environments", response_model=PageOut[EnvironmentOut])
def list_environments(use: EnvAdmin) -> PageOut[EnvironmentOut]:
    return PageOut[EnvironmentOut](items=[_environment(r) for r in environments.list_all(use.services)])


@router.get("/environments/{name}", response_model=EnvironmentOut)
def get_environment(name: str, use: EnvAdmin) -> EnvironmentOut:
    return _environment(environments.get(use.services, name))


@router.delete("/environments/{name}", status_code=204, response_class=Response)
def delete_environment(name: str, use: EnvAdmin) -> Response:
    """Delete an empty environment (`default` and environments holding data are refused with 409)."""
    environments.delete(use.services, use.actor, name)
    return Response(status_code=204)


# --- users ---------------------------------------------------------------------------------------


def _user(view: UserView) -> UserOut:
    return UserOut(
        id=view.id,
        username=view.username,
        environment=view.env,
        groups=view.groups,
        roles=view.roles,
        profile=view.profile,
        permissions=view.permissions,
        visibility=view.visibility,
        locked=view.locked,
        created_at=view.created_at,
    )


UserEnv = Annotated[str | None, Query(alias="environment", description="default: the caller's environment")]


@router.post("/users", status_code=201, response_model=UserOut)
def create_user(body: UserIn, response: Response, use: UserAdmin) -> UserOut:
    """Create a user who can log in at `POST /api/login` (password: at least 8 characters)."""
    values: dict[str, Any] = body.model_dump(exclude={"password"})
    view = users.create(
        use.services, use.actor, UserSpec(password=body.password.get_secret_value(), **values)
    )
    response.headers["Location"] = (
        f"/api/v1/admin/users/{quote(view.username, safe='')}?environment={view.env}"
    )
    return _user(view)


@router.get("/users", response_model=PageOut[UserOut])
def list_users(
    use: UserAdmin,
    environment: EnvFilter = None,
    limit: Limit = 50,
    cursor: str | None = None,
) -> PageOut[UserOut]:
    page = users.search(use.services, environment, cursor, limit)
    return PageOut[UserOut](items=[_user(u) for u in page.items], next_cursor=page.next_cursor)


@router.get("/users/{username}", response_model=UserOut)
def get_user(username: str, use: UserAdmin, environment: UserEnv = None) -> UserOut:
    return _user(users.get(use.services, environment or use.actor.env, username))


@router.patch("/users/{username}", response_model=UserOut)
def update_user(username: str, body: UserPatch, use: UserAdmin, environment: UserEnv = None) -> UserOut:
    """Change the fields sent; a new password or `locked: true` ends the user's sessions."""
    changes: dict[str, Any] = body.model_dump(exclude_unset=True)
    if body.password is not None:
        changes["password"] = body.password.get_secret_value()
    return _user(
        users.update(
            use.services, use.actor, environment or use.actor.env, username, cast(UserChanges, changes)
        )
    )


@router.delete("/users/{username}", status_code=204, response_class=Response)
def delete_user(username: str, use: UserAdmin, environment: UserEnv = None) -> Response:
    users.delete(use.services, use.actor, environment or use.actor.env, username)
    return Response(status_code=204)


# --- signing keys --------------------------------------------------------------------------------


def _key(info: keys.KeyInfo) -> SigningKeyOut:
    return SigningKeyOut(
        kid=info.kid,
        alg=info.alg,
        created_at=info.created_at,
        active=info.active,
        retired_at=info.retired_at,
        publish_until=info.publish_until,
        published=info.published,
    )


@router.get("/keys", response_model=PageOut[SigningKeyOut])
def list_signing_keys(use: KeyAdmin) -> PageOut[SigningKeyOut]:
    """Every token-signing key, newest first: which one signs, which are still published."""
    return PageOut[SigningKeyOut](items=[_key(k) for k in keys.list_keys(use.services)], next_cursor=None)


@router.post("/keys/rotate", status_code=201, response_model=SigningKeyOut)
def rotate_signing_key(use: KeyAdmin) -> SigningKeyOut:
    """Publish a new signing key and sign with it from now on (as `flowport keys rotate`).

    The previous key stays in the JWKS until every token it signed has expired.
    """
    return _key(keys.rotate(use.services, use.actor))


# --- audit ---------------------------------------------------------------------------------------


@router.get("/audit", response_model=PageOut[AuditEventOut])
def list_audit_events(
    use: Auditor,
    event: str | None = None,
    environment: EnvFilter = None,
    limit: Limit = 50,
    cursor: str | None = None,
) -> PageOut[AuditEventOut]:
    """Security events, newest first (never secrets)."""
    page = audit.search(use.services, environment, event, cursor, limit)
    items = [
        AuditEventOut(
            id=e.id,
            at=e.at,
            event=e.event,
            environment=e.env,
            actor=e.actor,
            subject=e.subject,
            source_ip=e.source_ip,
            details=e.details,
        )
        for e in page.items
    ]
    return PageOut[AuditEventOut](items=items, next_cursor=page.next_cursor)
