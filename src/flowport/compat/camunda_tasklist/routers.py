"""The Camunda Tasklist routers, in matching order, for :data:`flowport.api.app.API_ROUTERS`."""

from __future__ import annotations

from fastapi import APIRouter

from flowport.compat.camunda_tasklist import graphql_router, router

ROUTERS: tuple[APIRouter, ...] = (
    router.router,  # /v1/tasks, /v1/process-definitions/search
    graphql_router.router,  # /graphql
)
