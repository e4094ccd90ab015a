"""Camunda Tasklist names and shapes to Flowport's services and back.

- A Tasklist *task* is a Flowport user task; ``taskDefinitionId`` is its BPMN element id;
  ``processInstanceKey`` the instance id; ``processDefinitionKey`` the id of the deployed
  definition version (``bpmnProcessId`` is the definition key). Keys are Flowport's ids, strings.
- States: CREATED is READY; COMPLETED and CANCELED are the same.
- Variables travel as JSON text (``"value": "\\"text\\""``); a task's variables are its instance's.
- ``sortValues`` are ``[<sorted date in epoch milliseconds>, <task id>]``, to copy into
  ``searchAfter`` / ``searchBefore`` of the next request.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from flowport.api import json_body
from flowport.compat.camunda_tasklist.schemas import (
    AssignRequest,
    IncludeVariable,
    ProcessDefinitionOut,
    SortOrder,
    TaskOut,
    TaskSearchOut,
    TaskSearchRequest,
    TaskSortField,
    TaskState,
    VariableInput,
    VariableOut,
)
from flowport.errors import InvalidRequest
from flowport.services.task_lists import Resume, TaskFilter, TaskOrder, TaskStateFilter
from flowport.services.views import DefinitionView, TaskDetail
from flowport.states import TaskState as FlowportTaskState

DEFAULT_TENANT = "<default>"
# Tasklist shows at most this many characters of a value unless the full value is asked for.
PREVIEW_LENGTH = 8191

_STATES = {
    TaskState.CREATED: FlowportTaskState.READY,
    TaskState.COMPLETED: FlowportTaskState.COMPLETED,
    TaskState.CANCELED: FlowportTaskState.CANCELED,
}
_TASKLIST_STATES = {flowport: tasklist for tasklist, flowport in _STATES.items()}
_ORDER_FIELDS = {
    TaskSortField.CREATION_TIME: "created_at",
    TaskSortField.COMPLETION_TIME: "ended_at",
    TaskSortField.DUE_DATE: "due_at",
}


# --- requests --------------------------------------------------------------------------------------


def task_filter(request: TaskSearchRequest) -> TaskFilter:
    state = _STATES[request.state] if request.state else None
    wanted = TaskStateFilter(state, request.assigned)
    return TaskFilter(
        states=(wanted,) if wanted != TaskStateFilter() else (),
        assignee=request.assignee,
        candidate_users=(request.candidate_user,) if request.candidate_user else (),
        candidate_groups=(request.candidate_group,) if request.candidate_group else (),
        instance_id=request.process_instance_key,
        definition_id=request.process_definition_key,
        element_id=request.task_definition_id,
    )


def task_order(request: TaskSearchRequest) -> TaskOrder:
    """Newest first unless ``sort`` says otherwise (one field; ties go by task id)."""
    if not request.sort:
        return TaskOrder()
    [by] = request.sort
    column = _ORDER_FIELDS.get(by.field)
    if column is None:
        raise InvalidRequest(f"Sorting by {by.field} is not supported: Flowport tasks have no {by.field}")
    return TaskOrder(column, descending=by.order is SortOrder.DESC)


def resume_points(request: TaskSearchRequest) -> tuple[Resume | None, Resume | None]:
    """(after, before) from the one of searchAfter / searchAfterOrEqual / searchBefore(OrEqual) given."""
    given = {
        name: values
        for name, values in (
            ("searchAfter", request.search_after),
            ("searchAfterOrEqual", request.search_after_or_equal),
            ("searchBefore", request.search_before),
            ("searchBeforeOrEqual", request.search_before_or_equal),
        )
        if values is not None
    }
    if len(given) > 1:
        raise InvalidRequest(f"Give only one of {', '.join(given)}")
    if not given:
        return None, None
    [(name, values)] = given.items()
    resume = _resume(name, values, inclusive=name.endswith("OrEqual"))
    return (resume, None) if name.startswith("searchAfter") else (None, resume)


def _resume(name: str, values: Sequence[str], *, inclusive: bool) -> Resume:
    if len(values) != 2 or not values[0].lstrip("-").isdigit() or not values[1]:
        raise InvalidRequest(f"{name} takes the sortValues of a task from a previous page: [<date>, <id>]")
    try:
        at = datetime.fromtimestamp(int(values[0]) / 1000, UTC)
    except (OverflowError, OSError, ValueError) as exc:
        raise InvalidRequest(f"{name}: {values[0]} is not a date in epoch milliseconds") from exc
    return Resume(values[1], at, inclusive)


def may_override(request: AssignRequest, *, person: bool) -> bool:
    """Tasklist takes an assigned task from its assignee only for an API client that allows it."""
    return request.allow_override_assignment and not person


def variable_names(include: list[IncludeVariable] | None) -> list[str] | None:
    return [v.name for v in include] if include else None


def parsed_variables(variables: list[VariableInput]) -> dict[str, Any]:
    """Tasklist's ``[{"name", "value": "<JSON text>"}]`` as values; a bad one is a 400 naming it."""
    values: dict[str, Any] = {}
    for index, variable in enumerate(variables):
        if variable.name in values:
            raise InvalidRequest(f"variables[{index}]: '{variable.name}' is given more than once")
        try:
            values[variable.name] = json_body.loads(variable.value)
        except json_body.JsonBodyError as exc:
            raise InvalidRequest(
                f"variables[{index}].value of '{variable.name}' is not JSON text ({exc.detail}); "
                'a string is sent quoted, e.g. "\\"approved\\""'
            ) from exc
    return values


