"""Camunda 8.5 Tasklist REST API v1 (``/v1/tasks``) and Operate's ``POST /v1/process-definitions/search``.

Searches are POSTs that only read: they declare ``reads_only`` so a session cookie needs no CSRF
header for them, as for a GET; assign, unassign and complete are changes and need it.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Path

from flowport.api.deps import UseCaseContext, require
from flowport.compat.camunda_tasklist import mapping, search
from flowport.compat.camunda_tasklist.errors import CamundaRoute
from flowport.compat.camunda_tasklist.schemas import (
    ERROR_EXAMPLE,
    AssignRequest,
    CompleteRequest,
    ErrorOut,
    ProcessDefinitionPageOut,
    ProcessDefinitionSearchRequest,
    TaskOut,
    TaskSearchOut,
    TaskSearchRequest,
    VariableSearchOut,
    VariablesSearchRequest,
)
from flowport.errors import InvalidRequest, NotFound
from flowport.services import definitions, task_lists, tasks

TAG = "Camunda Tasklist"
_ERRORS: dict[int | str, dict[str, Any]] = {
    status: {
        "model": ErrorOut,
        "description": description,
        "content": {"application/json": {"example": {**ERROR_EXAMPLE, "status": status}}},
    }
    for status, description in (
        (400, "Invalid request, or a task that is not active / not assigned to the caller"),
        (401, "No credential, or a bad one"),
        (403, "The caller lacks the permission"),
        (404, "No such task visible to the caller"),
    )
}

router = APIRouter(prefix="/v1", tags=[TAG], route_class=CamundaRoute, responses=_ERRORS)

Searcher = Annotated[UseCaseContext, Depends(require("tasks:read", reads_only=True))]
Reader = Annotated[UseCaseContext, Depends(require("tasks:read"))]
Assigner = Annotated[UseCaseContext, Depends(require("tasks:assign"))]
Completer = Annotated[UseCaseContext, Depends(require("tasks:complete"))]
DefinitionSearcher = Annotated[UseCaseContext, Depends(require("definitions:read", reads_only=True))]
TaskId = Annotated[str, Path(alias="taskId", max_length=64, description="The task's id (from a search)")]

_SEARCH_EXAMPLES = {
    "open": {"summary": "Open tasks of a group", "value": {"state": "CREATED", "candidateGroup": "managers"}},
    "next page": {
        "summary": "The page after a task",
        "value": {"pageSize": 20, "searchAfter": ["1711962000123", "5b0c6f9e-2f1e-4f7a-9b8e-0d7f6a1c2b3d"]},
    },
    "with variables": {
        "summary": "Oldest first, with a variable",
        "value": {
            "sort": [{"field": "creationTime", "order": "ASC"}],
            "includeVariables": [{"name": "amount"}],
        },
    },
}
_COMPLETE_EXAMPLES = {
    "approve": {
        "summary": "Variables as JSON text",
        "value": {"variables": [{"name": "approved", "value": "true"}, {"name": "note", "value": '"ok"'}]},
    }
}


@router.post("/tasks/search", response_model=list[TaskSearchOut])
def search_tasks(
    use: Searcher,
    request: Annotated[TaskSearchRequest | None, Body(openapi_examples=_SEARCH_EXAMPLES)] = None,
) -> list[TaskSearchOut]:
    """Search tasks: a JSON array, each with ``sortValues`` to copy into ``searchAfter``/``searchBefore``."""
    request = request or TaskSearchRequest()
    return search.search_tasks(use, request, request.include_variables)


@router.get("/tasks/{taskId}", response_model=TaskOut)
def get_task(task_id: TaskId, use: Reader) -> TaskOut:
    return mapping.task_out(task_lists.get(use.services, use.actor, task_id))


@router.patch("/tasks/{taskId}/assign", response_model=TaskOut)
def assign_task(
    task_id: TaskId,
    use: Assigner,
    request: Annotated[
        AssignRequest | None, Body(examples=[{"assignee": "demo", "allowOverrideAssignment": False}])
    ] = None,
) -> TaskOut:
    """Assign a task. A person may leave ``assignee`` out (themselves) and takes no task from another
    person; an API client names the assignee and may take the task over (``allowOverrideAssignment``)."""
    request = request or AssignRequest()
    assignee = request.assignee or (use.actor.subject if use.person else None)
    if not assignee:
        raise InvalidRequest("Assignee must be specified")
    view = tasks.assign(
        use.services,
        use.actor,
        task_id,
        assignee,
        allow_override=mapping.may_override(request, person=use.person),
    )
    return mapping.task_out(task_lists.details(use.services, use.actor, view))


@router.patch("/tasks/{taskId}/unassign", response_model=TaskOut)
def unassign_task(task_id: TaskId, use: Assigner) -> TaskOut:
    view = tasks.unclaim(use.services, use.actor, task_id, require_assigned=True)
    return mapping.task_out(task_lists.details(use.services, use.actor, view))


@router.patch("/tasks/{taskId}/complete", response_model=TaskOut)
def complete_task(
    task_id: TaskId,
    use: Completer,
    request: Annotated[CompleteRequest | None, Body(openapi_examples=_COMPLETE_EXAMPLES)] = None,
) -> TaskOut:
    """Complete a task; a person must be its assignee (400 otherwise), as in Tasklist."""
    values = mapping.parsed_variables(request.variables if request else [])
    view = tasks.complete(use.services, use.actor, task_id, values, assignee_only=use.person)
    return mapping.task_out(task_lists.details(use.services, use.actor, view))


@router.post("/tasks/{taskId}/variables/search", response_model=list[VariableSearchOut])
def search_task_variables(
    task_id: TaskId,
    use: Searcher,
    request: Annotated[
        VariablesSearchRequest | None, Body(examples=[{"variableNames": ["amount", "approved"]}])
    ] = None,
) -> list[VariableSearchOut]:
    """The task's variables (its instance's), all or those named in ``variableNames``."""
    names = request.variable_names if request else None
    values = task_lists.variables(use.services, use.actor, task_id, names)
    return [
        VariableSearchOut(**v.model_dump()) for v in mapping.variables_out(task_id, values, always_full=True)
    ]


@router.post("/process-definitions/search", response_model=ProcessDefinitionPageOut)
def search_process_definitions(
    use: DefinitionSearcher,
    request: Annotated[
        ProcessDefinitionSearchRequest | None,
        Body(examples=[{"filter": {"bpmnProcessId": "approval"}, "size": 10}]),
    ] = None,
) -> ProcessDefinitionPageOut:
    """Deployed process versions, newest first (Operate's shape: ``items``, ``sortValues``, ``total``)."""
    request = request or ProcessDefinitionSearchRequest()
    wanted = request.filter
    if wanted is not None and wanted.tenant_id not in (None, mapping.DEFAULT_TENANT):
        raise InvalidRequest(f"Flowport has one tenant, {mapping.DEFAULT_TENANT}")
    if wanted is not None and wanted.key:  # one version by its key: found or an empty page, as a search
        try:
            found = [definitions.get(use.services, use.actor, wanted.key)]
        except NotFound:
            found = []
        found = [v for v in found if wanted.bpmn_process_id in (None, v.key)]
        return ProcessDefinitionPageOut(
            items=[mapping.definition_out(v) for v in found], sort_values=None, total=len(found)
        )
    key = wanted.bpmn_process_id if wanted else None
    cursor = request.search_after[0] if request.search_after else None
    page = definitions.list_definitions(use.services, use.actor, key, False, cursor, request.size)
    return ProcessDefinitionPageOut(
        items=[mapping.definition_out(v) for v in page.items],
        sort_values=[page.next_cursor] if page.next_cursor else None,
        total=definitions.count_definitions(use.services, use.actor, key),
    )
