"""Edges answer domain errors in their own shape: a route class that carries an :class:`ErrorTranslator`.

An *edge* is one way into Flowport over HTTP: the native API (``api/routers``, RFC 9457 problems),
a product-compatible facade (``compat/<product>/``, that product's error shape) or the web console
(``web/``, which sends a browser to its login page on 401). The domain errors of
:mod:`flowport.errors` carry no HTTP; each edge decides how they look on the wire.

How a new edge plugs in:

1. Write a translator: any object with ``translate(request, error) -> Response`` (see
   :class:`ErrorTranslator`). It receives every :class:`~flowport.errors.FlowportError` raised by the
   edge's routes, their dependencies (``require(...)``: 401, 403) and the strict JSON parser, and
   request validation errors as :class:`~flowport.errors.InvalidRequest` (see :func:`invalid_request`).
   A compat facade renders its product's error body (OptimaJet: HTTP 200 with
   ``{"success": false, ...}``); the web console answers ``Unauthenticated`` with a redirect to its
   login page and the rest with an error page. ``tests/api/test_edges.py`` mounts such an edge.
2. Give the edge a route class: ``class OptimaJetRoute(EdgeRoute): translator = EnvelopeTranslator()``.
3. Build its routers with it: ``APIRouter(prefix="/workflowapi", route_class=OptimaJetRoute)``, and
   add them to the one registry, ``flowport.api.app.API_ROUTERS``. Routes reach use cases through
   :mod:`flowport.api.deps` (``Annotated[UseCaseContext, Depends(require("permission"))]``); the
   route class publishes that permission in the OpenAPI document.

The app-level handlers of :mod:`flowport.api.problems` stay the fallback for whatever happens outside
a route or is not a domain error: unknown paths (404), wrong methods (405), stray HTTP errors and
unexpected exceptions (500).
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any, ClassVar, Protocol

from fastapi import Request, Response
from fastapi.exceptions import RequestValidationError

from flowport.api.deps import route_permission
from flowport.api.json_route import JsonRoute
from flowport.errors import FlowportError, InvalidRequest

PERMISSION_EXTENSION = "x-permission"


class ErrorTranslator(Protocol):
    """Turns a domain error into the response an edge's callers expect."""

    def translate(self, request: Request, error: FlowportError) -> Response:
        """The response for ``error``, raised while ``request`` was handled on this edge."""
        ...


class EdgeRoute(JsonRoute):
    """A strict-JSON route whose domain errors are answered by its edge's :attr:`translator`.

    Subclasses set ``translator``; one subclass per edge. The route also publishes the permission
    its ``require(...)`` dependency declares as the operation's ``x-permission``: the OpenAPI document
    reads it from the route itself, however the route's router is included.
    """

    translator: ClassVar[ErrorTranslator]

    def __init__(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        super().__init__(path, endpoint, **kwargs)
        permission = route_permission(self)
        if permission is not None:
            # a new dict: a route's openapi_extra may be a module constant shared with other routes
            self.openapi_extra = {**(self.openapi_extra or {}), PERMISSION_EXTENSION: permission}

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()
        translator = self.translator

        async def translating_handler(request: Request) -> Response:
            try:
                return await handler(request)
            except RequestValidationError as exc:
                return translator.translate(request, invalid_request(exc))
            except FlowportError as exc:
                return translator.translate(request, exc)

        return translating_handler


def invalid_request(exc: RequestValidationError) -> InvalidRequest:
    """A request validation error as the domain's :class:`InvalidRequest`, naming the first fault.

    ``errors`` lists every fault as ``{"location": "body.name", "message": ...}``.
    """
    errors = [
        {"location": ".".join(str(p) for p in e.get("loc", ())), "message": e.get("msg", "")}
        for e in exc.errors()
    ]
    first = errors[0] if errors else {"location": "", "message": "invalid"}
    return InvalidRequest(f"{first['location']}: {first['message']}", errors=errors)
