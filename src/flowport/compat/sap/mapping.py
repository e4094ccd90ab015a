"""SAP Workflow's names and shapes <-> Flowport's services and views.

Concepts: a *workflow definition* is a BPMN process, addressed by its key (its ``id`` in SAP)
and meaning the newest version; a *workflow instance* is a process instance, its *context* the
instance's variables; a *task instance* is a user task, its *processor* the assignee, its
*recipients* the candidate users and groups; a *message* is a BPMN message delivered to waiting
intermediate catch events. SAP's ``ERRONEOUS`` is a running instance with open incidents;
``RESERVED`` is a ready task that has an assignee.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flowport.compat.sap.schemas import (
    ConsumingInstanceOut,
    ErrorMessageOut,
    ExecutionLogOut,
    TaskInstanceOut,
    WorkflowDefinitionOut,
    WorkflowInstanceOut,
)
from flowport.errors import InvalidRequest
from flowport.services.execution import Delivery
from flowport.services.instance_listing import DescribedInstance, InstanceOrder, StatusFilter
from flowport.services.task_listing import TaskOrder, TaskStateFilter
from flowport.services.views import DefinitionView, HistoryEntry, IncidentView, TaskView
from flowport.states import InstanceStatus, TaskState

# --- values --------------------------------------------------------------------------------------


def timestamp(at: datetime | None) -> str | None:
    """SAP's timestamps: UTC with milliseconds, ``2017-11-27T11:21:41.834Z``."""
    if at is None:
        return None
    return at.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _choice(kind: str, value: str, allowed: dict[str, Any]) -> Any:
    found = allowed.get(value.upper())
    if found is None:
        raise InvalidRequest(f"Unknown {kind} '{value}'; use one of {', '.join(allowed)}")
    return found


# --- workflow instances --------------------------------------------------------------------------

INSTANCE_STATUSES: dict[str, StatusFilter] = {
    "RUNNING": StatusFilter(InstanceStatus.RUNNING, has_incidents=False),
    "ERRONEOUS": StatusFilter(InstanceStatus.RUNNING, has_incidents=True),
    "SUSPENDED": StatusFilter(InstanceStatus.SUSPENDED),
    "CANCELED": StatusFilter(InstanceStatus.CANCELED),
    "COMPLETED": StatusFilter(InstanceStatus.COMPLETED),
}
# SAP lists the instances still at work when no status is asked for.
DEFAULT_INSTANCE_STATUSES = (INSTANCE_STATUSES["RUNNING"], INSTANCE_STATUSES["ERRONEOUS"])

INSTANCE_ORDERS: dict[str, InstanceOrder] = {
    "id": InstanceOrder.ID,
    "definitionId": InstanceOrder.DEFINITION_KEY,
    "definitionVersion": InstanceOrder.DEFINITION_VERSION,
    "startedAt": InstanceOrder.STARTED_AT,
    "completedAt": InstanceOrder.ENDED_AT,
    "startedBy": InstanceOrder.STARTED_BY,
    "subject": InstanceOrder.DEFINITION_NAME,
    "businessKey": InstanceOrder.BUSINESS_KEY,
}


def instance_statuses(values: list[str] | None) -> tuple[StatusFilter, ...]:
    """SAP status filters (repeatable, case-insensitive, any of them) as the services' filters."""
    if not values:
        return DEFAULT_INSTANCE_STATUSES
    return tuple(_choice("status", value, INSTANCE_STATUSES) for value in values)


def sap_instance_status(described: DescribedInstance) -> str:
    instance = described.instance
    if instance.status is InstanceStatus.RUNNING and instance.has_incidents:
        return "ERRONEOUS"
    return str(instance.status)


def workflow_instance(described: DescribedInstance) -> WorkflowInstanceOut:
    instance = described.instance
    return WorkflowInstanceOut(
        id=instance.id,
        definition_id=instance.definition_key,
        definition_version=str(described.definition_version),
        subject=described.definition_name or instance.definition_key,
        status=sap_instance_status(described),
        business_key=instance.business_key or "",
        started_at=timestamp(instance.started_at),
        started_by=instance.started_by,
        completed_at=timestamp(instance.ended_at),
        root_instance_id=instance.id,
        parent_instance_id=None,
    )


def order(value: str | None, allowed: dict[str, Any], default: tuple[Any, bool]) -> tuple[Any, bool]:
    """``$orderby`` (``"<field> asc|desc"``, one field) as (the services' sort field, descending)."""
    if not value:
        return default
    field, _, direction = value.strip().partition(" ")
    direction = direction.strip() or "asc"
    if field not in allowed or direction not in ("asc", "desc"):
        choices = ", ".join(f"{name} asc|desc" for name in allowed)
        raise InvalidRequest(f"Unknown $orderby '{value}'; use one of {choices}")
    return allowed[field], direction == "desc"


# --- execution logs and error messages ----------------------------------------------------------

