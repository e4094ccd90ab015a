"""Liveness, readiness and Prometheus metrics (unauthenticated by convention: no data leaves)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Response
from fastapi.responses import JSONResponse

from flowport.api.deps import ServicesDep, require
from flowport.api.json_route import JsonRoute
from flowport.persistence import migrate
from flowport.persistence.db import ping
from flowport.services.context import Actor

router = APIRouter(tags=["operations"], route_class=JsonRoute)


@router.get("/healthz")
def healthz() -> dict[str, str]:
    """The process is up."""
    return {"status": "ok"}


@router.get("/readyz")
def readyz(services: ServicesDep) -> JSONResponse:
    """The database is reachable and the schema is current."""
    try:
        ping(services.db)
        current = migrate.is_current(services.db)
    except Exception as exc:  # report, don't raise: this is a probe
        return JSONResponse({"status": "unavailable", "detail": type(exc).__name__}, status_code=503)
    if not current:
        return JSONResponse({"status": "unavailable", "detail": "migrations pending"}, status_code=503)
    return JSONResponse({"status": "ready"})


@router.get("/metrics", response_class=Response)
def metrics(services: ServicesDep, _: Annotated[Actor, Depends(require("metrics:read"))]) -> Response:
    return Response(services.metrics.render(), media_type="text/plain; version=0.0.4; charset=utf-8")
