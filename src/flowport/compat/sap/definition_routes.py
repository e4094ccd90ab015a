"""SAP ``/v1/workflow-definitions``: a process by key, meaning its newest version."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response

from flowport.api.deps import UseCaseContext
from flowport.compat.sap import mapping
from flowport.compat.sap.authorities import authority
from flowport.compat.sap.inputs import GUARDS
from flowport.compat.sap.paging import Paging, set_total
from flowport.compat.sap.route import SapRoute
from flowport.compat.sap.schemas import ERROR_RESPONSES, WorkflowDefinitionOut
from flowport.services import definition_keys

TAG = "SAP Workflow API v1"
router = APIRouter(
    prefix="/v1/workflow-definitions",
    tags=[TAG],
    route_class=SapRoute,
    responses=ERROR_RESPONSES,
    dependencies=GUARDS,
)

Reader = Annotated[UseCaseContext, Depends(authority("WORKFLOW_DEFINITION_GET"))]
Undeployer = Annotated[UseCaseContext, Depends(authority("WORKFLOW_DEFINITION_UNDEPLOY"))]


@router.get("", response_model=list[WorkflowDefinitionOut])
def list_workflow_definitions(use: Reader, page: Paging, response: Response) -> list[WorkflowDefinitionOut]:
    """The newest version of each deployed process (SAP: workflow definitions), by id."""
    counted = definition_keys.latest_versions(use.services, use.actor, page)
    set_total(response, counted)
    return [mapping.workflow_definition(view) for view in counted.items]


@router.get("/{definition_id}", response_model=WorkflowDefinitionOut)
def get_workflow_definition(definition_id: str, use: Reader) -> WorkflowDefinitionOut:
    """The newest version of process `definition_id` (the BPMN process id)."""
    return mapping.workflow_definition(definition_keys.latest(use.services, use.actor, definition_id))


@router.get("/{definition_id}/versions", response_model=list[WorkflowDefinitionOut])
def list_workflow_definition_versions(definition_id: str, use: Reader) -> list[WorkflowDefinitionOut]:
    """Every deployed version of process `definition_id`, newest first."""
    return [
        mapping.workflow_definition(v)
        for v in definition_keys.versions(use.services, use.actor, definition_id)
    ]


@router.get(
    "/{definition_id}/model",
    response_class=Response,
    responses={200: {"content": {"application/xml": {}}, "description": "The BPMN 2.0 document"}},
)
def get_workflow_definition_model(definition_id: str, use: Reader) -> Response:
    """The model of the newest version: Flowport's workflows are BPMN 2.0 documents, not SAP's JSON."""
    xml = definition_keys.latest_xml(use.services, use.actor, definition_id)
    return Response(xml, media_type="application/xml")


@router.delete("/{definition_id}", status_code=202, response_class=Response)
def undeploy_workflow_definition(
    definition_id: str,
    use: Undeployer,
    cascade: Annotated[bool, Query(description="Also delete the process's instances")] = False,
) -> Response:
    """Undeploy every version; refused (409) while instances run unless `cascade=true`. Done when answered."""
    definition_keys.delete_all_versions(use.services, use.actor, definition_id, cascade)
    return Response(status_code=202)