# --- responses -------------------------------------------------------------------------------------


def camunda_date(at: datetime | None) -> str | None:
    """Tasklist's date format, ``yyyy-MM-dd'T'HH:mm:ss.SSSZ`` in UTC."""
    if at is None:
        return None
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{at.microsecond // 1000:03d}+0000"


def task_out(detail: TaskDetail) -> TaskOut:
    return TaskOut(**_task_fields(detail))


def search_out(
    details: list[TaskDetail], order: TaskOrder, include: list[IncludeVariable] | None, *, from_start: bool
) -> list[TaskSearchOut]:
    full = {v.name for v in include or () if v.always_return_full_value}
    return [
        TaskSearchOut(
            **_task_fields(detail),
            sort_values=sort_values(detail, order),
            is_first=from_start and index == 0,
            variables=variables_out(detail.task.id, detail.variables, full)
            if detail.variables is not None
            else None,
        )
        for index, detail in enumerate(details)
    ]


def sort_values(detail: TaskDetail, order: TaskOrder) -> list[str]:
    """``[<sorted date in epoch ms>, <task id>]``; a task without the date sorts at the far future."""
    return [str(int(order.value(detail.task).timestamp() * 1000)), detail.task.id]


def _task_fields(detail: TaskDetail) -> dict[str, Any]:
    task = detail.task
    return {
        "id": task.id,
        "name": task.name or task.element_id,
        "task_definition_id": task.element_id,
        "process_name": detail.process_name or detail.definition_key,
        "creation_date": camunda_date(task.created_at),
        "completion_date": camunda_date(task.ended_at),
        "assignee": task.assignee,
        "task_state": _TASKLIST_STATES[task.state],
        "process_definition_key": detail.definition_id,
        "process_instance_key": task.instance_id,
        "tenant_id": DEFAULT_TENANT,
        "due_date": camunda_date(task.due_at),
        "candidate_groups": task.candidate_groups,
        "candidate_users": task.candidate_users,
    }


def variables_out(
    task_id: str, values: dict[str, Any], full_values: set[str] | None = None, *, always_full: bool = False
) -> list[VariableOut]:
    """Each value as JSON text, with its preview; a long value is left out unless asked for in full."""
    out = []
    for name in sorted(values):
        text = json.dumps(values[name], ensure_ascii=False, separators=(",", ":"))
        truncated = len(text) > PREVIEW_LENGTH
        keep_full = always_full or not truncated or name in (full_values or ())
        out.append(
            VariableOut(
                id=f"{task_id}-{name}",
                name=name,
                value=text if keep_full else None,
                preview_value=text[:PREVIEW_LENGTH],
                is_value_truncated=truncated,
            )
        )
    return out


def definition_out(view: DefinitionView) -> ProcessDefinitionOut:
    return ProcessDefinitionOut(
        key=view.id, name=view.name, version=view.version, bpmn_process_id=view.key, tenant_id=DEFAULT_TENANT
    )