_LOG_TYPES = {
    "instance started": "WORKFLOW_STARTED",
    "instance completed": "WORKFLOW_COMPLETED",
    "instance canceled": "WORKFLOW_CANCELED",
    "instance suspended": "WORKFLOW_SUSPENDED",
    "instance resumed": "WORKFLOW_RESUMED",
    "variables replaced": "WORKFLOW_CONTEXT_OVERWRITTEN_BY_ADMIN",
    "variables changed": "WORKFLOW_CONTEXT_PATCHED_BY_ADMIN",
    "task claimed": "USERTASK_CLAIMED",
    "task unclaimed": "USERTASK_RELEASED",
    "message correlated": "INTERMEDIATE_MESSAGE_EVENT_TRIGGERED",
    "timer fired": "INTERMEDIATE_TIMER_EVENT_TRIGGERED",
    "job completed": "SERVICETASK_COMPLETED",
    "job failed": "SERVICETASK_FAILED",
}
# Steps of the engine, by element type and what happened to the element.
_STEP_TYPES = {
    ("User Task", "activated"): "USERTASK_CREATED",
    ("User Task", "completed"): "USERTASK_COMPLETED",
    ("User Task", "failed"): "USERTASK_FAILED",
    ("Service Task", "activated"): "SERVICETASK_CREATED",
    ("Service Task", "failed"): "SERVICETASK_FAILED",
    ("Script Task", "activated"): "SCRIPTTASK_CREATED",
    ("Script Task", "completed"): "SCRIPTTASK_COMPLETED",
    ("Script Task", "failed"): "SCRIPTTASK_FAILED",
    ("Exclusive Gateway", "completed"): "EXCLUSIVE_GATEWAY_REACHED",
    ("Exclusive Gateway", "failed"): "EXCLUSIVE_GATEWAY_FAILED",
    ("Parallel Gateway", "completed"): "PARALLEL_GATEWAY_REACHED",
    ("Parallel Gateway", "failed"): "PARALLEL_GATEWAY_FAILED",
}


def _log_type(entry: HistoryEntry) -> str | None:
    known = _LOG_TYPES.get(entry.event)
    if known is not None:
        return known
    element = (entry.element_type or "").replace("userTask", "User Task")
    step = _STEP_TYPES.get((element, entry.event))
    if step is not None:
        return step
    if entry.event == "waiting" and "Message" in element:
        return "INTERMEDIATE_MESSAGE_EVENT_REACHED"
    if entry.event == "waiting" and "Timer" in element:
        return "INTERMEDIATE_TIMER_EVENT_REACHED"
    return None


def execution_logs(entries: list[HistoryEntry]) -> list[ExecutionLogOut]:
    """History lines SAP has a log type for, oldest first; the others have no SAP equivalent."""
    logs: list[ExecutionLogOut] = []
    for entry in entries:
        kind = _log_type(entry)
        if kind is None:
            continue
        error = None
        if kind.endswith("_FAILED") and entry.details and "message" in entry.details:
            error = {"message": str(entry.details["message"])}
        logs.append(
            ExecutionLogOut(
                id=str(entry.id),
                type=kind,
                timestamp=timestamp(entry.at),
                reference_instance_id=entry.element_id,
                activity_id=entry.element_id,
                subject=entry.element_name or entry.element_id,
                user_id=entry.actor,
                error=error,
            )
        )
    return logs


def error_messages(incidents: list[IncidentView]) -> list[ErrorMessageOut]:
    return [
        ErrorMessageOut(
            activity_id=incident.element_id,
            error_code=str(incident.kind),
            log_id=incident.id,
            message=incident.message,
            timestamp=timestamp(incident.created_at),
        )
        for incident in incidents
    ]


# --- workflow definitions ------------------------------------------------------------------------


def workflow_definition(view: DefinitionView) -> WorkflowDefinitionOut:
    return WorkflowDefinitionOut(
        id=view.key,
        name=view.name or view.key,
        version=str(view.version),
        created_at=timestamp(view.deployed_at),
        created_by=view.deployed_by,
        jobs=[],
    )


# --- task instances ------------------------------------------------------------------------------

TASK_STATUSES: dict[str, TaskStateFilter] = {
    "READY": TaskStateFilter(TaskState.READY, assigned=False),
    "RESERVED": TaskStateFilter(TaskState.READY, assigned=True),
    "COMPLETED": TaskStateFilter(TaskState.COMPLETED),
    "CANCELED": TaskStateFilter(TaskState.CANCELED),
}
TASK_ORDERS: dict[str, TaskOrder] = {
    "createdAt": TaskOrder.CREATED_AT,
    "completedAt": TaskOrder.ENDED_AT,
    "dueDate": TaskOrder.DUE_AT,
    "id": TaskOrder.ID,
    "subject": TaskOrder.NAME,
    "activityId": TaskOrder.ELEMENT_ID,
    "processor": TaskOrder.ASSIGNEE,
    "workflowDefinitionId": TaskOrder.DEFINITION_KEY,
    "workflowInstanceId": TaskOrder.INSTANCE_ID,
}


def task_statuses(values: list[str] | None) -> tuple[TaskStateFilter, ...]:
    """SAP task status filters (repeatable, case-insensitive); none given means every status."""
    return tuple(_choice("status", value, TASK_STATUSES) for value in values or ())


def sap_task_status(view: TaskView) -> str:
    if view.state is TaskState.READY and view.assignee:
        return "RESERVED"
    return str(view.state)


def task_instance(view: TaskView) -> TaskInstanceOut:
    return TaskInstanceOut(
        id=view.id,
        activity_id=view.element_id,
        created_at=timestamp(view.created_at),
        completed_at=timestamp(view.ended_at),
        due_date=timestamp(view.due_at),
        processor=view.assignee or view.completed_by,
        recipient_users=view.candidate_users,
        recipient_groups=view.candidate_groups,
        status=sap_task_status(view),
        subject=view.name or view.element_id,
        description=None,
        priority="MEDIUM",
        workflow_definition_id=view.definition_key,
        workflow_instance_id=view.instance_id,
        definition_id=f"{view.element_id}@{view.definition_key}",
    )


# --- messages ------------------------------------------------------------------------------------


def consuming_instances(deliveries: list[Delivery]) -> list[ConsumingInstanceOut]:
    return [ConsumingInstanceOut(id=d.instance_id) for d in deliveries]
