"""Console pages for OAuth clients (application users): list, register, rotate, disable, delete.

Each page and action needs ``admin:clients``, as the admin API's client routes do. A secret is
shown once, in the answer to the form that issued it (never stored, never shown again; console
pages are sent with ``Cache-Control: no-store``).
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData

from flowport.api.problems import status_of
from flowport.errors import FlowportError, InvalidRequest, Unauthenticated
from flowport.permissions import grants
from flowport.services import clients, environments
from flowport.services.clients import (
    DECLARED_SOURCES,
    MAX_GRACE,
    ClientChanges,
    ClientSpec,
    ClientView,
    NewSecret,
)
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

PERMISSION = "admin:clients"
PAGE_SIZE = 50
HERE = f"{PREFIX}/clients"

router = APIRouter(prefix=PREFIX, route_class=ConsoleRoute, include_in_schema=False)


def client_url(client_id: str) -> str:
    return f"{HERE}/{quote(client_id, safe='')}"


@router.get("/clients")
async def client_list(
    request: Request, looking: ViewerDep, environment: str = "", cursor: str = ""
) -> HTMLResponse:
    """Every client (or one environment's), newest first, with what it may do and when it was used."""
    looking.require(PERMISSION)
    page = await run_in_threadpool(
        clients.search, looking.services, environment or None, cursor or None, PAGE_SIZE
    )
    envs = await run_in_threadpool(environments.list_all, looking.services)
    next_url = next_page(HERE, page.next_cursor, environment=environment)
    return render(
        request,
        looking,
        "admin_clients.html",
        title="Clients",
        clients=page.items,
        next_url=next_url,
        environment=environment,
        environments=[e.name for e in envs],
        client_url=client_url,
    )


@router.get("/clients/new")
async def new_client_form(request: Request, looking: ViewerDep) -> HTMLResponse:
    """The form that registers a client."""
    looking.require(PERMISSION)
    return await _form(request, looking, {"environment": looking.env, "profile": "ObjectReadWrite"})


@router.post("/clients")
async def create_client(request: Request, looking: ChangerDep) -> HTMLResponse:
    """Register a client and show its secret this once; bad input shows the form again, filled in."""
    looking.require(PERMISSION)
    form = await request.form()
    values = _typed(form)
    try:
        spec = _spec(form)
        issued: NewSecret = await run_in_threadpool(
            clients.create, looking.services, looking.actor, spec, source="console"
        )
    except Unauthenticated:
        raise
    except FlowportError as exc:
        return await _form(request, looking, values, error=describe(exc), status=status_of(exc))
    return _secret_page(request, looking, issued, created=True)


@router.get("/clients/{client_id}")
async def client_page(request: Request, looking: ViewerDep, client_id: str) -> HTMLResponse:
    """One client: its facts, what it may do, when it was last used, and the actions on it."""
    looking.require(PERMISSION)
    client = await run_in_threadpool(clients.get, looking.services, client_id)
    return render(
        request,
        looking,
        "admin_client.html",
        title=f"Client {client.name}",
        client=client,
        effective=sorted(grants(client.profile, client.permissions)),
        declared=client.source in DECLARED_SOURCES,
        url=client_url(client.id),
        grace_default=looking.services.settings.auth.secret_grace_seconds,
        max_grace=MAX_GRACE,
        **forms.CHOICES.as_context(),
    )


@router.post("/clients/{client_id}")
async def update_client(request: Request, looking: ChangerDep, client_id: str) -> RedirectResponse:
    """Change the name, profile, permissions, token settings and visibility (``PATCH`` of the API).

    New permissions apply to the tokens issued from now on; tokens already issued keep theirs
    until they expire.
    """
    looking.require(PERMISSION)
    form = await request.form()
    back = client_url(client_id)
    try:
        changes: ClientChanges = {
            "name": forms.text(form, "name"),
            "profile": forms.profile(form),
            "permissions": forms.checked(form, "permissions"),
            "audiences": forms.names(form, "audiences"),
            "refresh_tokens": bool(forms.text(form, "refresh_tokens")),
            "visibility": forms.visibility(form),
        }
        lifetime = forms.optional_int(form, "token_lifetime", "The token lifetime")
    except FlowportError as exc:
        return redirect(back, Flash("error", describe(exc)))
    if lifetime is not None:
        changes["token_lifetime"] = lifetime
    done = "The client is changed; tokens issued from now on carry the new settings."
    return await act(back, done, clients.update, looking.services, looking.actor, client_id, changes)


@router.post("/clients/{client_id}/rotate-secret", response_model=None)
async def rotate_secret(
    request: Request, looking: ChangerDep, client_id: str
) -> HTMLResponse | RedirectResponse:
    """Issue a new secret (the old one works on for a grace period, or stops at once) and show it once."""
    looking.require(PERMISSION)
    form = await request.form()
    back = client_url(client_id)
    try:
        now = forms.text(form, "when") == "now"
        grace = None if now else forms.optional_int(form, "grace_seconds", "The grace period")
        issued: NewSecret = await run_in_threadpool(
            clients.rotate_secret, looking.services, looking.actor, client_id, now=now, grace_seconds=grace
        )
    except Unauthenticated:
        raise
    except FlowportError as exc:
        return redirect(back, Flash("error", describe(exc)))
    return _secret_page(request, looking, issued, created=False)


@router.post("/clients/{client_id}/disable")
async def disable_client(looking: ChangerDep, client_id: str) -> RedirectResponse:
    looking.require(PERMISSION)
    return await act(
        client_url(client_id),
        "The client is disabled: it gets no new tokens.",
        clients.disable,
        looking.services,
        looking.actor,
        client_id,
    )


@router.post("/clients/{client_id}/enable")
async def enable_client(looking: ChangerDep, client_id: str) -> RedirectResponse:
    looking.require(PERMISSION)
    return await act(
        client_url(client_id),
        "The client is enabled again.",
        clients.enable,
        looking.services,
        looking.actor,
        client_id,
    )


@router.post("/clients/{client_id}/delete")
async def delete_client(looking: ChangerDep, client_id: str) -> RedirectResponse:
    looking.require(PERMISSION)
    return await act(
        HERE, f"Client {client_id} is deleted.", clients.delete, looking.services, looking.actor, client_id
    )


# --- helpers -------------------------------------------------------------------------------------


def _typed(form: FormData) -> dict[str, Any]:
    """What the person typed, to fill the form in again after a refusal (never a secret)."""
    return {
        "name": forms.text(form, "name"),
        "client_id": forms.text(form, "client_id"),
        "profile": forms.text(form, "profile"),
        "permissions": forms.checked(form, "permissions"),
        "audiences": forms.text(form, "audiences"),
        "token_lifetime": forms.text(form, "token_lifetime"),
        "refresh_tokens": bool(forms.text(form, "refresh_tokens")),
        "environment": forms.text(form, "environment"),
        "visibility": forms.text(form, "visibility") or "shared",
        "jwks": forms.text(form, "jwks"),
    }


def _spec(form: FormData) -> ClientSpec:
    raw_jwks = forms.text(form, "jwks")
    jwks: dict[str, Any] | None = None
    if raw_jwks:
        try:
            jwks = json.loads(raw_jwks)
        except ValueError as exc:
            raise InvalidRequest(f"The JWK Set is not valid JSON: {exc}") from exc
        if not isinstance(jwks, dict):
            raise InvalidRequest('The JWK Set must be a JSON object: {"keys": [ ... ]}')
    return ClientSpec(
        name=forms.text(form, "name"),
        client_id=forms.text(form, "client_id") or None,
        profile=forms.profile(form),
        permissions=forms.checked(form, "permissions"),
        audiences=forms.names(form, "audiences"),
        token_lifetime=forms.optional_int(form, "token_lifetime", "The token lifetime"),
        refresh_tokens=bool(forms.text(form, "refresh_tokens")),
        environment=forms.text(form, "environment") or None,
        visibility=forms.visibility(form),
        jwks=jwks,
    )


async def _form(
    request: Request, looking: Viewer, values: dict[str, Any], *, error: str = "", status: int = 200
) -> HTMLResponse:
    envs = await run_in_threadpool(environments.list_all, looking.services)
    return render(
        request,
        looking,
        "admin_client_new.html",
        title="Register a client",
        status=status,
        values=values,
        error=error,
        environments=[e.name for e in envs],
        default_lifetime=looking.services.settings.auth.token_lifetime,
        **forms.CHOICES.as_context(),
    )


def _secret_page(request: Request, looking: Viewer, issued: NewSecret, *, created: bool) -> HTMLResponse:
    client: ClientView = issued.client
    return render(
        request,
        looking,
        "admin_client_secret.html",
        title=f"Client {client.name} registered" if created else f"New secret for {client.name}",
        status=201 if created else 200,
        client=client,
        secret=issued.client_secret,
        created=created,
        token_url=looking.services.auth.token_endpoint,
        url=client_url(client.id),
    )
