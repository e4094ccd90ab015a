"""The console's audit log page: security events, newest first, filtered and paged (``admin:audit``)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from starlette.concurrency import run_in_threadpool

from flowport.services import audit, environments
from flowport.services.audit import AuditEntry
from flowport.web.console import PREFIX, ConsoleRoute, ViewerDep, render

PERMISSION = "admin:audit"
PAGE_SIZE = 50

router = APIRouter(prefix=PREFIX, route_class=ConsoleRoute, include_in_schema=False)


@dataclass(frozen=True)
class AuditLine:
    entry: AuditEntry
    details: str  # pretty JSON, escaped by the template like every other value


@router.get("/audit")
async def audit_log(
    request: Request, looking: ViewerDep, event: str = "", environment: str = "", cursor: str = ""
) -> HTMLResponse:
    """Security events (logins, client and user changes, key rotations), filtered by kind and environment."""
    looking.require(PERMISSION)
    event, environment = event.strip(), environment.strip()
    page = await run_in_threadpool(
        audit.search, looking.services, environment or None, event or None, cursor or None, PAGE_SIZE
    )
    envs = await run_in_threadpool(environments.list_all, looking.services)
    filters = {k: v for k, v in (("event", event), ("environment", environment)) if v}
    next_url = (
        f"{PREFIX}/audit?{urlencode({**filters, 'cursor': page.next_cursor})}" if page.next_cursor else None
    )
    lines = [
        AuditLine(e, json.dumps(e.details, indent=2, sort_keys=True, default=str) if e.details else "")
        for e in page.items
    ]
    return render(
        request,
        looking,
        "admin_audit.html",
        title="Audit log",
        lines=lines,
        event=event,
        environment=environment,
        environments=[e.name for e in envs],
        next_url=next_url,
        known_events=KNOWN_EVENTS,
    )


# Suggestions for the event filter (any name may be typed).
KNOWN_EVENTS = (
    "auth.failed",
    "auth.lockout",
    "client.created",
    "client.deleted",
    "client.disabled",
    "client.enabled",
    "client.secret_rotated",
    "client.updated",
    "environment.created",
    "environment.deleted",
    "key.rotated",
    "login.succeeded",
    "logout",
    "token.issued",
    "token.revoked",
    "user.created",
    "user.deleted",
    "user.password_changed",
    "user.updated",
)
