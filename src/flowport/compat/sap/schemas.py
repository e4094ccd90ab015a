"""Request and response bodies of the SAP Workflow API v1, with SAP's field names and examples."""

from __future__ import annotations

from enum import StrEnum
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel

from flowport.compat.sap.inputs import Text

Context = dict[str, Any]


class SapIn(BaseModel):
    """Requests: SAP's camelCase names; strict types; an unknown field is refused, naming it."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="forbid", strict=True)


class SapOut(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True)


# --- requests ------------------------------------------------------------------------------------


class StartInstanceIn(SapIn):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"definitionId": "approval", "context": {"product": "Camera", "price": 100}}]
        }
    )

    definition_id: Text = Field(
        min_length=1, max_length=255, description="The workflow definition (process key)"
    )
    context: Context = Field(default_factory=dict, description="The initial context (process variables)")
    business_key: Text | None = Field(default=None, max_length=255)


class InstanceStatusIn(StrEnum):
    CANCELED = "CANCELED"
    SUSPENDED = "SUSPENDED"
    RUNNING = "RUNNING"


class UpdateInstanceIn(SapIn):
    model_config = ConfigDict(json_schema_extra={"examples": [{"status": "SUSPENDED"}]})

    status: InstanceStatusIn = Field(strict=False)
    cascade: bool = Field(
        default=False, description="Accepted for compatibility; Flowport changes one instance"
    )


class UpdateTaskIn(SapIn):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"status": "COMPLETED", "context": {"approved": True}}, {"processor": "alice"}]
        }
    )

    status: Literal["COMPLETED"] | None = None
    context: Context | None = Field(default=None, description="Changes to the workflow context on completion")
    processor: Text | None = Field(
        default=None,
        max_length=255,
        description="Reserve the task for this user; an empty string releases it",
    )


class SendMessageIn(SapIn):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "definitionId": "OrderPaid",
                    "workflowInstanceId": "<instance id>",
                    "context": {"paid": 99.5},
                },
                {
                    "definitionId": "OrderPaid",
                    "workflowDefinitionId": "order",
                    "businessKey": "order-7",
                    "context": {"paid": 99.5},
                },
            ]
        }
    )

    definition_id: Text = Field(min_length=1, max_length=255, description="The message name")
    context: Context = Field(default_factory=dict)
    workflow_instance_id: Text | None = Field(default=None, max_length=255)
    workflow_definition_id: Text | None = Field(default=None, max_length=255)
    business_key: Text | None = Field(default=None, max_length=255)


# --- responses -----------------------------------------------------------------------------------

_INSTANCE_EXAMPLE: dict[str, Any] = {
    "id": "6d3e4c1b-2f0a-4c55-9a39-0c9f0e7d6a11",
    "definitionId": "approval",
    "definitionVersion": "3",
    "subject": "Approval",
    "status": "RUNNING",
    "businessKey": "req-1001",
    "startedAt": "2026-12-01T09:30:00.000Z",
    "startedBy": "billing-app",
    "completedAt": None,
    "rootInstanceId": "6d3e4c1b-2f0a-4c55-9a39-0c9f0e7d6a11",
    "parentInstanceId": None,
}


class WorkflowInstanceOut(SapOut):
    model_config = ConfigDict(json_schema_extra={"examples": [_INSTANCE_EXAMPLE]})

    id: str
    definition_id: str
    definition_version: str
    subject: str
    status: Literal["RUNNING", "ERRONEOUS", "SUSPENDED", "CANCELED", "COMPLETED"]
    business_key: str
    started_at: str | None
    started_by: str | None
    completed_at: str | None
    root_instance_id: str
    parent_instance_id: str | None


class WorkflowDefinitionOut(SapOut):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": "approval",
                    "name": "Approval",
                    "version": "3",
                    "createdAt": "2026-12-01T09:00:00.000Z",
                    "createdBy": "admin",
                    "jobs": [],
                }
            ]
        }
    )

    id: str
    name: str
    version: str
    created_at: str | None
    created_by: str | None
    jobs: list[dict[str, str]]


class TaskInstanceOut(SapOut):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": "1f66fcc2-d365-11e7-98b4-00163e455253",
                    "activityId": "approve",
                    "createdAt": "2026-12-01T09:30:00.120Z",
                    "completedAt": None,
                    "dueDate": None,
                    "processor": None,
                    "recipientUsers": ["alice"],
                    "recipientGroups": ["managers"],
                    "status": "READY",
                    "subject": "Approve request",
                    "description": None,
                    "priority": "MEDIUM",
                    "workflowDefinitionId": "approval",
                    "workflowInstanceId": "6d3e4c1b-2f0a-4c55-9a39-0c9f0e7d6a11",
                    "definitionId": "approve@approval",
                }
            ]
        }
    )

    id: str
    activity_id: str
    created_at: str | None
    completed_at: str | None
    due_date: str | None
    processor: str | None
    recipient_users: list[str]
    recipient_groups: list[str]
    status: Literal["READY", "RESERVED", "COMPLETED", "CANCELED"]
    subject: str
    description: str | None
    priority: str
    workflow_definition_id: str
    workflow_instance_id: str
    definition_id: str


class ExecutionLogOut(SapOut):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": "42",
                    "type": "USERTASK_COMPLETED",
                    "timestamp": "2026-12-01T09:35:10.002Z",
                    "referenceInstanceId": "approve",
                    "activityId": "approve",
                    "subject": "Approve request",
                    "userId": "alice",
                    "error": None,
                }
            ]
        }
    )

    id: str
    type: str
    timestamp: str | None
    reference_instance_id: str | None
    activity_id: str | None
    subject: str | None
    user_id: str | None
    error: dict[str, str] | None


class ErrorMessageOut(SapOut):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "activityId": "divide",
                    "errorCode": "scriptError",
                    "logId": "0b8f3c52-98a1-4d7e-a1d4-3bb2f3f0f2aa",
                    "message": "ZeroDivisionError: division by zero",
                    "timestamp": "2026-12-01T09:31:00.000Z",
                }
            ]
        }
    )

    activity_id: str
    error_code: str
    log_id: str
    message: str
    timestamp: str | None


class ConsumingInstanceOut(SapOut):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"id": "6d3e4c1b-2f0a-4c55-9a39-0c9f0e7d6a11"}]}
    )

    id: str


class SapErrorDetail(SapOut):
    message: str
    code: str
    details: list[dict[str, str]] | None = None


class SapErrorOut(SapOut):
    """SAP's error body."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"error": {"message": "User does not have sufficient privileges.", "code": "forbidden"}}
            ]
        }
    )

    error: SapErrorDetail


ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    400: {"model": SapErrorOut, "description": "Bad request"},
    401: {"description": 'Missing or invalid token: {"error": ..., "error_description": ...}'},
    403: {"model": SapErrorOut, "description": "User does not have sufficient privileges."},
    404: {"model": SapErrorOut, "description": "Not found (or not visible to the caller)"},
    409: {"model": SapErrorOut, "description": "Conflict with the resource's state"},
}
