"""FastAPI dependencies: the one way a route reaches a use case (services and the caller).

A guarded route takes one parameter, ``Annotated[UseCaseContext, Depends(require("permission"))]``,
and passes its ``services`` and ``actor`` to the use case: how requests reach the services (a
thread hop, a unit of work per request) changes here, in :func:`services_of` and :class:`Require`,
not in every router. Public routes (login, the token service, probes) have no caller and take
:data:`ServicesDep`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute

from flowport.auth.asgi import Authenticator
from flowport.auth.principal import Principal
from flowport.errors import PermissionDenied
from flowport.services.context import Actor, Services

INSUFFICIENT = "User does not have sufficient privileges."


@dataclass(frozen=True)
class UseCaseContext:
    """What a route hands its use case: the app's services and the authenticated caller."""

    services: Services
    actor: Actor


async def services_of(request: Request) -> Services:
    """The app's services (async: FastAPI would run a sync dependency on a worker thread)."""
    services: Services = request.app.state.services
    return services


ServicesDep = Annotated[Services, Depends(services_of)]


def require(permission: str) -> Require:
    """Declare the one permission a route needs; the caller must authenticate and hold it.

    No credential or a bad one: 401 (RFC 6750). Authenticated without the permission: 403 with
    ``error="insufficient_scope"`` naming it.
    """
    return Require(permission)


class Require:
    """The dependency :func:`require` builds; its ``permission`` is what the OpenAPI document shows."""

    def __init__(self, permission: str) -> None:
        self.permission = permission

    async def __call__(self, request: Request) -> UseCaseContext:
        authenticator: Authenticator = request.app.state.authenticator
        principal = await authenticator.principal(request)
        if self.permission not in principal.permissions:
            raise PermissionDenied(INSUFFICIENT, missingPermission=self.permission)
        return UseCaseContext(services=await services_of(request), actor=actor_of(principal))


def actor_of(principal: Principal) -> Actor:
    """The services' view of a caller: environment, subject, groups, visibility."""
    return Actor(
        env=principal.env,
        subject=principal.subject,
        groups=principal.groups,
        visibility=principal.visibility,
    )


def route_permission(route: APIRoute) -> str | None:
    """The permission a route declared through :func:`require`, if any (found in its dependencies)."""
    return _find_permission(route.dependant)


def _find_permission(dependant: Dependant) -> str | None:
    for dep in dependant.dependencies:
        if isinstance(dep.call, Require):
            return dep.call.permission
        nested = _find_permission(dep)
        if nested:
            return nested
    return None
