"""SAP Workflow authorities (``WORKFLOW_INSTANCE_START``, ``TASK_GET``, ...) as route requirements.

Each authority is an alias of one Flowport permission (:data:`flowport.permissions.ALIASES`),
so a client configured with SAP's names, or with Flowport's, is checked by the one guard every
route uses (:class:`flowport.api.deps.Require`); a refusal reads "User does not have sufficient
privileges.", as SAP's does.
"""

from __future__ import annotations

from fastapi import Request
from fastapi.dependencies.models import Dependant

from flowport.api.deps import Require
from flowport.errors import PermissionDenied
from flowport.permissions import ALIASES


def _permission_of(names: tuple[str, ...]) -> str:
    granted = {permission for name in names for permission in ALIASES[name]}
    if len(granted) != 1:
        raise ValueError(f"SAP authorities {names} must grant exactly one Flowport permission, not {granted}")
    return granted.pop()


class SapAuthority(Require):
    """Requires the Flowport permission that SAP authorities ``names`` grant (one for all of them)."""

    def __init__(self, *names: str) -> None:
        super().__init__(_permission_of(names))
        self.names = names


def authority(*names: str) -> SapAuthority:
    """The dependency of a route SAP guards with any of ``names`` (they must mean one permission)."""
    return SapAuthority(*names)


class HoldsAuthority:
    """Tells whether the caller also holds an authority (a route that needs more for some inputs).

    It asks the same guard as :func:`authority`, after the route's own requirement has admitted
    the caller, so the answer comes from the request's already authenticated principal.
    """

    def __init__(self, name: str) -> None:
        self.name = name
        self._guard = Require(_permission_of((name,)))
        self.permission = self._guard.permission

    async def __call__(self, request: Request) -> bool:
        try:
            await self._guard(request)
        except PermissionDenied:
            return False
        return True


def sap_authorities(dependant: Dependant) -> tuple[str, ...]:
    """The SAP authority names a route's dependencies require (for its OpenAPI operation)."""
    for dep in dependant.dependencies:
        if isinstance(dep.call, SapAuthority):
            return dep.call.names
        nested = sap_authorities(dep)
        if nested:
            return nested
    return ()
