"""Every route's JSON body goes through :mod:`flowport.api.json_body`, parsed once per request.

FastAPI reads a JSON body with ``await request.json()`` on the request its route handler is given, so
a custom ``APIRoute`` (FastAPI's documented "custom Request and APIRoute class") hands it a
:class:`JsonRequest`. The route parses the body *before* FastAPI's handler runs: FastAPI would turn
any parse error into a bare "There was an error parsing the body"; raised here, the error reaches
the problem handlers and names the fault. A route that reads its body itself (login) calls
``request.json()`` and gets the same parser; the token endpoint calls :func:`json_body.loads` to answer
in the OAuth error shape (RFC 6749 section 5.2).
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import Request, Response
from fastapi.routing import APIRoute

from flowport.api import json_body, media_types
from flowport.errors import InvalidRequest


class InvalidJson(InvalidRequest):
    """The body is not strict JSON (RFC 8259); the problem's ``jsonError`` names the rule it broke."""

    title = "Invalid JSON body"


class JsonRequest(Request):
    """A request whose ``json()`` is strict; it raises :class:`InvalidJson` instead of ``ValueError``."""

    async def json(self) -> Any:
        if not hasattr(self, "_json"):
            declared = media_types.parse(self.headers.get("content-type"))
            if not declared.utf8:  # RFC 8259 section 8.1: JSON exchanged between systems is UTF-8
                raise InvalidJson(
                    f"JSON bodies are UTF-8, not charset={declared.charset}", jsonError="unsupported-charset"
                )
            try:
                self._json = json_body.loads(await self.body())
            except json_body.JsonBodyError as exc:
                raise InvalidJson(exc.detail, jsonError=exc.fault, **exc.extra) from None
        return self._json


class JsonRoute(APIRoute):
    """An ``APIRoute`` whose JSON bodies are parsed strictly: every Flowport router uses it."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()
        reads_body = self.body_field is not None

        async def strict_handler(request: Request) -> Response:
            strict = JsonRequest(request.scope, request.receive)
            if reads_body and media_types.is_json(strict.headers.get("content-type")) and await strict.body():
                await strict.json()
            return await handler(strict)

        return strict_handler
