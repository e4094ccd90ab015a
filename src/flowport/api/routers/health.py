"""Liveness, readiness and Prometheus metrics (unauthenticated by convention: no data leaves)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Response
from fastapi.responses import JSONResponse

from flowport.api import problems
from flowport.api.deps import ServicesDep, UseCaseContext, require
from flowport.api.native import NativeRoute
from flowport.persistence import migrate
from flowport.persistence.db import longest_write, ping

router = APIRouter(tags=["operations"], route_class=NativeRoute)
_UNAVAILABLE = "Service unavailable"
MetricsReader = Annotated[UseCaseContext, Depends(require("metrics:read"))]


@router.get("/healthz")
def healthz() -> dict[str, str]:
    """The process is up (liveness: a stuck database does not make a restart help)."""
    return {"status": "ok"}


@router.get("/readyz")
def readyz(services: ServicesDep) -> JSONResponse:
    """Ready for work: no write stuck on the database lock, the database reachable, the schema current."""
    stuck = longest_write(services.db)
    limit = services.settings.stuck_write_seconds
    if stuck is not None and stuck >= limit:
        return problems.problem(
            503,
            _UNAVAILABLE,
            f"A write transaction has waited for or held the database write lock for {stuck:.0f} s "
            f"(limit {limit:g} s): the writer is stuck",
            stuckWriteSeconds=round(stuck, 3),
        )
    try:
        ping(services.db)
        current = migrate.is_current(services.db)
    except Exception as exc:  # report, don't raise: this is a probe
        return problems.problem(503, _UNAVAILABLE, f"The database is unreachable ({type(exc).__name__})")
    if not current:
        return problems.problem(503, _UNAVAILABLE, "Database migrations are pending")
    return JSONResponse({"status": "ready"})


@router.get("/metrics", response_class=Response)
def metrics(use: MetricsReader) -> Response:
    return Response(use.services.metrics.render(), media_type="text/plain; version=0.0.4; charset=utf-8")
