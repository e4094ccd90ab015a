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
    """What a route hands its use case: the app's services and the authenticated caller.

    ``permissions`` and ``person`` serve routes that run several operations in one request (a
    GraphQL document): each operation checks its own permission with :meth:`require`.
    """

    services: Services
    actor: Actor
    permissions: frozenset[str] = frozenset()
    person: bool = False  # a user logged in (session), not a machine client

    def require(self, permission: str) -> None:
        """Raise 403 naming ``permission`` unless the caller holds it."""
        if permission not in self.permissions:
            raise PermissionDenied(INSUFFICIENT, missingPermission=permission)


async def services_of(request: Request) -> Services:
    """The app's services (async: FastAPI would run a sync dependency on a worker thread)."""
    services: Services = request.app.state.services
    return services


ServicesDep = Annotated[Services, Depends(services_of)]


def require(permission: str, *, reads_only: bool = False) -> Require:
    """Declare the one permission a route needs; the caller must authenticate and hold it.

    No credential or a bad one: 401 (RFC 6750). Authenticated without the permission: 403 with
    ``error="insufficient_scope"`` naming it. ``reads_only`` declares that the route only reads
    although its method is not GET (a search sent as POST): a session cookie then needs no CSRF
    header, as for a GET.
    """
    return Require(permission, reads_only=reads_only)


class Require:
    """The dependency :func:`require` builds; its ``permission`` is what the OpenAPI document shows."""

    def __init__(self, permission: str, *, reads_only: bool = False) -> None:
        self.permission = permission
        self.reads_only = reads_only

    async def __call__(self, request: Request) -> UseCaseContext:
        authenticator: Authenticator = request.app.state.authenticator
        principal = await authenticator.principal(request, reads_only=self.reads_only)
        if self.permission not in principal.permissions:
            raise PermissionDenied(INSUFFICIENT, missingPermission=self.permission)
        return UseCaseContext(
            services=await services_of(request),
            actor=actor_of(principal),
            permissions=principal.permissions,
            person=principal.kind == "user",
        )


async def confirm_change(request: Request) -> None:
    """For a ``reads_only`` route whose request turns out to change data: demand the CSRF header now."""
    authenticator: Authenticator = request.app.state.authenticator
    await authenticator.confirm_change(request)


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
