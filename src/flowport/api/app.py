"""The ASGI application: ``create_app(settings)`` builds everything in the lifespan (no global state)."""

from __future__ import annotations

import logging
import sys
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from functools import partial
from typing import Any

from fastapi import APIRouter, FastAPI

from flowport import __version__
from flowport.api import docs, problems
from flowport.api.edge import PERMISSION_EXTENSION
from flowport.api.middleware import BodyLimitMiddleware, MetricsMiddleware
from flowport.api.routers import admin, definitions, events, health, instances, jobs, oauth, session, tasks
from flowport.api.security_headers import SecurityHeadersMiddleware
from flowport.auth.asgi import Authenticator
from flowport.auth.endpoints import TOKEN_PATHS
from flowport.compat.camunda_tasklist.routers import ROUTERS as CAMUNDA_TASKLIST_ROUTERS
from flowport.compat.optimajet.routers import ROUTERS as OPTIMAJET_ROUTERS
from flowport.compat.sap.routers import ROUTERS as SAP_ROUTERS
from flowport.config import ClientConfig, Settings
from flowport.permissions import CATALOG
from flowport.scheduler.loop import Scheduler
from flowport.services import examples, sessions
from flowport.services.bootstrap import bootstrap
from flowport.services.build import build_services
from flowport.services.metrics import Metrics
from flowport.web import assets as console_assets
from flowport.web.console import STATIC_PREFIX as CONSOLE_STATIC
from flowport.web.routers import ROUTERS as CONSOLE_ROUTERS

log = logging.getLogger("flowport")

# The one registry of routers, in matching order; each edge's routers use its EdgeRoute class.
API_ROUTERS: tuple[APIRouter, ...] = (
    oauth.router,  # first: the token endpoint is the hottest path, and routes match in order
    definitions.router,
    instances.router,
    tasks.router,
    events.router,
    jobs.router,
    health.router,
    admin.clients.router,
    admin.environments.router,
    admin.users.router,
    admin.keys.router,
    admin.audit.router,
    session.router,
    # The product facades (compat/<product>/routers.py): each edge's routers in its own order.
    *OPTIMAJET_ROUTERS,  # OptimaJet Workflow Server: /workflowapi
    *SAP_ROUTERS,  # SAP Workflow API v1: /v1/workflow-*, /v1/task-instances, /v1/messages
    *CAMUNDA_TASKLIST_ROUTERS,  # Camunda Tasklist: /v1/tasks, /v1/process-definitions/search, /graphql
    *CONSOLE_ROUTERS,  # the web console (flowport.web): HTML pages under /console
)


def create_app(settings: Settings, clients: Sequence[ClientConfig] = ()) -> FastAPI:
    """Build a Flowport app for ``settings``; the database and scheduler start with the lifespan.

    ``clients`` registers OAuth clients from code (an application embedding Flowport); they win
    over clients of the same id in the settings file.
    """
    code_clients = list(clients)
    metrics = Metrics()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        services = build_services(settings, metrics=metrics)
        app.state.services = services
        created = bootstrap(services, code_clients)
        if created is not None:  # shown once to the operator, on the console rather than in the log
            print(created.message(), file=sys.stderr, flush=True)
        app.state.authenticator = Authenticator(
            settings.auth,
            services.auth,
            principal_for_session=partial(sessions.principal_for_session, services),
            csrf_matches=partial(sessions.csrf_matches, services),
        )
        if settings.deploy_examples:
            examples.deploy_examples(services)
        scheduler = Scheduler(services, settings.scheduler_max_sleep) if settings.scheduler_enabled else None
        if scheduler is not None:
            scheduler.start()
        app.state.scheduler = scheduler
        try:
            yield
        finally:
            if scheduler is not None:
                scheduler.stop()
            # flushes audit events queued behind the token endpoint, stops the script sandbox
            services.close()

    app = FastAPI(
        title="Flowport",
        version=__version__,
        description="Self-hosted BPMN 2.0 workflow server. Every operation names the permission it needs "
        "(`x-permission`).",
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
    )
    problems.install(app)
    console_assets.install(app)
    for router in API_ROUTERS:
        app.include_router(router)
    _publish_security(app, settings)
    docs.install(app, settings)
    app.add_middleware(MetricsMiddleware, metrics=metrics)
    app.add_middleware(BodyLimitMiddleware, max_bytes=settings.max_body_bytes)
    # outermost: the 413 of the body limit carries the headers too
    app.add_middleware(SecurityHeadersMiddleware, cacheable_prefixes=(*docs.STATIC_PREFIXES, CONSOLE_STATIC))
    return app


def _publish_security(app: FastAPI, settings: Settings) -> None:
    """Give each operation that names its permission (``x-permission``) the matching ``security``.

    Each route publishes its own ``x-permission`` (:class:`flowport.api.edge.EdgeRoute`); the security
    schemes depend on the settings, so they are added here. They let the interactive docs (and
    generated clients) get a token: OAuth 2.0 client credentials at the token endpoint, or a bearer
    token pasted in (an external issuer's).
    """
    schemes = _security_schemes(settings)
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = generate()
            if schemes:
                for operations in schema.get("paths", {}).values():
                    for operation in operations.values():
                        permission = operation.get(PERMISSION_EXTENSION)
                        if permission:
                            operation["security"] = [
                                {name: [permission] if name == "oauth2" else []} for name in schemes
                            ]
                schema.setdefault("components", {})["securitySchemes"] = schemes
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def _security_schemes(settings: Settings) -> dict[str, Any]:
    mode = settings.auth.mode
    if mode == "open":
        return {}
    schemes: dict[str, Any] = {}
    if mode == "oauth":
        schemes["oauth2"] = {
            "type": "oauth2",
            "description": "Client credentials: your client id and secret at the token endpoint.",
            "flows": {
                "clientCredentials": {
                    "tokenUrl": f"{settings.effective_public_url}{TOKEN_PATHS[0]}",
                    "scopes": {name: name for name in sorted(CATALOG)},
                }
            },
        }
    schemes["bearer"] = {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}
    return schemes
