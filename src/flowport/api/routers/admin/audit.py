"""Admin API: the audit log of security events (``/api/v1/admin/audit``)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from flowport.api.deps import UseCaseContext, require
from flowport.api.native import NativeRoute
from flowport.api.routers.admin.params import EnvFilter, Limit
from flowport.api.schemas import PageOut, UtcDateTime
from flowport.api.schemas_admin import AuditEventOut
from flowport.services import audit

router = APIRouter(prefix="/api/v1/admin", tags=["administration"], route_class=NativeRoute)

Auditor = Annotated[UseCaseContext, Depends(require("admin:audit"))]


_FROM = "Events at or after this time (ISO 8601; a date means its midnight; no zone means UTC)"
_TO = "Events before this time, which is excluded (ISO 8601; a date means its midnight; no zone means UTC)"


@router.get("/audit", response_model=PageOut[AuditEventOut])
def list_audit_events(
    use: Auditor,
    event: str | None = None,
    environment: EnvFilter = None,
    subject: Annotated[str | None, Query(description="who: a client id or username (exact)")] = None,
    occurred_from: Annotated[UtcDateTime | None, Query(alias="occurredFrom", description=_FROM)] = None,
    occurred_to: Annotated[UtcDateTime | None, Query(alias="occurredTo", description=_TO)] = None,
    limit: Limit = 50,
    cursor: str | None = None,
) -> PageOut[AuditEventOut]:
    """Security events, newest first (never secrets)."""
    page = audit.search(
        use.services,
        environment,
        event,
        cursor,
        limit,
        subject=subject,
        occurred_from=occurred_from,
        occurred_to=occurred_to,
    )
    return PageOut[AuditEventOut].model_validate(page)
