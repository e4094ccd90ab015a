"""FastAPI dependencies: services from app.state, the authenticated caller, per-route permissions."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import Depends, Request

from flowport.auth.asgi import Authenticator
from flowport.auth.principal import Principal
from flowport.errors import PermissionDenied
from flowport.services.context import Actor, Services

INSUFFICIENT = "User does not have sufficient privileges."


def get_services(request: Request) -> Services:
    services: Services = request.app.state.services
    return services


ServicesDep = Annotated[Services, Depends(get_services)]


def require(permission: str) -> Callable[[Request], Awaitable[Actor]]:
    """Declare the one permission a route needs; the caller must authenticate and hold it.

    No credential or a bad one: 401 (RFC 6750). Authenticated without the permission: 403 with
    ``error="insufficient_scope"`` naming it.
    """

    async def dependency(request: Request) -> Actor:
        authenticator: Authenticator = request.app.state.authenticator
        principal = await authenticator.principal(request)
        if permission not in principal.permissions:
            raise PermissionDenied(INSUFFICIENT, missingPermission=permission)
        return actor_of(principal)

    dependency.permission = permission  # type: ignore[attr-defined]
    return dependency


def actor_of(principal: Principal) -> Actor:
    return Actor(
        env=principal.env,
        subject=principal.subject,
        groups=principal.groups,
        visibility=principal.visibility,
    )
