"""Process instances: start, search, read, operate, variables, history."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Query, Response

from flowport.api.deps import UseCaseContext, require
from flowport.api.native import NativeRoute
from flowport.api.schemas import HistoryOut, InstanceOut, MoveIn, PageOut, StartInstanceIn, UtcDateTime
from flowport.services import instances
from flowport.services.paging import decode_id_cursor

router = APIRouter(prefix="/api/v1/process-instances", tags=["process instances"], route_class=NativeRoute)

Starter = Annotated[UseCaseContext, Depends(require("instances:start"))]
Reader = Annotated[UseCaseContext, Depends(require("instances:read"))]
Manager = Annotated[UseCaseContext, Depends(require("instances:manage"))]
Deleter = Annotated[UseCaseContext, Depends(require("instances:delete"))]
Variables = Annotated[dict[str, Any], Body(description="Variables as one JSON object")]


@router.post("", status_code=201, response_model=InstanceOut, summary="Start a process instance")
def start_instance(body: StartInstanceIn, response: Response, use: Starter) -> InstanceOut:
    """Start an instance of the latest (or given) version; a duplicate `id` is a 409."""
    view = instances.start(
        use.services,
        use.actor,
        definition_key=body.definition_key,
        definition_id=body.definition_id,
        version=body.version,
        variables=body.variables,
        business_key=body.business_key,
        instance_id=body.id,
    )
    response.headers["Location"] = f"/api/v1/process-instances/{view.id}"
    return InstanceOut.model_validate(view)


@router.get("", response_model=PageOut[InstanceOut])
def search_instances(
    use: Reader,
    status: str | None = None,
    definition_key: Annotated[str | None, Query(alias="definitionKey")] = None,
    business_key: Annotated[str | None, Query(alias="businessKey")] = None,
    started_after: Annotated[UtcDateTime | None, Query(alias="startedAfter")] = None,
    started_before: Annotated[UtcDateTime | None, Query(alias="startedBefore")] = None,
    limit: int = Query(default=50, ge=1, le=1000),
    cursor: str | None = None,
) -> PageOut[InstanceOut]:
    page = instances.search(
        use.services,
        use.actor,
        status=status,
        definition_key=definition_key,
        business_key=business_key,
        started_after=started_after,
        started_before=started_before,
        cursor=cursor,
        limit=limit,
    )
    return PageOut[InstanceOut](
        items=[InstanceOut.summary(v) for v in page.items], next_cursor=page.next_cursor
    )


@router.get("/{instance_id}", response_model=InstanceOut)
def get_instance(instance_id: str, use: Reader) -> InstanceOut:
    return InstanceOut.model_validate(instances.get(use.services, use.actor, instance_id))


@router.post("/{instance_id}/cancel", response_model=InstanceOut)
def cancel_instance(instance_id: str, use: Manager) -> InstanceOut:
    return InstanceOut.model_validate(instances.cancel(use.services, use.actor, instance_id))


@router.post("/{instance_id}/suspend", response_model=InstanceOut)
def suspend_instance(instance_id: str, use: Manager) -> InstanceOut:
    return InstanceOut.model_validate(instances.suspend(use.services, use.actor, instance_id))


@router.post("/{instance_id}/resume", response_model=InstanceOut)
def resume_instance(instance_id: str, use: Manager) -> InstanceOut:
    return InstanceOut.model_validate(instances.resume(use.services, use.actor, instance_id))


@router.post("/{instance_id}/move", response_model=InstanceOut)
def move_token(instance_id: str, body: MoveIn, use: Manager) -> InstanceOut:
    """Move the token to another activity (OptimaJet's *set state*)."""
    return InstanceOut.model_validate(
        instances.move(use.services, use.actor, instance_id, body.to_element_id, body.from_element_id)
    )


@router.delete("/{instance_id}", status_code=204, response_class=Response)
def delete_instance(instance_id: str, use: Deleter) -> Response:
    instances.delete(use.services, use.actor, instance_id)
    return Response(status_code=204)


@router.get("/{instance_id}/variables")
def get_variables(instance_id: str, use: Reader) -> dict[str, Any]:
    return instances.variables(use.services, use.actor, instance_id)


@router.put("/{instance_id}/variables")
def replace_variables(instance_id: str, body: Variables, use: Manager) -> dict[str, Any]:
    return instances.set_variables(use.services, use.actor, instance_id, body, replace=True)


@router.patch("/{instance_id}/variables")
def merge_variables(instance_id: str, body: Variables, use: Manager) -> dict[str, Any]:
    return instances.set_variables(use.services, use.actor, instance_id, body, replace=False)


@router.get("/{instance_id}/history", response_model=PageOut[HistoryOut])
def get_history(
    instance_id: str,
    use: Reader,
    limit: int = Query(default=200, ge=1, le=1000),
    cursor: str | None = None,
) -> PageOut[HistoryOut]:
    after = decode_id_cursor(cursor) or 0
    return PageOut[HistoryOut].model_validate(
        instances.history(use.services, use.actor, instance_id, after, limit)
    )
