"""Request and response bodies of the Camunda 8.5 Tasklist REST API (and Operate's definition search).

Field names, enum values and defaults are Camunda's. Requests are strict: an unknown field or a
value of the wrong JSON type is a 400 naming it (Camunda would drop an unknown field silently; a
filter Flowport does not know must not widen a search without telling).
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel

MAX_PAGE_SIZE = 1000


def _optional_name() -> Any:
    return Field(default=None, max_length=255)


class CamundaIn(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="forbid", strict=True)


class CamundaOut(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True)


class TaskState(StrEnum):
    """Tasklist's task states (Flowport's READY is CREATED)."""

    CREATED = "CREATED"
    COMPLETED = "COMPLETED"
    CANCELED = "CANCELED"


class TaskSortField(StrEnum):
    CREATION_TIME = "creationTime"
    COMPLETION_TIME = "completionTime"
    FOLLOW_UP_DATE = "followUpDate"
    DUE_DATE = "dueDate"


class SortOrder(StrEnum):
    ASC = "ASC"
    DESC = "DESC"


class TaskOrderBy(CamundaIn):
    field: TaskSortField = Field(strict=False)
    order: SortOrder = Field(default=SortOrder.DESC, strict=False)


class IncludeVariable(CamundaIn):
    name: str = Field(min_length=1, max_length=255)
    always_return_full_value: bool = False


SortValues = list[str]


class TaskSearchRequest(CamundaIn):
    """``POST /v1/tasks/search``: every filter is optional; ``{}`` lists every visible task."""

    state: TaskState | None = Field(default=None, strict=False)
    assigned: bool | None = None
    assignee: str | None = _optional_name()
    task_definition_id: str | None = _optional_name()
    candidate_group: str | None = _optional_name()
    candidate_user: str | None = _optional_name()
    process_definition_key: str | None = _optional_name()
    process_instance_key: str | None = _optional_name()
    page_size: int = Field(default=50, ge=1, le=MAX_PAGE_SIZE)
    sort: list[TaskOrderBy] | None = Field(default=None, max_length=1)
    search_after: SortValues | None = Field(default=None, max_length=2)
    search_after_or_equal: SortValues | None = Field(default=None, max_length=2)
    search_before: SortValues | None = Field(default=None, max_length=2)
    search_before_or_equal: SortValues | None = Field(default=None, max_length=2)
    include_variables: list[IncludeVariable] | None = Field(default=None, max_length=200)


class AssignRequest(CamundaIn):
    assignee: str | None = Field(default=None, min_length=1, max_length=255)
    allow_override_assignment: bool = True


class VariableInput(CamundaIn):
    name: str = Field(min_length=1, max_length=255)
    value: str = Field(description="The value as JSON text, e.g. '\"text\"', '42' or '{\"a\": 1}'")


class CompleteRequest(CamundaIn):
    variables: list[VariableInput] = Field(default_factory=list, max_length=1000)


class VariablesSearchRequest(CamundaIn):
    variable_names: list[str] | None = Field(default=None, max_length=1000)
    include_variables: list[IncludeVariable] | None = Field(default=None, max_length=1000)


class VariableOut(CamundaOut):
    id: str
    name: str
    value: str | None
    preview_value: str
    is_value_truncated: bool


class VariableSearchOut(VariableOut):
    draft: None = None


class TaskOut(CamundaOut):
    """``TaskResponse``: what get, assign, unassign and complete answer."""

    id: str
    name: str
    task_definition_id: str
    process_name: str
    creation_date: str
    completion_date: str | None
    assignee: str | None
    task_state: TaskState
    form_key: str | None = None
    form_id: str | None = None
    form_version: int | None = None
    is_form_embedded: bool | None = None
    process_definition_key: str | None
    process_instance_key: str
    tenant_id: str
    due_date: str | None
    follow_up_date: str | None = None
    candidate_groups: list[str]
    candidate_users: list[str]


class TaskSearchOut(TaskOut):
    """``TaskSearchResponse``: a task in a search, with the values that resume paging from it."""

    sort_values: SortValues
    is_first: bool
    variables: list[VariableOut] | None = None


class ProcessDefinitionFilter(CamundaIn):
    key: str | None = _optional_name()
    bpmn_process_id: str | None = _optional_name()
    tenant_id: str | None = _optional_name()


class ProcessDefinitionSearchRequest(CamundaIn):
    """Operate's ``POST /v1/process-definitions/search``; ``searchAfter``: the previous ``sortValues``."""

    filter: ProcessDefinitionFilter | None = None
    size: int = Field(default=10, ge=1, le=MAX_PAGE_SIZE)
    search_after: list[str] | None = Field(default=None, max_length=1)


class ProcessDefinitionOut(CamundaOut):
    key: str
    name: str | None
    version: int
    bpmn_process_id: str
    tenant_id: str


class ProcessDefinitionPageOut(CamundaOut):
    items: list[ProcessDefinitionOut]
    sort_values: list[str] | None
    total: int


class ErrorOut(CamundaOut):
    status: int
    message: str
    instance: str


ERROR_EXAMPLE: dict[str, Any] = {
    "status": 404,
    "message": "Task 2251799813685251 does not exist",
    "instance": "0b3c2a7e-8a54-4d21-9d0e-3f1c6f0b8c11",
}
