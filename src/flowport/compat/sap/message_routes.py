"""SAP ``/v1/messages``: a message to one instance, or to a process's instances with a business key."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from flowport.api.deps import UseCaseContext
from flowport.compat.sap import mapping
from flowport.compat.sap.authorities import authority
from flowport.compat.sap.inputs import GUARDS
from flowport.compat.sap.route import SapRoute
from flowport.compat.sap.schemas import ERROR_RESPONSES, ConsumingInstanceOut, SendMessageIn
from flowport.errors import InvalidRequest
from flowport.services import message_targets, messages

TAG = "SAP Workflow API v1"
router = APIRouter(
    prefix="/v1/messages", tags=[TAG], route_class=SapRoute, responses=ERROR_RESPONSES, dependencies=GUARDS
)

Sender = Annotated[UseCaseContext, Depends(authority("MESSAGE_SEND"))]
_TARGETS = "Give either workflowInstanceId, or workflowDefinitionId and businessKey"


@router.post("", status_code=202, response_model=list[ConsumingInstanceOut])
def send_message(body: SendMessageIn, use: Sender) -> list[ConsumingInstanceOut]:
    """Deliver message `definitionId` to the instances waiting for it; 404 when none consumes it."""
    by_process = body.workflow_definition_id is not None or body.business_key is not None
    if body.workflow_instance_id is not None:
        if by_process:
            raise InvalidRequest(_TARGETS)
        deliveries = messages.correlate(
            use.services,
            use.actor,
            body.definition_id,
            instance_id=body.workflow_instance_id,
            variables=body.context,
        )
    elif body.workflow_definition_id and body.business_key:
        deliveries = message_targets.correlate_to_process(
            use.services,
            use.actor,
            body.definition_id,
            definition_key=body.workflow_definition_id,
            business_key=body.business_key,
            variables=body.context,
        )
    else:
        raise InvalidRequest(_TARGETS)
    return mapping.consuming_instances(deliveries)
