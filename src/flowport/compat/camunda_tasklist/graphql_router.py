"""``POST /graphql``: Tasklist's GraphQL endpoint.

The route declares ``tasks:read`` as a read (``reads_only``): a query by session cookie needs no
CSRF header, a mutation does (checked before it runs) and each mutation checks its own permission.
Results follow GraphQL over HTTP as Tasklist answers: 200 with ``data`` and ``errors``; a missing
credential or permission for the endpoint itself is Camunda's error document.
"""

from __future__ import annotations

import logging
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Request
from fastapi.responses import JSONResponse
from graphql import (
    ExecutionResult,
    GraphQLError,
    OperationType,
    execute,
    parse,
    validate,
)
from pydantic import Field
from starlette.concurrency import run_in_threadpool

from flowport.api.deps import UseCaseContext, confirm_change, require
from flowport.compat.camunda_tasklist import graphql_limits
from flowport.compat.camunda_tasklist.errors import CamundaRoute, status_of
from flowport.compat.camunda_tasklist.graphql_schema import SCHEMA
from flowport.compat.camunda_tasklist.router import TAG
from flowport.compat.camunda_tasklist.schemas import CamundaIn, CamundaOut
from flowport.errors import FlowportError, InvalidRequest

log = logging.getLogger("flowport.compat.camunda")

router = APIRouter(tags=[TAG], route_class=CamundaRoute)
Caller = Annotated[UseCaseContext, Depends(require("tasks:read", reads_only=True))]


class GraphQLRequest(CamundaIn):
    query: str = Field(max_length=graphql_limits.MAX_SOURCE_LENGTH)
    variables: dict[str, Any] | None = None
    operation_name: str | None = Field(default=None, max_length=255)
    extensions: dict[str, Any] | None = None


class GraphQLResponse(CamundaOut):
    data: dict[str, Any] | None = None
    errors: list[dict[str, Any]] | None = None


_EXAMPLES = {
    "tasks": {"summary": "Task names", "value": {"query": "{tasks(query:{}){name}}"}},
    "claim": {
        "summary": "Claim a task",
        "value": {
            "query": 'mutation($id: String!){claimTask(taskId: $id, assignee: "demo"){id assignee}}',
            "variables": {"id": "5b0c6f9e-2f1e-4f7a-9b8e-0d7f6a1c2b3d"},
        },
    },
}


@router.post("/graphql", response_class=JSONResponse, responses={200: {"model": GraphQLResponse}})
async def graphql_endpoint(
    http: Request, use: Caller, request: Annotated[GraphQLRequest, Body(openapi_examples=_EXAMPLES)]
) -> JSONResponse:
    """Run one GraphQL operation: queries ``tasks``, ``task``, ``variables``; mutations ``claimTask``,
    ``unclaimTask``, ``completeTask``."""
    try:
        document = parse(
            request.query,
            max_tokens=graphql_limits.MAX_TOKENS,
            max_source_length=graphql_limits.MAX_SOURCE_LENGTH,
        )
    except GraphQLError as exc:
        return JSONResponse({"errors": [_error(exc)]})
    invalid = validate(SCHEMA, document)
    if invalid:
        return JSONResponse({"errors": [_error(e) for e in invalid]})
    try:
        operation = graphql_limits.selected_operation(document, request.operation_name)
        graphql_limits.check(document, operation)
    except InvalidRequest as exc:
        return JSONResponse({"errors": [{"message": exc.detail, "extensions": {"status": 400}}]})
    if operation.operation is OperationType.MUTATION:
        await confirm_change(http)  # a change by session cookie needs the CSRF header
    result = await run_in_threadpool(_run, document, request, use)
    # An executed operation always answers "data" (null when a non-null field failed), errors only if any.
    answer: dict[str, Any] = {"data": result.data}
    if result.errors:
        answer["errors"] = [_error(e) for e in result.errors]
    return JSONResponse(answer)


def _run(document: Any, request: GraphQLRequest, use: UseCaseContext) -> ExecutionResult:
    result = execute(
        SCHEMA,
        document,
        context_value={"use": use},
        variable_values=request.variables,
        operation_name=request.operation_name,
    )
    assert isinstance(result, ExecutionResult)  # the resolvers are synchronous
    return result


def _error(error: GraphQLError) -> dict[str, Any]:
    """A GraphQL error: a domain error keeps its message and names its status; anything else is hidden."""
    formatted: dict[str, Any] = dict(error.formatted)
    original = error.original_error
    if isinstance(original, FlowportError):
        formatted["extensions"] = {"status": status_of(original)}
    elif original is not None:
        log.exception("GraphQL resolver failed", exc_info=original)
        formatted["message"] = "Internal error"
    return formatted
