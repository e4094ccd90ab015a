"""Admin API: OAuth clients (``/api/v1/admin/clients``), managed across environments.

A client's environment comes from the body's ``environment`` (or the query filter) and defaults
to the caller's own.
"""

from __future__ import annotations

from typing import Annotated, cast
from urllib.parse import quote

from fastapi import APIRouter, Depends, Response

from flowport.api.deps import UseCaseContext, require
from flowport.api.native import NativeRoute
from flowport.api.routers.admin.params import EnvFilter, Limit
from flowport.api.schemas import PageOut
from flowport.api.schemas_admin import ClientIn, ClientOut, ClientPatch, ClientWithSecretOut, RotateSecretIn
from flowport.services import clients
from flowport.services.clients import ClientChanges, ClientSpec, NewSecret

router = APIRouter(prefix="/api/v1/admin", tags=["administration"], route_class=NativeRoute)

ClientAdmin = Annotated[UseCaseContext, Depends(require("admin:clients"))]


def _with_secret(issued: NewSecret) -> ClientWithSecretOut:
    return ClientWithSecretOut(
        **ClientOut.model_validate(issued.client).model_dump(), client_secret=issued.client_secret
    )


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
    return PageOut[ClientOut].model_validate(page)


@router.get("/clients/{client_id}", response_model=ClientOut)
def get_client(client_id: str, use: ClientAdmin) -> ClientOut:
    return ClientOut.model_validate(clients.get(use.services, client_id))


@router.patch("/clients/{client_id}", response_model=ClientOut)
def update_client(client_id: str, body: ClientPatch, use: ClientAdmin) -> ClientOut:
    """Change the fields sent (not the client id, not the environment)."""
    changes = cast(ClientChanges, body.model_dump(exclude_unset=True))
    return ClientOut.model_validate(clients.update(use.services, use.actor, client_id, changes))


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
    return ClientOut.model_validate(clients.disable(use.services, use.actor, client_id))


@router.post("/clients/{client_id}/enable", response_model=ClientOut)
def enable_client(client_id: str, use: ClientAdmin) -> ClientOut:
    return ClientOut.model_validate(clients.enable(use.services, use.actor, client_id))


@router.delete("/clients/{client_id}", status_code=204, response_class=Response)
def delete_client(client_id: str, use: ClientAdmin) -> Response:
    clients.delete(use.services, use.actor, client_id)
    return Response(status_code=204)
