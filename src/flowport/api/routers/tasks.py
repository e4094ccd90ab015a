"""User tasks: search, read, claim, unclaim, complete."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from flowport.api.deps import UseCaseContext, require
from flowport.api.native import NativeRoute
from flowport.api.schemas import ClaimIn, CompleteTaskIn, PageOut, TaskOut
from flowport.services import tasks

router = APIRouter(prefix="/api/v1/tasks", tags=["tasks"], route_class=NativeRoute)

Reader = Annotated[UseCaseContext, Depends(require("tasks:read"))]
Assigner = Annotated[UseCaseContext, Depends(require("tasks:assign"))]
Completer = Annotated[UseCaseContext, Depends(require("tasks:complete"))]


@router.get("", response_model=PageOut[TaskOut])
def search_tasks(
    use: Reader,
    state: str | None = Query(default="READY", description="READY (default), COMPLETED or CANCELED"),
    assignee: str | None = None,
    candidate_user: Annotated[str | None, Query(alias="candidateUser")] = None,
    candidate_group: Annotated[str | None, Query(alias="candidateGroup")] = None,
    process_instance_id: Annotated[str | None, Query(alias="processInstanceId")] = None,
    definition_key: Annotated[str | None, Query(alias="definitionKey")] = None,
    element_id: Annotated[str | None, Query(alias="elementId")] = None,
    limit: int = Query(default=50, ge=1, le=1000),
    cursor: str | None = None,
) -> PageOut[TaskOut]:
    page = tasks.search(
        use.services,
        use.actor,
        state=state,
        assignee=assignee,
        candidate_user=candidate_user,
        candidate_group=candidate_group,
        instance_id=process_instance_id,
        definition_key=definition_key,
        element_id=element_id,
        cursor=cursor,
        limit=limit,
    )
    return PageOut[TaskOut].model_validate(page)


@router.get("/{task_id}", response_model=TaskOut)
def get_task(task_id: str, use: Reader) -> TaskOut:
    return TaskOut.model_validate(tasks.get(use.services, use.actor, task_id))


@router.post("/{task_id}/claim", response_model=TaskOut)
def claim_task(task_id: str, use: Assigner, body: ClaimIn | None = None) -> TaskOut:
    return TaskOut.model_validate(
        tasks.claim(use.services, use.actor, task_id, body.assignee if body else None)
    )


@router.post("/{task_id}/unclaim", response_model=TaskOut)
def unclaim_task(task_id: str, use: Assigner) -> TaskOut:
    return TaskOut.model_validate(tasks.unclaim(use.services, use.actor, task_id))


@router.post("/{task_id}/complete", response_model=TaskOut)
def complete_task(task_id: str, use: Completer, body: CompleteTaskIn | None = None) -> TaskOut:
    """Complete a ready task; a task that is no longer ready is a 409."""
    return TaskOut.model_validate(
        tasks.complete(use.services, use.actor, task_id, body.variables if body else {})
    )
