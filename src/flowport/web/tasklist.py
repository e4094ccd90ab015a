"""The console's Tasklist: my tasks, my groups' tasks, claim and unclaim, complete with a generated form.

Permissions are the native task routes' (``tasks:read``, ``tasks:assign``, ``tasks:complete``); a
task's OptimaJet commands need what the facade's ``executecommand`` needs (``tasks:complete``).
A person completes a task they claimed (the service refuses any other, and the page says why).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from flowport.api.problems import status_of
from flowport.engine.model import FormField
from flowport.errors import FlowportError, InvalidRequest, NotFound, Unauthenticated
from flowport.services import commands, task_forms, task_lists, tasks
from flowport.services.commands import CommandView
from flowport.services.task_lists import Resume, TaskFilter, TaskOrder, TaskStateFilter
from flowport.services.views import TaskDetail
from flowport.states import TaskState
from flowport.web.console import (
    PREFIX,
    ChangerDep,
    ConsoleRoute,
    Flash,
    Viewer,
    ViewerDep,
    act,
    describe,
    redirect,
    render,
    safe_next,
)

router = APIRouter(prefix=PREFIX, route_class=ConsoleRoute, include_in_schema=False)

LIST = f"{PREFIX}/tasks"
PAGE_SIZE = 50
FIELD_PREFIX = "field."  # a form field's input name: never collides with csrf_token or variables
VIEWS = {"mine": "My tasks", "groups": "My groups' tasks", "all": "All I can see"}
_INPUTS = {"long": "number", "double": "number", "boolean": "checkbox", "date": "date", "enum": "select"}
_HINTS = {
    "long": "A whole number",
    "double": "A number",
    "date": "A date",
}


@dataclass(frozen=True)
class FieldInput:
    """One generated form control for a Camunda form field, with what it shows now."""

    name: str
    dom_id: str
    label: str
    kind: str  # text, number, checkbox, date, select
    value: str
    checked: bool
    required: bool
    readonly: bool
    options: tuple[tuple[str, str], ...]
    attributes: dict[str, str]
    hint: str


# --- the list --------------------------------------------------------------------------------------


@router.get("/tasks")
def task_list(
    request: Request,
    looking: ViewerDep,
    view: str = "mine",
    after: str | None = None,
    at: str | None = None,
) -> HTMLResponse:
    """Ready tasks: assigned to me, offered to my groups (unassigned), or every one I can see."""
    looking.require("tasks:read")
    view = view if view in VIEWS else "mine"
    actor = looking.actor
    matching = _filter(view, actor.subject, actor.groups)
    rows: list[TaskDetail] = []
    if matching is not None:
        rows = task_lists.search(
            looking.services,
            actor,
            matching,
            TaskOrder("created_at", descending=True),
            after=_resume(after, at),
            limit=PAGE_SIZE + 1,
        )
    next_url = None
    if len(rows) > PAGE_SIZE:
        rows = rows[:PAGE_SIZE]
        last = rows[-1].task
        query = {"view": view, "after": last.id, "at": last.created_at.isoformat()}
        next_url = f"{LIST}?{urlencode(query)}"
    here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return render(
        request,
        looking,
        "tasklist.html",
        title="Tasklist",
        view=view,
        views=VIEWS,
        rows=rows,
        next_url=next_url,
        here=here,
        groups=actor.groups,
    )


def _filter(view: str, subject: str | None, groups: tuple[str, ...]) -> TaskFilter | None:
    if view == "mine":
        return TaskFilter(states=(TaskStateFilter(TaskState.READY),), assignee=subject) if subject else None
    if view == "groups":
        if not groups:
            return None
        return TaskFilter(states=(TaskStateFilter(TaskState.READY, assigned=False),), candidate_groups=groups)
    return TaskFilter(states=(TaskStateFilter(TaskState.READY),))


def _resume(after: str | None, at: str | None) -> Resume | None:
    if not after or not at:
        return None
    try:
        return Resume(after, datetime.fromisoformat(at))
    except ValueError:
        raise InvalidRequest(f"'{at}' is not a date and time to resume the list from") from None


# --- one task --------------------------------------------------------------------------------------


@router.get("/tasks/{task_id}")
def task_page(request: Request, task_id: str, looking: ViewerDep) -> HTMLResponse:
    """A task's facts and variables, claim and unclaim, its form and its commands."""
    return _task_page(request, looking, task_id)


def _task_page(
    request: Request,
    looking: Viewer,
    task_id: str,
    *,
    submitted: dict[str, str] | None = None,
    variables_text: str = "{}",
    error: str | None = None,
    status: int = 200,
) -> HTMLResponse:
    looking.require("tasks:read")
    found = task_forms.form(looking.services, looking.actor, task_id)
    task = found.task
    offered = _commands(looking, task.instance_id, task.id) if task.state == TaskState.READY else []
    context: dict[str, Any] = {}
    if error is not None:
        context["flash"] = Flash("error", error)
    return render(
        request,
        looking,
        "task.html",
        title=task.name or task.element_id,
        status=status,
        found=found,
        task=task,
        mine=bool(task.assignee) and task.assignee == looking.actor.subject,
        inputs=[_input(i, f, submitted) for i, f in enumerate(found.fields)],
        variables=[(name, json.dumps(value, ensure_ascii=False)) for name, value in found.variables.items()],
        variables_text=variables_text,
        commands=offered,
        **context,
    )


