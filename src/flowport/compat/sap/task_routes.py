"""SAP ``/v1/task-instances``: user tasks listed, read, reserved and completed."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Response

from flowport.api.deps import UseCaseContext
from flowport.compat.sap import mapping
from flowport.compat.sap.authorities import HoldsAuthority, authority
from flowport.compat.sap.inputs import GUARDS
from flowport.compat.sap.paging import Paging, set_total
from flowport.compat.sap.route import SapRoute, SapValidatedUpdateRoute
from flowport.compat.sap.schemas import ERROR_RESPONSES, TaskInstanceOut, UpdateTaskIn
from flowport.compat.sap.task_updates import apply_update
from flowport.services import task_listing, tasks
from flowport.services.task_listing import TaskFilter, TaskOrder

TAG = "SAP Workflow API v1"
PREFIX = "/v1/task-instances"
router = APIRouter(
    prefix=PREFIX, tags=[TAG], route_class=SapRoute, responses=ERROR_RESPONSES, dependencies=GUARDS
)
# SAP answers an update it cannot apply with 422: that route has its own route class.
updates = APIRouter(
    prefix=PREFIX,
    tags=[TAG],
    route_class=SapValidatedUpdateRoute,
    responses=ERROR_RESPONSES,
    dependencies=GUARDS,
)

Reader = Annotated[UseCaseContext, Depends(authority("TASK_GET"))]
Completer = Annotated[UseCaseContext, Depends(authority("TASK_COMPLETE"))]
RESERVER = HoldsAuthority("TASK_UPDATE")  # reserving a task needs more than completing it
MayReserve = Annotated[bool, Depends(RESERVER)]


@router.get("", response_model=list[TaskInstanceOut])
def list_task_instances(
    use: Reader,
    page: Paging,
    response: Response,
    workflow_instance_id: Annotated[str | None, Query(alias="workflowInstanceId")] = None,
    workflow_definition_id: Annotated[str | None, Query(alias="workflowDefinitionId")] = None,
    processor: str | None = None,
    status: Annotated[
        list[str] | None, Query(description="READY, RESERVED, COMPLETED or CANCELED; repeat for several")
    ] = None,
    recipient_users: Annotated[
        list[str] | None, Query(alias="recipientUsers", description="Any of these candidate users")
    ] = None,
    recipient_groups: Annotated[
        list[str] | None, Query(alias="recipientGroups", description="Any of these candidate groups")
    ] = None,
    orderby: Annotated[
        str | None, Query(alias="$orderby", description="e.g. `createdAt asc` (the default)")
    ] = None,
) -> list[TaskInstanceOut]:
    """User tasks as a JSON array (SAP: every status unless `status` is given), oldest first."""
    filters = TaskFilter(
        states=mapping.task_statuses(status),
        instance_id=workflow_instance_id,
        definition_key=workflow_definition_id,
        processor=processor,
        candidate_users=tuple(recipient_users or ()),
        candidate_groups=tuple(recipient_groups or ()),
    )
    field, descending = mapping.order(orderby, mapping.TASK_ORDERS, (TaskOrder.CREATED_AT, False))
    counted = task_listing.search(use.services, use.actor, filters, page, field, descending)
    set_total(response, counted)
    return [mapping.task_instance(view) for view in counted.items]


@router.get("/{task_id}", response_model=TaskInstanceOut)
def get_task_instance(task_id: str, use: Reader) -> TaskInstanceOut:
    return mapping.task_instance(tasks.get(use.services, use.actor, task_id))


@router.get("/{task_id}/context")
def get_task_instance_context(task_id: str, use: Reader) -> dict[str, Any]:
    """The context of the task's workflow instance."""
    return task_listing.context_of(use.services, use.actor, task_id)


@updates.patch(
    "/{task_id}",
    status_code=204,
    response_class=Response,
    responses={422: {"description": "The update cannot be applied (SAP's error shape)"}},
    openapi_extra={"x-sap-authority-reserve": "TASK_UPDATE"},
)
def update_task_instance(
    task_id: str, body: UpdateTaskIn, use: Completer, may_reserve: MayReserve
) -> Response:
    """Complete the task (`status: COMPLETED`, with `context`), or reserve it for a `processor`."""
    apply_update(use, task_id, body, may_reserve=may_reserve, reserve_permission=RESERVER.permission)
    return Response(status_code=204)
