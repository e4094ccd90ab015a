"""The web console's edge kit: its route class, who is looking (:class:`Viewer`), pages and actions.

Pages are rendered on the server with Jinja2 (autoescaping on: names, variables and BPMN labels are
attacker-controlled). A page reaches data through the services only, like every other edge, and
checks the same permission the native API's route for that operation declares: the console hides
what a user may not do, and refuses it anyway when asked.

Sign-in is the native API's session (``flowport_session`` cookie). A change is a form ``POST``
carrying the session's CSRF token as a field (a plain form sends no header); every ``POST`` must
also come from this origin when the browser says where it comes from (``Origin``), which covers the
login form and the open mode too.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote, urlencode, urlsplit

from fastapi import Depends, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.templating import Jinja2Templates
from starlette.concurrency import run_in_threadpool

from flowport import __version__
from flowport.api.deps import INSUFFICIENT, actor_of, services_of
from flowport.api.edge import EdgeRoute
from flowport.api.problems import challenge_headers, status_of
from flowport.auth.asgi import SESSION_COOKIE, Authenticator
from flowport.auth.principal import Principal
from flowport.errors import (
    CsrfTokenRequired,
    FlowportError,
    PermissionDenied,
    Unauthenticated,
)
from flowport.services import sessions
from flowport.services.context import Actor, Services

PREFIX = "/console"
LOGIN = f"{PREFIX}/login"
STATIC_PREFIX = f"{PREFIX}/static/"
CSRF_FIELD = "csrf_token"
FLASH_COOKIE = "flowport_flash"
ENV_COOKIE = "flowport_console_env"  # open mode only: the environment the console shows

TEMPLATES = Jinja2Templates(directory=Path(__file__).parent / "templates")
TEMPLATES.env.trim_blocks = True
TEMPLATES.env.lstrip_blocks = True


def duration(seconds: int | float) -> str:
    """``3600`` as ``1 h``, ``2592000`` as ``30 d``: lifetimes and ages as people read them."""
    value = int(seconds)
    for unit, size in (("d", 86400), ("h", 3600), ("min", 60)):
        if value >= size and value % size == 0:
            return f"{value // size} {unit}"
    return f"{value} s"


TEMPLATES.env.filters["duration"] = duration

# Scripts, styles and images from this origin only, no inline script or style; nothing may frame
# a page; forms post only here. The API page's test requests go to this origin (connect-src).
CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "form-action 'self'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
    )
)
PAGE_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Frame-Options": "DENY",
    # Same-origin requests keep the page they came from; nothing leaves for another origin.
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}

# --- who is looking --------------------------------------------------------------------------------


@dataclass(frozen=True)
class NavItem:
    label: str
    href: str
    permission: str | None


NAVIGATION: tuple[NavItem, ...] = (
    NavItem("Dashboard", f"{PREFIX}/", None),
    NavItem("Definitions", f"{PREFIX}/definitions", "definitions:read"),
    NavItem("Instances", f"{PREFIX}/instances", "instances:read"),
    NavItem("Tasklist", f"{PREFIX}/tasks", "tasks:read"),
    NavItem("API", f"{PREFIX}/api", None),
    NavItem("Clients", f"{PREFIX}/clients", "admin:clients"),
    NavItem("Users", f"{PREFIX}/users", "admin:users"),
    NavItem("Keys", f"{PREFIX}/keys", "admin:keys"),
    NavItem("Environments", f"{PREFIX}/environments", "admin:environments"),
    NavItem("Audit", f"{PREFIX}/audit", "admin:audit"),
)


@dataclass(frozen=True)
class Viewer:
    """The person using the console (or anyone, in the explicit ``open`` mode) and their session."""

    services: Services
    principal: Principal
    csrf_token: str  # empty in open mode (there is no session)

    @property
    def actor(self) -> Actor:
        return actor_of(self.principal)

    @property
    def name(self) -> str:
        return self.principal.subject

    @property
    def env(self) -> str:
        return self.principal.env

    @property
    def is_open(self) -> bool:
        return self.principal.kind == "open"

    def can(self, permission: str) -> bool:
        return permission in self.principal.permissions

    def require(self, permission: str) -> None:
        """Refuse (403, naming it) unless the viewer holds ``permission``: the page hid it, too."""
        if not self.can(permission):
            raise PermissionDenied(INSUFFICIENT, missingPermission=permission)

    def navigation(self) -> list[NavItem]:
        return [item for item in NAVIGATION if item.permission is None or self.can(item.permission)]


async def viewer(request: Request) -> Viewer:
    """Who is looking: the session's user (or the open mode); anyone else is sent to the login page."""
    authenticator: Authenticator = request.app.state.authenticator
    principal = await authenticator.principal(request, reads_only=True)
    if principal.kind not in ("user", "open"):
        raise Unauthenticated("The console needs a login")
    chosen = request.cookies.get(ENV_COOKIE)
    if principal.kind == "open" and chosen:  # the open mode works in any environment it is told
        principal = replace(principal, env=chosen[:64])
    services = await services_of(request)
    session = request.cookies.get(SESSION_COOKIE, "")
    csrf = sessions.csrf_token_for(services, session) if principal.kind == "user" else ""
    looking = Viewer(services, principal, csrf)
    request.state.console_viewer = looking  # the error page shows the same navigation
    return looking


