"""The web console's routers, in matching order (the app's one registry includes them)."""

from __future__ import annotations

from fastapi import APIRouter

from flowport.web import (
    admin_audit,
    admin_clients,
    admin_keys,
    admin_users,
    api_page,
    assets,
    definitions,
    home,
    instances,
    login,
    tasklist,
)

ROUTERS: tuple[APIRouter, ...] = (
    assets.router,
    login.router,
    home.router,
    definitions.router,
    instances.router,
    tasklist.router,
    api_page.router,
    admin_clients.router,
    admin_users.router,
    admin_keys.router,
    admin_audit.router,
    home.fallback,  # last: the 404 page of every other /console path
)
