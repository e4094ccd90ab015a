"""SAP ``/v1/workflow-instances``: start, list, read, change status, context, logs and errors."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Query, Response

from flowport.api.deps import UseCaseContext
from flowport.compat.sap import mapping
from flowport.compat.sap.authorities import authority
from flowport.compat.sap.inputs import GUARDS
from flowport.compat.sap.paging import Paging, set_total
from flowport.compat.sap.route import SapRoute
from flowport.compat.sap.schemas import (
    ERROR_RESPONSES,
    ErrorMessageOut,
    ExecutionLogOut,
    InstanceStatusIn,
    StartInstanceIn,
    UpdateInstanceIn,
    WorkflowInstanceOut,
)
from flowport.services import instance_incidents, instance_listing, instances
from flowport.services.instance_listing import InstanceFilter, InstanceOrder

TAG = "SAP Workflow API v1"
router = APIRouter(
    prefix="/v1/workflow-instances",
    tags=[TAG],
    route_class=SapRoute,
    responses=ERROR_RESPONSES,
    dependencies=GUARDS,
)

Starter = Annotated[UseCaseContext, Depends(authority("WORKFLOW_INSTANCE_START"))]
Reader = Annotated[UseCaseContext, Depends(authority("WORKFLOW_INSTANCE_GET"))]
ContextReader = Annotated[UseCaseContext, Depends(authority("WORKFLOW_INSTANCE_GET_CONTEXT"))]
ContextUpdater = Annotated[UseCaseContext, Depends(authority("WORKFLOW_INSTANCE_UPDATE_CONTEXT"))]
LogReader = Annotated[UseCaseContext, Depends(authority("WORKFLOW_INSTANCE_GET_EXECUTION_LOGS"))]
StatusChanger = Annotated[
    UseCaseContext,
    Depends(authority("WORKFLOW_INSTANCE_CANCEL", "WORKFLOW_INSTANCE_SUSPEND", "WORKFLOW_INSTANCE_RESUME")),
]
NewContext = Annotated[
    dict[str, Any], Body(description="The context as one JSON object", examples=[{"price": 120}])
]
_LOG_LIMIT = 1000
_STATUS_CHANGES = {
    InstanceStatusIn.CANCELED: instances.cancel,
    InstanceStatusIn.SUSPENDED: instances.suspend,
    InstanceStatusIn.RUNNING: instances.resume,
}


@router.post("", status_code=201, response_model=WorkflowInstanceOut)
def start_workflow_instance(body: StartInstanceIn, use: Starter) -> WorkflowInstanceOut:
    """Start the latest version of `definitionId` with `context` as its variables."""
    described = instance_listing.start_latest(
        use.services, use.actor, body.definition_id, body.context, business_key=body.business_key
    )
    return mapping.workflow_instance(described)


@router.get("", response_model=list[WorkflowInstanceOut])
def list_workflow_instances(
    use: Reader,
    page: Paging,
    response: Response,
    definition_id: Annotated[str | None, Query(alias="definitionId")] = None,
    status: Annotated[
        list[str] | None,
        Query(
            description="RUNNING, ERRONEOUS, SUSPENDED, CANCELED or COMPLETED; repeat for several (default: "
            "RUNNING and ERRONEOUS)"
        ),
    ] = None,
    business_key: Annotated[str | None, Query(alias="businessKey")] = None,
    started_by: Annotated[str | None, Query(alias="startedBy")] = None,
    contains_text: Annotated[
        str | None,
        Query(
            alias="containsText",
            max_length=255,
            description="In id, definitionId, subject, startedBy or businessKey, case-insensitive",
        ),
    ] = None,
    orderby: Annotated[
        str | None, Query(alias="$orderby", description="e.g. `startedAt desc` (the default)")
    ] = None,
) -> list[WorkflowInstanceOut]:
    filters = InstanceFilter(
        statuses=mapping.instance_statuses(status),
        definition_key=definition_id,
        business_key=business_key,
        started_by=started_by,
        contains_text=contains_text,
    )
    field, descending = mapping.order(orderby, mapping.INSTANCE_ORDERS, (InstanceOrder.STARTED_AT, True))
    counted = instance_listing.search(use.services, use.actor, filters, page, field, descending)
    set_total(response, counted)
    return [mapping.workflow_instance(d) for d in counted.items]


@router.get("/{instance_id}", response_model=WorkflowInstanceOut)
def get_workflow_instance(instance_id: str, use: Reader) -> WorkflowInstanceOut:
    return mapping.workflow_instance(instance_listing.get(use.services, use.actor, instance_id))


@router.patch("/{instance_id}", status_code=202, response_class=Response)
def update_workflow_instance(instance_id: str, body: UpdateInstanceIn, use: StatusChanger) -> Response:
    """Cancel, suspend or resume (`RUNNING`) the instance; done when answered."""
    _STATUS_CHANGES[body.status](use.services, use.actor, instance_id)
    return Response(status_code=202)


@router.get("/{instance_id}/context")
def get_workflow_instance_context(instance_id: str, use: ContextReader) -> dict[str, Any]:
    return instances.variables(use.services, use.actor, instance_id)


@router.put("/{instance_id}/context", status_code=202, response_class=Response)
def replace_workflow_instance_context(instance_id: str, body: NewContext, use: ContextUpdater) -> Response:
    """Replace the whole context (the instance's variables)."""
    instances.set_variables(use.services, use.actor, instance_id, body, replace=True)
    return Response(status_code=202)


@router.patch("/{instance_id}/context", status_code=202, response_class=Response)
def merge_workflow_instance_context(instance_id: str, body: NewContext, use: ContextUpdater) -> Response:
    """Merge the given top-level fields into the context."""
    instances.set_variables(use.services, use.actor, instance_id, body, replace=False)
    return Response(status_code=202)


@router.get("/{instance_id}/execution-logs", response_model=list[ExecutionLogOut])
def get_workflow_instance_execution_logs(instance_id: str, use: LogReader) -> list[ExecutionLogOut]:
    """What happened, oldest first (the first 1000 entries)."""
    page = instances.history(use.services, use.actor, instance_id, 0, _LOG_LIMIT)
    return mapping.execution_logs(page.items)


@router.get("/{instance_id}/error-messages", response_model=list[ErrorMessageOut])
def get_workflow_instance_error_messages(instance_id: str, use: Reader) -> list[ErrorMessageOut]:
    """The open incidents (failed scripts and jobs) that make the instance ERRONEOUS."""
    return mapping.error_messages(instance_incidents.open_incidents(use.services, use.actor, instance_id))
