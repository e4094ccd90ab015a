"""``/workflowapi``: process instances, commands, states, parameters and the inbox/outbox folders."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends

from flowport.api.deps import UseCaseContext, require
from flowport.compat.optimajet import mapping
from flowport.compat.optimajet.params import ParamsDep, token_parameter
from flowport.compat.optimajet.routing import PREFIX, OptimaJetRoute, envelope
from flowport.compat.optimajet.schemas import TAG, add_operation
from flowport.engine.model import ElementInfo
from flowport.services import commands, definitions, instance_queries, instances
from flowport.services.views import InstanceView

router = APIRouter(
    prefix=PREFIX, tags=[TAG], route_class=OptimaJetRoute, dependencies=[Depends(token_parameter)]
)

Starter = Annotated[UseCaseContext, Depends(require("instances:start"))]
Reader = Annotated[UseCaseContext, Depends(require("instances:read"))]
Manager = Annotated[UseCaseContext, Depends(require("instances:manage"))]
Deleter = Annotated[UseCaseContext, Depends(require("instances:delete"))]
TaskReader = Annotated[UseCaseContext, Depends(require("tasks:read"))]
Completer = Annotated[UseCaseContext, Depends(require("tasks:complete"))]

IDENTITY = {"identityId": "The user (or client) acting"}
PARAMETERS = {"parameters": "Process parameters: a JSON object (as JSON text in a form or the query)"}
HISTORY_LINES = 200


def _elements(use: UseCaseContext, views: list[InstanceView]) -> dict[str, ElementInfo]:
    """The element facts of the instances' definitions (for state names), each definition read once."""
    elements: dict[str, ElementInfo] = {}
    for definition_id in dict.fromkeys(v.definition_id for v in views):
        elements.update(definitions.get(use.services, use.actor, definition_id).elements)
    return elements


@add_operation(
    router,
    "createinstance",
    summary="Create a process instance of a scheme (a deployed BPMN process); processId becomes its id",
    takes_process_id=True,
    parameters={"schemeCode": "The BPMN process id", **IDENTITY, **PARAMETERS},
    example={"schemeCode": "TestScheme", "identityId": "alice", "parameters": {"amount": 250}},
)
def create_instance(use: Starter, params: ParamsDep) -> dict[str, Any]:
    view = instances.start(
        use.services,
        use.actor,
        definition_key=params.text("schemeCode", required=True),
        variables=params.json_object("parameters"),
        instance_id=params.process_id() if params.raw("processId") is not None else None,
    )
    return envelope(mapping.instance_summary(view, _elements(use, [view])))


@add_operation(
    router,
    "getinstanceinfo",
    summary="A process instance: state, parameters, commands, history",
    takes_process_id=True,
)
def get_instance_info(use: Reader, params: ParamsDep) -> dict[str, Any]:
    view = instances.get(use.services, use.actor, params.process_id())
    open_commands = commands.available(use.services, use.actor, view.id)
    history = instances.history(use.services, use.actor, view.id, limit=HISTORY_LINES).items
    return envelope(mapping.process_instance(view, _elements(use, [view]), open_commands, history))


@add_operation(
    router,
    "getinstances",
    summary="Process instances, filtered and paged with take/skip",
    parameters={
        "take": "How many (1 to 1000; default 50)",
        "skip": "How many to skip (default 0)",
        "status": "InstanceStatus: 0 Initialized, 1 Running, 2 Idled, 3 Finalized, 4 Terminated, 5 Error",
        "search": "Text in the id, scheme code or business key",
        "sort": "CreationDate, SchemeCode or Id, then asc or desc",
        "creationDateFrom": "Created at or after (ISO 8601)",
        "creationDateTo": "Created before (ISO 8601)",
    },
    example={"take": 10, "skip": 0, "status": 2, "sort": "CreationDate desc"},
)
def get_instances(use: Reader, params: ParamsDep) -> dict[str, Any]:
    status = params.raw("status")
    matching = mapping.instance_filter(
        None if status in (None, "") else params.integer("status", 0, low=0, high=5),
        params.text("search"),
        params.when("creationDateFrom") or params.when("dateFrom"),
        params.when("creationDateTo") or params.when("dateTo"),
    )
    sort, descending = mapping.sort_of(params.text("sort"))
    views = instance_queries.list_page(
        use.services,
        use.actor,
        matching,
        sort=sort,
        descending=descending,
        skip=params.integer("skip", 0, low=0, high=10**9),
        take=params.integer("take", 50, low=1, high=instance_queries.MAX_TAKE),
    )
    elements = _elements(use, views)
    return envelope([mapping.instance_summary(v, elements) for v in views])


@add_operation(router, "isexistprocess", summary="Whether a process instance exists", takes_process_id=True)
def is_exist_process(use: Reader, params: ParamsDep) -> dict[str, Any]:
    return envelope(instance_queries.exists(use.services, use.actor, params.process_id()))


