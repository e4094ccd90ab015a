"""The console's instances pages: the list (filters, cursor paging), an instance's page and its actions.

Each page and action checks the permission of the native API route for the same operation
(``flowport.api.routers.instances`` and ``jobs``): reading needs ``instances:read``, every action
``instances:manage``; the tasks, jobs and diagram sections need what their own routes need.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from flowport.api.json_body import JsonBodyError, loads
from flowport.errors import FlowportError
from flowport.services import definitions, instance_queries, instances, jobs, tasks
from flowport.services.views import IncidentView, InstanceView, JobView, TaskView
from flowport.states import InstanceStatus
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
)
from flowport.web.diagram import render_svg
from flowport.web.form_dates import day_range

router = APIRouter(prefix=f"{PREFIX}/instances", route_class=ConsoleRoute, include_in_schema=False)

READ, MANAGE = "instances:read", "instances:manage"
DEFAULT_LIMIT, MAX_LIMIT = 50, 1000
HISTORY_PAGE = 200
SECTION_LIMIT = 100  # open tasks, jobs and incidents shown on an instance's page
MAX_VARIABLES_TEXT = 1_000_000


# --- the list --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ListFilters:
    """The list's filters as the form sent them (kept as text, so the form shows them again)."""

    status: str = ""
    definition_key: str = ""
    business_key: str = ""
    started_from: str = ""
    started_to: str = ""
    limit: int = DEFAULT_LIMIT

    def query(self, cursor: str | None = None) -> str:
        """The query string of these filters (and a cursor): the next-page link keeps them."""
        values = {
            "status": self.status,
            "definitionKey": self.definition_key,
            "businessKey": self.business_key,
            "startedFrom": self.started_from,
            "startedTo": self.started_to,
            "limit": str(self.limit) if self.limit != DEFAULT_LIMIT else "",
            "cursor": cursor or "",
        }
        return urlencode({k: v for k, v in values.items() if v})


@router.get("")
def instance_list(
    request: Request,
    looking: ViewerDep,
    status: str = "",
    definition_key: Annotated[str, Query(alias="definitionKey", max_length=255)] = "",
    business_key: Annotated[str, Query(alias="businessKey", max_length=255)] = "",
    started_from: Annotated[str, Query(alias="startedFrom", max_length=32)] = "",
    started_to: Annotated[str, Query(alias="startedTo", max_length=32)] = "",
    limit: int = DEFAULT_LIMIT,
    cursor: str = "",
) -> HTMLResponse:
    """Instances newest first, filtered like ``GET /api/v1/process-instances``, a page at a time."""
    looking.require(READ)
    filters = ListFilters(
        status.strip().upper(),
        definition_key.strip(),
        business_key.strip(),
        started_from.strip(),
        started_to.strip(),
        min(max(limit, 1), MAX_LIMIT),
    )
    items: list[InstanceView] = []
    next_url, error = None, None
    try:
        started_after, started_before = day_range(filters.started_from, filters.started_to)
        page = instances.search(
            looking.services,
            looking.actor,
            status=filters.status or None,
            definition_key=filters.definition_key or None,
            business_key=filters.business_key or None,
            started_after=started_after,
            started_before=started_before,
            cursor=cursor or None,
            limit=filters.limit,
        )
        items = page.items
        if page.next_cursor:
            next_url = f"{PREFIX}/instances?{filters.query(page.next_cursor)}"
    except FlowportError as exc:  # a bad filter or cursor: say so above the form, keep the form
        error = describe(exc)
    return render(
        request,
        looking,
        "instances.html",
        title="Instances",
        status=400 if error else 200,
        filters=filters,
        statuses=[s.value for s in InstanceStatus],
        items=items,
        next_url=next_url,
        error=error,
        paged=bool(cursor),
        first_url=f"{PREFIX}/instances?{filters.query()}",
    )


# --- one instance ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Diagram:
    svg: str | None
    problem: str | None  # why there is no diagram


def _diagram(looking: Viewer, view: InstanceView) -> Diagram:
    if not looking.can("definitions:read"):
        return Diagram(None, "Showing the diagram needs the permission definitions:read")
    try:
        xml = definitions.get_xml(looking.services, looking.actor, view.definition_id)
        progress = instance_queries.element_progress(looking.services, looking.actor, view.id)
        svg = render_svg(
            xml,
            active=progress.active,
            completed=progress.completed,
            embed_style=False,
            label=f"Diagram of {view.definition_key}",
        )
    except FlowportError as exc:  # a deleted definition, or a document that cannot be drawn
        return Diagram(None, describe(exc))
    return Diagram(svg, None)


