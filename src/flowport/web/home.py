"""The console's front page, the dashboard, and the environment switcher."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from starlette.concurrency import run_in_threadpool

from flowport.api.routers.session import clear_session_cookie
from flowport.auth.asgi import SESSION_COOKIE
from flowport.errors import NotFound
from flowport.services import dashboard, environments, sessions
from flowport.web.charts import Bar, bar_chart
from flowport.web.console import (
    ENV_COOKIE,
    LOGIN,
    PREFIX,
    ChangerDep,
    ConsoleRoute,
    Viewer,
    ViewerDep,
    redirect,
    render,
)

router = APIRouter(prefix=PREFIX, route_class=ConsoleRoute, include_in_schema=False)


@router.get("")
def console_root() -> RedirectResponse:
    return RedirectResponse(f"{PREFIX}/", status_code=307)


@router.get("/")
def dashboard_page(request: Request, looking: ViewerDep) -> HTMLResponse:
    """What runs and who must act, at a glance; how to call the API; the environment switcher."""
    overview = dashboard.overview(looking.services, looking.actor) if looking.can("instances:read") else None
    access = dashboard.api_access(looking.services, looking.actor)
    chart = None
    if overview is not None:
        bars = [Bar(day.day.strftime("%m-%d"), (day.started, day.completed)) for day in overview.days]
        chart = bar_chart("Instances started and completed per day (UTC)", ("started", "completed"), bars)
    return render(
        request,
        looking,
        "dashboard.html",
        title="Dashboard",
        overview=overview,
        access=access,
        chart=chart,
        switchable=_switchable(looking, [env.name for env in access.environments]),
    )


@router.post("/environment")
async def switch_environment(
    request: Request, looking: ChangerDep, environment: Annotated[str, Form(max_length=64)]
) -> RedirectResponse:
    """Work in another environment: the open mode just switches; a user logs in there (users
    belong to one environment, so the session of this one ends)."""
    await run_in_threadpool(environments.get, looking.services, environment)  # 404 for an unknown one
    if looking.is_open:
        response = redirect(f"{PREFIX}/")
        response.set_cookie(ENV_COOKIE, environment, path=PREFIX, httponly=True, samesite="lax")
        return response
    session = request.cookies.get(SESSION_COOKIE)
    if session:
        await run_in_threadpool(sessions.logout, looking.services, session, looking.csrf_token)
    response = RedirectResponse(f"{LOGIN}?environment={environment}&next={PREFIX}/", status_code=303)
    clear_session_cookie(response, looking.services)
    return response


def _switchable(looking: Viewer, names: list[str]) -> list[str]:
    """The environments offered: to the open mode and to environment administrators, if several exist."""
    if len(names) < 2 or not (looking.is_open or looking.can("admin:environments")):
        return []
    return names


# The last console route (flowport.web.routers keeps it last): an unknown page is a page too.
fallback = APIRouter(prefix=PREFIX, route_class=ConsoleRoute, include_in_schema=False)


@fallback.get("/{path:path}")
def unknown_page(path: str, looking: ViewerDep) -> HTMLResponse:
    raise NotFound(f"There is no console page /console/{path}")
