"""The Tasklist GraphQL API (deprecated by Camunda, still documented for 8.5) over the same use cases.

The schema is Tasklist's, written as SDL and built by graphql-core (no parser of our own); the
resolvers call the services exactly as the REST routes do, with the same mapping. Field names
differ from REST where Tasklist's GraphQL names them otherwise (``creationTime``,
``processDefinitionId``, ``processInstanceId``).
"""

from __future__ import annotations

from typing import Any, TypeVar

from graphql import GraphQLResolveInfo, GraphQLSchema, build_schema
from pydantic import BaseModel, ValidationError

from flowport.api.deps import UseCaseContext
from flowport.compat.camunda_tasklist import mapping
from flowport.compat.camunda_tasklist.schemas import AssignRequest, CompleteRequest, TaskSearchRequest
from flowport.compat.camunda_tasklist.search import search_tasks
from flowport.errors import InvalidRequest
from flowport.services import task_lists, tasks

SDL = """
enum TaskState { CREATED COMPLETED CANCELED }
enum TaskSortFields { creationTime completionTime followUpDate dueDate }
enum Sort { ASC DESC }

input TaskOrderBy { field: TaskSortFields!  order: Sort }

input TaskQuery {
  state: TaskState
  assigned: Boolean
  assignee: String
  candidateGroup: String
  candidateUser: String
  pageSize: Int
  taskDefinitionId: String
  processDefinitionId: String
  processInstanceId: String
  searchAfter: [String!]
  searchAfterOrEqual: [String!]
  searchBefore: [String!]
  searchBeforeOrEqual: [String!]
  sort: [TaskOrderBy!]
}

input VariableInput { name: String!  value: String! }

type Variable {
  id: ID!
  name: String!
  value: String!
  previewValue: String!
  isValueTruncated: Boolean!
}

type Task {
  id: ID!
  name: String!
  taskDefinitionId: String!
  processName: String!
  creationTime: String!
  completionTime: String
  assignee: String
  variables: [Variable!]
  taskState: TaskState!
  sortValues: [String!]
  isFirst: Boolean
  formKey: String
  processDefinitionId: String
  processInstanceId: String
  candidateGroups: [String!]
  candidateUsers: [String!]
  dueDate: String
  followUpDate: String
  tenantId: String
}

type Query {
  tasks(query: TaskQuery!): [Task!]!
  task(id: String!): Task!
  variables(taskId: String!, variableNames: [String!]!): [Variable!]!
}

type Mutation {
  claimTask(taskId: String!, assignee: String, allowOverrideAssignment: Boolean): Task!
  unclaimTask(taskId: String!): Task!
  completeTask(taskId: String!, variables: [VariableInput!]!): Task!
}
"""

Info = GraphQLResolveInfo[dict[str, Any]]
Request = TypeVar("Request", bound=BaseModel)

# REST name -> GraphQL name, where Tasklist's GraphQL API names a task field otherwise.
_RENAMED = {
    "creationDate": "creationTime",
    "completionDate": "completionTime",
    "processDefinitionKey": "processDefinitionId",
    "processInstanceKey": "processInstanceId",
}
_QUERY_RENAMED = {"processDefinitionId": "processDefinitionKey", "processInstanceId": "processInstanceKey"}


def _use(info: Info) -> UseCaseContext:
    use: UseCaseContext = info.context["use"]
    return use


def _graphql_task(rest: dict[str, Any]) -> dict[str, Any]:
    return {_RENAMED.get(name, name): value for name, value in rest.items()}


def _variables(info: Info, task_id: str, names: list[str] | None) -> list[dict[str, Any]]:
    use = _use(info)
    values = task_lists.variables(use.services, use.actor, task_id, names)
    return [v.model_dump(by_alias=True) for v in mapping.variables_out(task_id, values, always_full=True)]


def _task_variables(task: dict[str, Any], info: Info) -> list[dict[str, Any]]:
    """``Task.variables``: read only when the query selects them."""
    return _variables(info, task["id"], None)


def _tasks(_: None, info: Info, query: dict[str, Any]) -> list[dict[str, Any]]:
    use = _use(info)
    use.require("tasks:read")
    request = _validated(TaskSearchRequest, {_QUERY_RENAMED.get(k, k): v for k, v in query.items()})
    return [
        _graphql_task(t.model_dump(by_alias=True, exclude={"variables"}))
        for t in search_tasks(use, request, None)  # variables: read only when selected
    ]


def _task(_: None, info: Info, id: str) -> dict[str, Any]:
    use = _use(info)
    use.require("tasks:read")
    return _graphql_task(
        mapping.task_out(task_lists.get(use.services, use.actor, id)).model_dump(by_alias=True)
    )


def _query_variables(_: None, info: Info, taskId: str, variableNames: list[str]) -> list[dict[str, Any]]:
    _use(info).require("tasks:read")
    return _variables(info, taskId, variableNames)


def _claim(_: None, info: Info, taskId: str, **given: Any) -> dict[str, Any]:
    use = _use(info)
    use.require("tasks:assign")
    request = _validated(AssignRequest, {k: v for k, v in given.items() if v is not None})
    assignee = request.assignee or (use.actor.subject if use.person else None)
    if not assignee:
        raise InvalidRequest("Assignee must be specified")
    view = tasks.assign(
        use.services,
        use.actor,
        taskId,
        assignee,
        allow_override=mapping.may_override(request, person=use.person),
    )
    return _graphql_task(
        mapping.task_out(task_lists.details(use.services, use.actor, view)).model_dump(by_alias=True)
    )


def _unclaim(_: None, info: Info, taskId: str) -> dict[str, Any]:
    use = _use(info)
    use.require("tasks:assign")
    view = tasks.unclaim(use.services, use.actor, taskId, require_assigned=True)
    return _graphql_task(
        mapping.task_out(task_lists.details(use.services, use.actor, view)).model_dump(by_alias=True)
    )


def _complete(_: None, info: Info, taskId: str, variables: list[dict[str, Any]]) -> dict[str, Any]:
    use = _use(info)
    use.require("tasks:complete")
    values = mapping.parsed_variables(_validated(CompleteRequest, {"variables": variables}).variables)
    view = tasks.complete(use.services, use.actor, taskId, values, assignee_only=use.person)
    return _graphql_task(
        mapping.task_out(task_lists.details(use.services, use.actor, view)).model_dump(by_alias=True)
    )


def _validated(model: type[Request], values: dict[str, Any]) -> Request:
    """GraphQL typed the input already; the REST model adds its bounds (page size, lengths)."""
    try:
        return model.model_validate({k: v for k, v in values.items() if v is not None})
    except ValidationError as exc:
        first = exc.errors()[0]
        raise InvalidRequest(f"{'.'.join(map(str, first['loc']))}: {first['msg']}") from exc


def build() -> GraphQLSchema:
    """The executable schema: Tasklist's SDL with Flowport's resolvers attached."""
    schema = build_schema(SDL)
    query, mutation, task = schema.query_type, schema.mutation_type, schema.get_type("Task")
    assert query is not None and mutation is not None
    query.fields["tasks"].resolve = _tasks
    query.fields["task"].resolve = _task
    query.fields["variables"].resolve = _query_variables
    mutation.fields["claimTask"].resolve = _claim
    mutation.fields["unclaimTask"].resolve = _unclaim
    mutation.fields["completeTask"].resolve = _complete
    task.fields["variables"].resolve = _task_variables  # type: ignore[union-attr]
    return schema


SCHEMA = build()