@router.get("/{instance_id}")
def instance_page(
    request: Request, looking: ViewerDep, instance_id: str, history_after: int = 0
) -> HTMLResponse:
    """An instance: facts, diagram, variables, history, open tasks, jobs and incidents, actions."""
    looking.require(READ)
    services, actor = looking.services, looking.actor
    view = instances.get(services, actor, instance_id)
    history = instances.history(services, actor, instance_id, max(history_after, 0), HISTORY_PAGE)
    open_tasks: list[TaskView] | None = None
    if looking.can("tasks:read"):
        open_tasks = tasks.search(services, actor, instance_id=instance_id, limit=SECTION_LIMIT).items
    open_jobs: list[JobView] | None = None
    if looking.can("jobs:work"):
        open_jobs = jobs.search(services, actor, None, instance_id, None, SECTION_LIMIT).items
    incidents: list[IncidentView] = jobs.search_incidents(
        services, actor, instance_id, True, None, SECTION_LIMIT
    ).items
    manage = looking.can(MANAGE) and not view.status.ended
    movable = instance_queries.movable_elements(services, actor, instance_id) if manage else []
    return render(
        request,
        looking,
        "instance.html",
        title=f"Instance {view.id}",
        instance=view,
        diagram=_diagram(looking, view),
        variables_json=json.dumps(view.variables, indent=2, sort_keys=True, ensure_ascii=False),
        history=history.items,
        history_next=(
            f"{PREFIX}/instances/{view.id}?history_after={history.next_cursor}"
            if history.next_cursor
            else None
        ),
        open_tasks=open_tasks,
        open_jobs=open_jobs,
        incidents=incidents,
        manage=manage,
        movable=sorted(movable, key=lambda e: (e.name or e.id).lower()),
        pretty=_pretty,
    )


def _pretty(value: Any) -> str:
    """A history entry's details as compact JSON text (autoescaped by the template)."""
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


# --- actions ---------------------------------------------------------------------------------------


def _back(instance_id: str) -> str:
    return f"{PREFIX}/instances/{instance_id}"


@router.post("/{instance_id}/cancel")
async def cancel(instance_id: str, looking: ChangerDep) -> RedirectResponse:
    looking.require(MANAGE)
    done = "The instance was canceled"
    return await act(_back(instance_id), done, instances.cancel, looking.services, looking.actor, instance_id)


@router.post("/{instance_id}/suspend")
async def suspend(instance_id: str, looking: ChangerDep) -> RedirectResponse:
    looking.require(MANAGE)
    done = "The instance was suspended"
    return await act(
        _back(instance_id), done, instances.suspend, looking.services, looking.actor, instance_id
    )


@router.post("/{instance_id}/resume")
async def resume(instance_id: str, looking: ChangerDep) -> RedirectResponse:
    looking.require(MANAGE)
    done = "The instance was resumed"
    return await act(_back(instance_id), done, instances.resume, looking.services, looking.actor, instance_id)


@router.post("/{instance_id}/move")
async def move(
    instance_id: str,
    looking: ChangerDep,
    to_element_id: Annotated[str, Form(max_length=255)] = "",
    from_element_id: Annotated[str, Form(max_length=255)] = "",
) -> RedirectResponse:
    """Move the token (``POST /api/v1/process-instances/{id}/move``: to, and optionally from)."""
    looking.require(MANAGE)
    back = _back(instance_id)
    if not to_element_id:
        return redirect(back, Flash("error", "Choose the element to move the token to"))
    done = f"The token was moved to {to_element_id}"
    services, actor = looking.services, looking.actor
    return await act(
        back, done, instances.move, services, actor, instance_id, to_element_id, from_element_id or None
    )


@router.post("/{instance_id}/variables")
async def replace_variables(
    instance_id: str,
    looking: ChangerDep,
    variables: Annotated[str, Form(max_length=MAX_VARIABLES_TEXT)] = "",
) -> RedirectResponse:
    """Replace the variables with the edited JSON object (``PUT .../variables``); bad JSON changes nothing."""
    looking.require(MANAGE)
    back = _back(instance_id)
    try:
        value = loads(variables)
    except JsonBodyError as exc:
        return redirect(back, Flash("error", exc.detail.replace("The body is", "The variables are", 1)))
    if not isinstance(value, dict):
        return redirect(back, Flash("error", 'The variables must be one JSON object, like {"name": "value"}'))
    done = "The variables were saved"
    services, actor = looking.services, looking.actor
    return await act(back, done, instances.set_variables, services, actor, instance_id, value, replace=True)


@router.post("/{instance_id}/incidents/{incident_id}/resolve")
async def resolve_incident(
    instance_id: str,
    incident_id: str,
    looking: ChangerDep,
    retries: Annotated[int, Form(ge=1, le=1000)] = 1,
) -> RedirectResponse:
    """Retry what failed (``POST /api/v1/incidents/{id}/resolve``, with retries for a failed job)."""
    looking.require(MANAGE)
    done = "The incident was resolved"
    services, actor = looking.services, looking.actor
    return await act(_back(instance_id), done, jobs.resolve_incident, services, actor, incident_id, retries)
