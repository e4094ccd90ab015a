"""Admin API: the audit log of security events (``/api/v1/admin/audit``)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from flowport.api.deps import UseCaseContext, require
from flowport.api.native import NativeRoute
from flowport.api.routers.admin.params import EnvFilter, Limit
from flowport.api.schemas import PageOut
from flowport.api.schemas_admin import AuditEventOut
from flowport.services import audit

router = APIRouter(prefix="/api/v1/admin", tags=["administration"], route_class=NativeRoute)

Auditor = Annotated[UseCaseContext, Depends(require("admin:audit"))]


@router.get("/audit", response_model=PageOut[AuditEventOut])
def list_audit_events(
    use: Auditor,
    event: str | None = None,
    environment: EnvFilter = None,
    limit: Limit = 50,
    cursor: str | None = None,
) -> PageOut[AuditEventOut]:
    """Security events, newest first (never secrets)."""
    return PageOut[AuditEventOut].model_validate(
        audit.search(use.services, environment, event, cursor, limit)
    )
