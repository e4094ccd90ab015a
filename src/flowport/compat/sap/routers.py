"""The SAP Workflow API v1 routers, in matching order, for :data:`flowport.api.app.API_ROUTERS`."""

from __future__ import annotations

from fastapi import APIRouter

from flowport.compat.sap import definition_routes, instance_routes, message_routes, task_routes

ROUTERS: tuple[APIRouter, ...] = (
    definition_routes.router,
    instance_routes.router,
    task_routes.router,
    task_routes.updates,
    message_routes.router,
)
