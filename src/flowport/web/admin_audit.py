"""The console's audit log page: security events, newest first, filtered and paged (``admin:audit``)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import partial
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse
from starlette.concurrency import run_in_threadpool

from flowport.errors import FlowportError
from flowport.services import audit, environments
from flowport.services.audit import AuditEntry
from flowport.web.console import PREFIX, ConsoleRoute, ViewerDep, describe, render
from flowport.web.form_dates import day_range

PERMISSION = "admin:audit"
PAGE_SIZE = 50

router = APIRouter(prefix=PREFIX, route_class=ConsoleRoute, include_in_schema=False)


@dataclass(frozen=True)
class AuditLine:
    entry: AuditEntry
    details: str  # pretty JSON, escaped by the template like every other value


@dataclass(frozen=True)
class AuditFilters:
    """The form's filters as sent (kept as text, so the form shows them again, even a bad date)."""

    event: str = ""
    environment: str = ""
    subject: str = ""
    occurred_from: str = ""
    occurred_to: str = ""

    def query(self, cursor: str | None = None) -> str:
        """The query string of these filters (and a cursor): the next-page link keeps them."""
        values = {
            "event": self.event,
            "environment": self.environment,
            "subject": self.subject,
            "occurredFrom": self.occurred_from,
            "occurredTo": self.occurred_to,
            "cursor": cursor or "",
        }
        return urlencode({k: v for k, v in values.items() if v})

    @property
    def any(self) -> bool:
        return bool(self.event or self.environment or self.subject or self.occurred_from or self.occurred_to)


@router.get("/audit")
async def audit_log(
    request: Request,
    looking: ViewerDep,
    event: Annotated[str, Query(max_length=64)] = "",
    environment: Annotated[str, Query(max_length=64)] = "",
    subject: Annotated[str, Query(max_length=255)] = "",
    occurred_from: Annotated[str, Query(alias="occurredFrom", max_length=32)] = "",
    occurred_to: Annotated[str, Query(alias="occurredTo", max_length=32)] = "",
    cursor: str = "",
) -> HTMLResponse:
    """Security events (logins, client and user changes, key rotations), filtered like the admin API.

    The dates are whole UTC days, both included: "to" asks for everything before the next midnight.
    """
    looking.require(PERMISSION)
    filters = AuditFilters(
        event.strip(), environment.strip(), subject.strip(), occurred_from.strip(), occurred_to.strip()
    )
    lines: list[AuditLine] = []
    next_url, error = None, None
    try:
        since, until = day_range(filters.occurred_from, filters.occurred_to)
        page = await run_in_threadpool(
            partial(
                audit.search,
                looking.services,
                filters.environment or None,
                filters.event or None,
                cursor or None,
                PAGE_SIZE,
                subject=filters.subject or None,
                occurred_from=since,
                occurred_to=until,
            )
        )
        lines = [
            AuditLine(e, json.dumps(e.details, indent=2, sort_keys=True, default=str) if e.details else "")
            for e in page.items
        ]
        if page.next_cursor:
            next_url = f"{PREFIX}/audit?{filters.query(page.next_cursor)}"
    except FlowportError as exc:  # a bad date or cursor: say so above the form, keep the form
        error = describe(exc)
    envs = await run_in_threadpool(environments.list_all, looking.services)
    return render(
        request,
        looking,
        "admin_audit.html",
        title="Audit log",
        status=400 if error else 200,
        error=error,
        lines=lines,
        filters=filters,
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
