"""Human logins: ``POST /api/login`` sets an HttpOnly session cookie and returns a CSRF token.

Credentials come as Camunda's self-managed Tasklist sends them (query string), as a form, or as JSON.
Both routes are public: they are how a caller gets a credential in the first place.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool

from flowport.api.deps import ServicesDep
from flowport.api.native import NativeRoute
from flowport.api.schemas_admin import LoginIn, LoginOut
from flowport.auth.asgi import CSRF_HEADER, SESSION_COOKIE
from flowport.config import DEFAULT_ENV
from flowport.errors import InvalidRequest
from flowport.services import sessions
from flowport.services.context import Services

PUBLIC_PATHS: frozenset[str] = frozenset({"/api/login", "/api/logout"})

router = APIRouter(prefix="/api", tags=["session"], route_class=NativeRoute)


_CREDENTIALS = ("username", "password")


def _single(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """Parameters given once each: a repeated username or password is refused, never picked from."""
    data: dict[str, Any] = {}
    for name, value in pairs:
        if name in _CREDENTIALS and name in data:
            raise InvalidRequest(f"{name} is given more than once")
        data[name] = value
    return data


async def _credentials(request: Request) -> LoginIn:
    """Username and password from the query string, a form, or a JSON body (in that order)."""
    data: Any = _single(request.query_params.multi_items())
    if "username" not in data:
        content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
            async with request.form() as form:  # closes the temporary files of any uploads sent
                data = _single([(k, v) for k, v in form.multi_items() if isinstance(v, str)])
        elif content_type == "application/json":
            data = await request.json() if await request.body() else {}  # the strict parser (JsonRoute)
    if not isinstance(data, dict):
        raise InvalidRequest("Send username and password as query parameters, a form or a JSON object")
    try:
        return LoginIn.model_validate({k: data[k] for k in _CREDENTIALS if k in data})
    except ValidationError as exc:
        first = exc.errors()[0]
        raise InvalidRequest(f"{'.'.join(map(str, first['loc']))}: {first['msg']}") from exc


Credentials = Annotated[LoginIn, Depends(_credentials)]


def _env(request: Request, services: Services) -> str:
    return request.headers.get(services.settings.auth.env_header) or DEFAULT_ENV


def _secure(services: Services) -> bool:
    return services.settings.effective_public_url.startswith("https://")


def set_session_cookie(response: Response, services: Services, session_token: str) -> None:
    """The session cookie of a login (the API's and the web console's): HttpOnly, SameSite=Lax."""
    response.set_cookie(
        SESSION_COOKIE,
        session_token,
        max_age=services.settings.auth.session_lifetime,
        path="/",
        secure=_secure(services),
        httponly=True,
        samesite="lax",
    )


def clear_session_cookie(response: Response, services: Services) -> None:
    response.delete_cookie(SESSION_COOKIE, path="/", secure=_secure(services), httponly=True, samesite="lax")


@router.post("/login", response_model=LoginOut)
async def login(
    request: Request, response: Response, credentials: Credentials, services: ServicesDep
) -> LoginOut:
    """Log in with username and password; wrong credentials are a 401, too many failures a 429."""
    result = await run_in_threadpool(
        sessions.login,
        services,
        credentials.username,
        credentials.password.get_secret_value(),
        env=_env(request, services),
        source_ip=request.client.host if request.client else None,
    )
    set_session_cookie(response, services, result.session_token)
    response.headers[CSRF_HEADER] = result.csrf_token
    response.headers["Cache-Control"] = "no-store"
    return LoginOut(
        csrf_token=result.csrf_token,
        username=result.username,
        environment=result.env,
        expires_at=result.expires_at,
    )


@router.post("/logout", status_code=204, response_class=Response)
async def logout(request: Request, services: ServicesDep) -> Response:
    """End the session of the cookie sent (if any; it needs the CSRF header) and clear the cookie."""
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        source_ip = request.client.host if request.client else None
        csrf = request.headers.get(CSRF_HEADER)
        await run_in_threadpool(sessions.logout, services, token, csrf, source_ip=source_ip)
    response = Response(status_code=204)
    clear_session_cookie(response, services)
    return response
