"""The console's front page: the dashboard."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from flowport.errors import NotFound
from flowport.web.console import PREFIX, ConsoleRoute, ViewerDep, render

router = APIRouter(prefix=PREFIX, route_class=ConsoleRoute, include_in_schema=False)


@router.get("")
def console_root() -> RedirectResponse:
    return RedirectResponse(f"{PREFIX}/", status_code=307)


@router.get("/")
def dashboard(request: Request, looking: ViewerDep) -> HTMLResponse:
    """What runs and who must act, at a glance."""
    return render(request, looking, "dashboard.html", title="Dashboard")


# The last console route (flowport.web.routers keeps it last): an unknown page is a page too.
fallback = APIRouter(prefix=PREFIX, route_class=ConsoleRoute, include_in_schema=False)


@fallback.get("/{path:path}")
def unknown_page(path: str, looking: ViewerDep) -> HTMLResponse:
    raise NotFound(f"There is no console page /console/{path}")
