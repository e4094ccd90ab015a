"""Console pages for users (people who log in): list, create, edit, lock, delete.

Each page and action needs ``admin:users``, as the admin API's user routes do. A user belongs to
one environment, so a user's page is ``/console/users/{environment}/{username}``.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData

from flowport.api.problems import status_of
from flowport.errors import FlowportError, Unauthenticated
from flowport.permissions import grants
from flowport.services import environments, users
from flowport.services.users import UserChanges, UserSpec, UserView
from flowport.web import admin_forms as forms
from flowport.web.console import (
    PREFIX,
    ChangerDep,
    ConsoleRoute,
    Flash,
    Viewer,
    ViewerDep,
    act,
    describe,
    next_page,
    redirect,
    render,
)

PERMISSION = "admin:users"
PAGE_SIZE = 50
HERE = f"{PREFIX}/users"

router = APIRouter(prefix=PREFIX, route_class=ConsoleRoute, include_in_schema=False)


def user_url(env: str, username: str) -> str:
    return f"{HERE}/{quote(env, safe='')}/{quote(username, safe='')}"


@router.get("/users")
async def user_list(
    request: Request, looking: ViewerDep, environment: str = "", cursor: str = ""
) -> HTMLResponse:
    """Every user (or one environment's), newest first."""
    looking.require(PERMISSION)
    page = await run_in_threadpool(
        users.search, looking.services, environment or None, cursor or None, PAGE_SIZE
    )
    envs = await run_in_threadpool(environments.list_all, looking.services)
    next_url = next_page(HERE, page.next_cursor, environment=environment)
    return render(
        request,
        looking,
        "admin_users.html",
        title="Users",
        users=page.items,
        next_url=next_url,
        environment=environment,
        environments=[e.name for e in envs],
        user_url=user_url,
    )


@router.get("/users/new")
async def new_user_form(request: Request, looking: ViewerDep) -> HTMLResponse:
    looking.require(PERMISSION)
    return await _form(request, looking, {"environment": looking.env, "profile": "ObjectRead"})


@router.post("/users", response_model=None)
async def create_user(request: Request, looking: ChangerDep) -> HTMLResponse | RedirectResponse:
    """Create a user; bad input shows the form again, filled in (never the password)."""
    looking.require(PERMISSION)
    form = await request.form()
    values = _typed(form)
    try:
        spec = UserSpec(
            username=forms.text(form, "username"),
            password=_password(form),
            groups=forms.names(form, "groups"),
            roles=forms.names(form, "roles"),
            profile=forms.profile(form),
            permissions=forms.checked(form, "permissions"),
            environment=forms.text(form, "environment") or None,
            visibility=forms.visibility(form),
        )
        view: UserView = await run_in_threadpool(users.create, looking.services, looking.actor, spec)
    except Unauthenticated:
        raise
    except FlowportError as exc:
        return await _form(request, looking, values, error=describe(exc), status=status_of(exc))
    return redirect(user_url(view.env, view.username), Flash("success", f"User {view.username} is created."))


@router.get("/users/{env}/{username}")
async def user_page(request: Request, looking: ViewerDep, env: str, username: str) -> HTMLResponse:
    """One user: facts, what they may do, and the form that changes them."""
    looking.require(PERMISSION)
    user = await run_in_threadpool(users.get, looking.services, env, username)
    return render(
        request,
        looking,
        "admin_user.html",
        title=f"User {user.username}",
        user=user,
        effective=sorted(grants(user.profile, user.permissions)),
        url=user_url(user.env, user.username),
        **forms.CHOICES.as_context(),
    )


@router.post("/users/{env}/{username}")
async def update_user(request: Request, looking: ChangerDep, env: str, username: str) -> RedirectResponse:
    """Change groups, roles, profile, permissions, visibility and (when typed) the password."""
    looking.require(PERMISSION)
    form = await request.form()
    changes: UserChanges = {
        "groups": forms.names(form, "groups"),
        "roles": forms.names(form, "roles"),
        "profile": forms.profile(form),
        "permissions": forms.checked(form, "permissions"),
    }
    try:
        changes["visibility"] = forms.visibility(form)
    except FlowportError as exc:
        return redirect(user_url(env, username), Flash("error", describe(exc)))
    password = _password(form)
    if password:
        changes["password"] = password
    done = "The user is changed" + ("; their sessions are ended." if password else ".")
    return await act(
        user_url(env, username), done, users.update, looking.services, looking.actor, env, username, changes
    )


@router.post("/users/{env}/{username}/lock")
async def lock_user(looking: ChangerDep, env: str, username: str) -> RedirectResponse:
    looking.require(PERMISSION)
    return await _set_locked(looking, env, username, locked=True)


@router.post("/users/{env}/{username}/unlock")
async def unlock_user(looking: ChangerDep, env: str, username: str) -> RedirectResponse:
    looking.require(PERMISSION)
    return await _set_locked(looking, env, username, locked=False)


@router.post("/users/{env}/{username}/delete")
async def delete_user(looking: ChangerDep, env: str, username: str) -> RedirectResponse:
    looking.require(PERMISSION)
    return await act(
        HERE, f"User {username} is deleted.", users.delete, looking.services, looking.actor, env, username
    )


# --- helpers -------------------------------------------------------------------------------------


async def _set_locked(looking: Viewer, env: str, username: str, *, locked: bool) -> RedirectResponse:
    done = "The user is locked out; their sessions are ended." if locked else "The user may log in again."
    changes: UserChanges = {"locked": locked}
    return await act(
        user_url(env, username), done, users.update, looking.services, looking.actor, env, username, changes
    )


def _password(form: FormData) -> str:
    """The password exactly as typed (blanks count)."""
    value = form.get("password")
    return value if isinstance(value, str) else ""


def _typed(form: FormData) -> dict[str, Any]:
    """What the person typed, to fill the form in again after a refusal (never the password)."""
    return {
        "username": forms.text(form, "username"),
        "groups": forms.text(form, "groups"),
        "roles": forms.text(form, "roles"),
        "profile": forms.text(form, "profile"),
        "permissions": forms.checked(form, "permissions"),
        "environment": forms.text(form, "environment"),
        "visibility": forms.text(form, "visibility") or "shared",
    }


async def _form(
    request: Request, looking: Viewer, values: dict[str, Any], *, error: str = "", status: int = 200
) -> HTMLResponse:
    envs = await run_in_threadpool(environments.list_all, looking.services)
    return render(
        request,
        looking,
        "admin_user_new.html",
        title="Create a user",
        status=status,
        values=values,
        error=error,
        environments=[e.name for e in envs],
        **forms.CHOICES.as_context(),
    )