@add_operation(router, "deleteinstance", summary="Delete a process instance", takes_process_id=True)
def delete_instance(use: Deleter, params: ParamsDep) -> dict[str, Any]:
    instances.delete(use.services, use.actor, params.process_id())
    return envelope()


@add_operation(
    router,
    "deleteinstances",
    summary="Delete several process instances: all of them, or none when one does not exist",
    parameters={"processIds": "The ids: a JSON array, or comma-separated"},
    example={"processIds": ["f54104f0-5de2-ea7b-e3be-47c9199a3967"]},
)
def delete_instances(use: Deleter, params: ParamsDep) -> dict[str, Any]:
    ids = params.names("processIds")
    return envelope(instance_queries.delete_many(use.services, use.actor, ids))


@add_operation(
    router,
    "getavailablecommands",
    summary="The commands an identity can execute now (named outcomes of ready user tasks)",
    takes_process_id=True,
    parameters=IDENTITY,
    example={"identityId": "alice"},
)
def get_available_commands(use: TaskReader, params: ParamsDep) -> dict[str, Any]:
    offered = commands.available(use.services, use.actor, params.process_id(), params.text("identityId"))
    return envelope([mapping.command(c) for c in offered])


@add_operation(
    router,
    "executecommand",
    summary="Execute a command: complete its user task with the variable `command` set",
    takes_process_id=True,
    parameters={"command": "The command's name", **IDENTITY, **PARAMETERS},
    example={"command": "Approve", "identityId": "alice", "parameters": {"comment": "fine"}},
)
def execute_command(use: Completer, params: ParamsDep) -> dict[str, Any]:
    done = commands.execute(
        use.services,
        use.actor,
        params.process_id(),
        params.text("command", required=True) or "",
        params.text("identityId"),
        params.json_object("parameters"),
    )
    summary = mapping.instance_summary(done.instance, _elements(use, [done.instance]))
    return envelope({"WasExecuted": True, "ProcessInstance": summary})


@add_operation(
    router,
    "getavailablestatetoset",
    summary="The states (activities and events) the token can be moved to",
    takes_process_id=True,
)
def get_available_state_to_set(use: Reader, params: ParamsDep) -> dict[str, Any]:
    process_id = params.process_id()
    view = instances.get(use.services, use.actor, process_id)
    movable = instance_queries.movable_elements(use.services, use.actor, process_id)
    return envelope([mapping.state(e, view.definition_key) for e in movable])


@add_operation(
    router,
    "setstate",
    summary="Move the token to a state (activity or event), with parameters merged in",
    takes_process_id=True,
    parameters={"state": "The element id to move to", **IDENTITY, **PARAMETERS},
    example={"state": "review", "identityId": "alice"},
)
def set_state(use: Manager, params: ParamsDep) -> dict[str, Any]:
    view = instances.move(
        use.services,
        use.actor,
        params.process_id(),
        params.text("state", required=True) or "",
        None,
        variables=params.json_object("parameters"),
    )
    return envelope(mapping.instance_summary(view, _elements(use, [view])))


@add_operation(
    router,
    "setparameter",
    summary="Set a process parameter (a variable); or several with `parameters`",
    takes_process_id=True,
    parameters={"name": "The parameter's name", "value": "Its value (any JSON)", **PARAMETERS},
    example={"name": "amount", "value": 300},
)
def set_parameter(use: Manager, params: ParamsDep) -> dict[str, Any]:
    process_id = params.process_id()
    values = params.json_object("parameters")
    name = params.text("name", required=not values)
    if name is not None:
        values[name] = params.raw("value")
    instances.set_variables(use.services, use.actor, process_id, values, replace=False)
    return envelope()


@add_operation(
    router,
    "getparameter",
    summary="A process parameter's value (null when the instance has none of that name)",
    takes_process_id=True,
    parameters={"name": "The parameter's name"},
    example={"name": "amount"},
)
def get_parameter(use: Reader, params: ParamsDep) -> dict[str, Any]:
    variables = instances.variables(use.services, use.actor, params.process_id())
    return envelope(variables.get(params.text("name", required=True) or ""))


@add_operation(
    router,
    "inbox",
    summary="Instances where the identity can act now (ready user tasks assigned or offered to it)",
    parameters=IDENTITY,
    example={"identityId": "alice"},
)
def inbox(use: TaskReader, params: ParamsDep) -> dict[str, Any]:
    identity = params.text("identityId", required=True) or ""
    items = commands.inbox(use.services, use.actor, identity)
    return envelope(mapping.folder_items(identity, items, done=False))


@add_operation(
    router,
    "outbox",
    summary="Instances where the identity has acted (user tasks it completed)",
    parameters=IDENTITY,
    example={"identityId": "alice"},
)
def outbox(use: TaskReader, params: ParamsDep) -> dict[str, Any]:
    identity = params.text("identityId", required=True) or ""
    items = commands.outbox(use.services, use.actor, identity)
    return envelope(mapping.folder_items(identity, items, done=True))