def _commands(looking: Viewer, instance_id: str, task_id: str) -> list[CommandView]:
    """The task's commands offered to the viewer (none when its instance is not theirs to see)."""
    try:
        offered = commands.available(looking.services, looking.actor, instance_id, looking.actor.subject)
    except NotFound:
        return []
    return [c for c in offered if c.task_id == task_id]


def _input(index: int, field: FormField, submitted: dict[str, str] | None) -> FieldInput:
    kind = _INPUTS.get(field.type, "text")
    typed = task_forms.default_of(field)
    if submitted is not None and not field.readonly:
        text = submitted.get(field.id, "")
        value, checked = text, text.lower() in ("true", "on", "1", "yes")
    else:
        value = "" if typed is None or kind == "checkbox" else str(typed)
        checked = typed is True
    attributes: dict[str, str] = {}
    if kind == "number":
        attributes["step"] = "1" if field.type == "long" else "any"
    for name in ("min", "max") if kind == "number" else ("minlength", "maxlength") if kind == "text" else ():
        limit = task_forms.constraint(field, name)
        if limit is not None:
            attributes[name] = limit
    hint = _HINTS.get(field.type, "")
    if kind == "text" and field.type != "string":
        hint = f"Type: {field.type}"
    return FieldInput(
        name=f"{FIELD_PREFIX}{field.id}",
        dom_id=f"field-{index}",
        label=field.label or field.id,
        kind=kind,
        value=value,
        checked=checked,
        required=field.required,
        readonly=field.readonly,
        options=field.options,
        attributes=attributes,
        hint=hint,
    )


# --- actions ---------------------------------------------------------------------------------------


@router.post("/tasks/{task_id}/claim")
async def claim(request: Request, task_id: str, looking: ChangerDep) -> RedirectResponse:
    looking.require("tasks:assign")
    back = await _back(request, task_id)
    return await act(back, "Task claimed", tasks.claim, looking.services, looking.actor, task_id, None)


@router.post("/tasks/{task_id}/unclaim")
async def unclaim(request: Request, task_id: str, looking: ChangerDep) -> RedirectResponse:
    looking.require("tasks:assign")
    back = await _back(request, task_id)
    return await act(back, "Task unclaimed", tasks.unclaim, looking.services, looking.actor, task_id)


@router.post("/tasks/{task_id}/complete")
async def complete(request: Request, task_id: str, looking: ChangerDep) -> Response:
    """Complete with the generated form's typed values and the JSON editor's variables."""
    looking.require("tasks:complete")
    form = await request.form()
    submitted = {
        key[len(FIELD_PREFIX) :]: value
        for key, value in form.multi_items()
        if key.startswith(FIELD_PREFIX) and isinstance(value, str)
    }
    raw = form.get("variables")
    variables_text = raw if isinstance(raw, str) and raw.strip() else "{}"
    try:
        variables = _variables(variables_text)
        done = await run_in_threadpool(
            task_forms.complete, looking.services, looking.actor, task_id, submitted, variables
        )
    except Unauthenticated:
        raise
    except FlowportError as exc:
        # The page again, with what was typed and why it was refused: nothing was completed.
        return await run_in_threadpool(
            _task_page,
            request,
            looking,
            task_id,
            submitted=submitted,
            variables_text=variables_text,
            error=describe(exc),
            status=status_of(exc),
        )
    return redirect(LIST, Flash("success", f"Task '{done.name or done.element_id}' completed"))


@router.post("/tasks/{task_id}/command")
async def execute_command(request: Request, task_id: str, looking: ChangerDep) -> RedirectResponse:
    """Execute one of the task's OptimaJet commands (what ``executecommand`` needs: tasks:complete)."""
    looking.require("tasks:complete")
    form = await request.form()
    command = form.get("command")
    name = command if isinstance(command, str) else ""
    task = await run_in_threadpool(tasks.get, looking.services, looking.actor, task_id)
    services, actor = looking.services, looking.actor
    try:
        await run_in_threadpool(
            commands.execute, services, actor, task.instance_id, name, actor.subject, task_id=task_id
        )
    except Unauthenticated:
        raise
    except FlowportError as exc:
        return redirect(f"{LIST}/{task_id}", Flash("error", describe(exc)))
    return redirect(LIST, Flash("success", f"Command '{name}' executed"))


async def _back(request: Request, task_id: str) -> str:
    """Where an action returns: the list it was sent from, or the task's page."""
    back = (await request.form()).get("back")
    default = f"{LIST}/{task_id}"
    return safe_next(back) if isinstance(back, str) and back.startswith(LIST) else default


def _variables(text: str) -> dict[str, Any]:
    try:
        value = json.loads(text)
    except ValueError as exc:
        raise InvalidRequest(f"The variables are not valid JSON: {exc}") from None
    if not isinstance(value, dict):
        raise InvalidRequest('The variables must be a JSON object, like {"approved": true}')
    return value
