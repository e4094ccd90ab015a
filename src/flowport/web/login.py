"""Logging in and out of the console: the native API's session (cookie and CSRF token)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request, Response
from fastapi.responses import RedirectResponse
from starlette.concurrency import run_in_threadpool

from flowport.api.deps import ServicesDep
from flowport.api.routers.session import clear_session_cookie, set_session_cookie
from flowport.auth.asgi import SESSION_COOKIE
from flowport.config import DEFAULT_ENV
from flowport.errors import TooManyAttempts, Unauthenticated
from flowport.services import sessions
from flowport.web.console import (
    CSRF_FIELD,
    LOGIN,
    PREFIX,
    ChangerDep,
    ConsoleRoute,
    check_origin,
    redirect,
    render,
    safe_next,
)

router = APIRouter(prefix=PREFIX, route_class=ConsoleRoute, include_in_schema=False)


@router.get("/login")
async def login_page(request: Request, services: ServicesDep, next: str = f"{PREFIX}/") -> Response:
    """The login form; someone already logged in (or the open mode) goes straight on."""
    if services.settings.auth.mode == "open" or await _logged_in(request):
        return redirect(safe_next(next))
    return _form(request, services, next)


@router.post("/login")
async def login(
    request: Request,
    services: ServicesDep,
    username: Annotated[str, Form(max_length=255)],
    password: Annotated[str, Form(max_length=1024)],
    environment: Annotated[str, Form(max_length=64)] = DEFAULT_ENV,
    next: Annotated[str, Form(max_length=2048)] = f"{PREFIX}/",
) -> Response:
    """Check the credentials, set the session cookie and go to the page that asked for the login."""
    check_origin(request)  # login CSRF: another site must not log a browser in as someone else
    try:
        result = await run_in_threadpool(
            sessions.login,
            services,
            username,
            password,
            env=environment.strip() or DEFAULT_ENV,
            source_ip=request.client.host if request.client else None,
        )
    except (Unauthenticated, TooManyAttempts) as exc:
        status = 429 if isinstance(exc, TooManyAttempts) else 401
        return _form(request, services, next, error=exc.detail, username=username, status=status)
    response = redirect(safe_next(next))
    set_session_cookie(response, services, result.session_token)
    return response


@router.post("/logout")
async def logout(request: Request, looking: ChangerDep) -> RedirectResponse:
    """End the session (the form carries its CSRF token) and show the login page."""
    session = request.cookies.get(SESSION_COOKIE)
    if session:
        source_ip = request.client.host if request.client else None
        await run_in_threadpool(
            sessions.logout, looking.services, session, looking.csrf_token, source_ip=source_ip
        )
    response = RedirectResponse(f"{LOGIN}?logged_out=1", status_code=303)
    clear_session_cookie(response, looking.services)
    return response


async def _logged_in(request: Request) -> bool:
    if not request.cookies.get(SESSION_COOKIE):
        return False
    try:
        principal = await request.app.state.authenticator.principal(request, reads_only=True)
    except Unauthenticated:
        return False
    return bool(principal.kind == "user")


def _form(
    request: Request,
    services: ServicesDep,
    next: str,
    *,
    error: str | None = None,
    username: str = "",
    status: int = 200,
) -> Response:
    return render(
        request,
        None,
        "login.html",
        status=status,
        title="Log in",
        next=safe_next(next),
        error=error,
        username=username,
        mode=services.settings.auth.mode,
        logged_out=request.query_params.get("logged_out") == "1",
        csrf_field=CSRF_FIELD,
    )
