"""Admin API: environments, the sandboxes that isolate data (``/api/v1/admin/environments``)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Response

from flowport.api.deps import UseCaseContext, require
from flowport.api.native import NativeRoute
from flowport.api.schemas import PageOut
from flowport.api.schemas_admin import EnvironmentIn, EnvironmentOut
from flowport.services import environments

router = APIRouter(prefix="/api/v1/admin", tags=["administration"], route_class=NativeRoute)

EnvAdmin = Annotated[UseCaseContext, Depends(require("admin:environments"))]


@router.post("/environments", status_code=201, response_model=EnvironmentOut)
def create_environment(body: EnvironmentIn, response: Response, use: EnvAdmin) -> EnvironmentOut:
    row = environments.create(use.services, use.actor, body.name)
    response.headers["Location"] = f"/api/v1/admin/environments/{row.name}"
    return EnvironmentOut.model_validate(row)


@router.get("/environments", response_model=PageOut[EnvironmentOut])
def list_environments(use: EnvAdmin) -> PageOut[EnvironmentOut]:
    return PageOut[EnvironmentOut](
        items=[EnvironmentOut.model_validate(v) for v in environments.list_all(use.services)]
    )


@router.get("/environments/{name}", response_model=EnvironmentOut)
def get_environment(name: str, use: EnvAdmin) -> EnvironmentOut:
    return EnvironmentOut.model_validate(environments.get(use.services, name))


@router.delete("/environments/{name}", status_code=204, response_class=Response)
def delete_environment(name: str, use: EnvAdmin) -> Response:
    """Delete an empty environment (`default` and environments holding data are refused with 409)."""
    environments.delete(use.services, use.actor, name)
    return Response(status_code=204)
