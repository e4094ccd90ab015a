"""Console pages for the token service's signing keys (list, rotate) and for environments.

The keys page needs ``admin:keys`` and the environments page ``admin:environments``, as the admin
API's routes for them do.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from starlette.concurrency import run_in_threadpool

from flowport.config import DEFAULT_ENV
from flowport.services import environments, keys
from flowport.services.keys import KeyView
from flowport.web import admin_forms as forms
from flowport.web.console import PREFIX, ChangerDep, ConsoleRoute, ViewerDep, act, render

KEYS = "admin:keys"
ENVIRONMENTS = "admin:environments"

router = APIRouter(prefix=PREFIX, route_class=ConsoleRoute, include_in_schema=False)


@dataclass(frozen=True)
class KeyLine:
    """A signing key as the keys page lists it."""

    key: KeyView
    status: str  # active (signs new tokens), retiring (still published), retired
    age: str


def status_of_key(key: KeyView) -> str:
    if key.active:
        return "active"
    return "retiring" if key.published else "retired"


def age(since: datetime, now: datetime) -> str:
    """How long ago, in the largest whole unit a person reads at a glance (``3 days``)."""
    seconds = max(0, int((now - since) / timedelta(seconds=1)))
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds >= size:
            count = seconds // size
            return f"{count} {unit}{'s' if count != 1 else ''}"
    return "less than a minute"


@router.get("/keys")
async def key_list(request: Request, looking: ViewerDep) -> HTMLResponse:
    """Every signing key, newest first: which one signs, which are still published in the JWKS."""
    looking.require(KEYS)
    found = await run_in_threadpool(keys.list_keys, looking.services)
    now = looking.services.clock()
    lines = [KeyLine(k, status_of_key(k), age(k.created_at, now)) for k in found]
    return render(request, looking, "admin_keys.html", title="Signing keys", keys=lines)


@router.post("/keys/rotate")
async def rotate_key(looking: ChangerDep) -> RedirectResponse:
    """Publish a new key and sign with it from now on; the old one stays published until its tokens expire."""
    looking.require(KEYS)
    done = "A new signing key is active; the previous one stays published until its tokens expire."
    return await act(f"{PREFIX}/keys", done, keys.rotate, looking.services, looking.actor)


@router.get("/environments")
async def environment_list(request: Request, looking: ViewerDep) -> HTMLResponse:
    looking.require(ENVIRONMENTS)
    found = await run_in_threadpool(environments.list_all, looking.services)
    return render(
        request,
        looking,
        "admin_environments.html",
        title="Environments",
        environments=found,
        default=DEFAULT_ENV,
    )


@router.post("/environments")
async def create_environment(request: Request, looking: ChangerDep) -> RedirectResponse:
    looking.require(ENVIRONMENTS)
    name = forms.text(await request.form(), "name")
    return await act(
        f"{PREFIX}/environments",
        f"Environment {name} is created.",
        environments.create,
        looking.services,
        looking.actor,
        name,
    )


@router.post("/environments/{name}/delete")
async def delete_environment(looking: ChangerDep, name: str) -> RedirectResponse:
    """Delete an empty environment (the service refuses ``default`` and environments holding data)."""
    looking.require(ENVIRONMENTS)
    return await act(
        f"{PREFIX}/environments",
        f"Environment {name} is deleted.",
        environments.delete,
        looking.services,
        looking.actor,
        name,
    )
