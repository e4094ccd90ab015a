"""How ``/workflowapi`` operations are described: the envelope, their parameters and examples.

Operations read their parameters themselves (:mod:`.params`: any place, any letter case), so the
OpenAPI document lists them explicitly, as query parameters and as the properties of an optional
JSON body, with an example of each; :func:`add_operation` registers an operation's routes with it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, Field

TAG = "OptimaJet Workflow API"
METHODS = ["GET", "POST"]


class Envelope(BaseModel):
    """Every answer: ``success``, the operation's ``data``, or the failure's ``error`` and ``message``."""

    success: bool = Field(examples=[True])
    data: Any = None
    error: str | None = Field(default=None, examples=[None])
    message: str | None = Field(default=None, examples=[None])


def _description(parameters: dict[str, str], example: dict[str, Any]) -> dict[str, Any]:
    query = [
        {"name": name, "in": "query", "required": False, "schema": {"type": "string"}, "description": text}
        for name, text in parameters.items()
    ]
    body = {
        "required": False,
        "description": "The same parameters as a JSON object (or as a form body); names in any letter case.",
        "content": {
            "application/json": {
                "schema": {"type": "object", "properties": {name: {} for name in parameters}},
                "example": example,
            }
        },
    }
    return {"parameters": query, "requestBody": body} if parameters else {"parameters": query}


_PROCESS_ID = {
    "name": "processId",
    "in": "path",
    "required": True,
    "schema": {"type": "string", "pattern": "^[A-Za-z0-9._:-]{1,64}$"},
    "example": "f54104f0-5de2-ea7b-e3be-47c9199a3967",
    "description": "The process instance's id",
}


def add_operation(
    router: APIRouter,
    name: str,
    *,
    summary: str,
    takes_process_id: bool = False,
    parameters: dict[str, str] | None = None,
    example: dict[str, Any] | None = None,
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register ``endpoint`` as operation ``name``: ``/{name}`` (and ``/{name}/{processId}``)."""
    extra = _description(parameters or {}, example or {})

    def register(endpoint: Callable[..., Any]) -> Callable[..., Any]:
        # One route per method: each gets its own OpenAPI operation (and operation id).
        for method in METHODS:
            common: dict[str, Any] = {
                "methods": [method],
                "summary": summary,
                "response_model": Envelope,
                "name": f"optimajet_{name}",
            }
            if takes_process_id:
                with_id = {**extra, "parameters": [_PROCESS_ID, *extra["parameters"]]}
                router.add_api_route(f"/{name}/{{processId}}", endpoint, openapi_extra=with_id, **common)
                # processId in the query or the body: the same operation, documented once
                router.add_api_route(f"/{name}", endpoint, include_in_schema=False, **common)
            else:
                router.add_api_route(f"/{name}", endpoint, openapi_extra=extra, **common)
        return endpoint

    return register
