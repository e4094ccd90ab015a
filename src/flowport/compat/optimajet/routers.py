"""The OptimaJet Workflow API routers, in matching order, for :data:`flowport.api.app.API_ROUTERS`."""

from __future__ import annotations

from fastapi import APIRouter

from flowport.compat.optimajet import instances_router, server_router

ROUTERS: tuple[APIRouter, ...] = (
    instances_router.router,
    server_router.router,
    server_router.fallback_router,  # after every /workflowapi operation: answers unknown ones
)