async def changer(request: Request) -> Viewer:
    """A viewer sending a change: same origin, and the session's CSRF token as a form field."""
    check_origin(request)
    looking = await viewer(request)
    form = await request.form()  # kept on the request: the route reads the same form again
    token = form.get(CSRF_FIELD)
    authenticator: Authenticator = request.app.state.authenticator
    try:
        await authenticator.confirm_change(request, token if isinstance(token, str) else "")
    except FlowportError:
        await form.close()  # a refused upload's temporary files; the route never sees them
        raise
    return looking


ViewerDep = Annotated[Viewer, Depends(viewer)]
ChangerDep = Annotated[Viewer, Depends(changer)]


def check_origin(request: Request) -> None:
    """Refuse a ``POST`` that the browser says comes from another origin (cross-site form posts)."""
    origin = request.headers.get("origin")
    if origin is None:  # browsers that send none; the CSRF token still guards the change
        return
    host = request.headers.get("host", "")
    if origin == "null" or urlsplit(origin).netloc != host:
        raise CsrfTokenRequired("The request came from another site; send the form from the console")


# --- pages -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Flash:
    """A one-time message shown on the next page (after a redirect): success or error."""

    kind: str
    text: str


def render(
    request: Request,
    looking: Viewer | None,
    template: str,
    *,
    status: int = 200,
    title: str = "",
    **context: Any,
) -> HTMLResponse:
    """Render ``template`` in the console's layout; the flash message of a redirect is shown once."""
    flash = _take_flash(request)
    response = TEMPLATES.TemplateResponse(
        request,
        template,
        {"viewer": looking, "flash": flash, "title": title, "version": __version__, **context},
        status_code=status,
    )
    if flash is not None:
        response.delete_cookie(FLASH_COOKIE, path=PREFIX)
    return response


def redirect(location: str, flash: Flash | None = None) -> RedirectResponse:
    """A 303 to ``location`` (a console path), with a message for the page it leads to."""
    response = RedirectResponse(safe_next(location), status_code=303)
    if flash is not None:
        raw = json.dumps({"kind": flash.kind, "text": flash.text[:500]}).encode()
        value = base64.urlsafe_b64encode(raw).decode()
        response.set_cookie(FLASH_COOKIE, value, max_age=60, path=PREFIX, httponly=True, samesite="lax")
    return response


def _take_flash(request: Request) -> Flash | None:
    raw = request.cookies.get(FLASH_COOKIE)
    if not raw:
        return None
    try:
        data = json.loads(base64.urlsafe_b64decode(raw.encode()))
        return Flash("error" if data.get("kind") == "error" else "success", str(data.get("text", "")))
    except (ValueError, binascii.Error, AttributeError):
        return None


def next_page(base: str, cursor: str | None, **filters: str) -> str | None:
    """The link to a list's next page (None on the last one): its cursor, and the filters it kept."""
    if not cursor:
        return None
    return f"{base}?{urlencode({**{k: v for k, v in filters.items() if v}, 'cursor': cursor})}"


def safe_next(target: str | None) -> str:
    """``target`` if it is a path of the console (never another site: no open redirect), else home."""
    if not target or not target.startswith(PREFIX) or target.startswith("//") or "\\" in target:
        return f"{PREFIX}/"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return f"{PREFIX}/"
    return target


async def act(
    back: str, done: str, operation: Callable[..., Any], *args: Any, **kwargs: Any
) -> RedirectResponse:
    """Run one use case for a form and go ``back`` with ``done`` (or the error, which loses nothing)."""
    try:
        await run_in_threadpool(operation, *args, **kwargs)
    except Unauthenticated:
        raise
    except FlowportError as exc:
        return redirect(back, Flash("error", describe(exc)))
    return redirect(back, Flash("success", done))


def describe(error: FlowportError) -> str:
    """The message a person reads for a domain error (with the element and line of a BPMN fault)."""
    text = error.detail
    missing = error.extra.get("missingPermission")
    if missing:
        text = f"{text} (needs the permission {missing})"
    element, line = error.extra.get("elementId"), error.extra.get("line")
    where = ", ".join(
        part for part in (f"element {element}" if element else "", f"line {line}" if line else "") if part
    )
    return f"{text} ({where})" if where else text


# --- the edge --------------------------------------------------------------------------------------


class ConsoleTranslator:
    """A browser's view of a domain error: the login page for 401, an error page for the rest."""

    def translate(self, request: Request, error: FlowportError) -> Response:
        if isinstance(error, Unauthenticated):
            back = request.url.path + (f"?{request.url.query}" if request.url.query else "")
            if request.method != "GET":
                back = f"{PREFIX}/"
            return RedirectResponse(f"{LOGIN}?next={quote(safe_next(back), safe='/%')}", status_code=303)
        looking: Viewer | None = getattr(request.state, "console_viewer", None)
        response = render(
            request,
            looking,
            "error.html",
            status=status_of(error),
            title=error.title,
            error=error,
            message=describe(error),
        )
        for name, value in challenge_headers(error).items():
            if name == "Retry-After":
                response.headers[name] = value
        return response


class ConsoleRoute(EdgeRoute):
    """The route class of every console page: HTML errors, the console's security headers."""

    translator = ConsoleTranslator()

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def with_headers(request: Request) -> Response:
            response = await handler(request)
            for name, value in PAGE_HEADERS.items():
                response.headers.setdefault(name, value)
            return response

        return with_headers
