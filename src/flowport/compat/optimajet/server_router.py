"""``/workflowapi``: schemes, users and roles, the timers of this server process; unknown operations."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request

from flowport.api.deps import UseCaseContext, require
from flowport.compat.optimajet import mapping
from flowport.compat.optimajet.params import Params, ParamsDep, token_parameter
from flowport.compat.optimajet.routing import PREFIX, OptimaJetRoute, envelope
from flowport.compat.optimajet.schemas import METHODS, TAG, Envelope, add_operation
from flowport.errors import Conflict, InvalidRequest
from flowport.scheduler.loop import Scheduler
from flowport.services import definitions, users
from flowport.services.users import UserChanges, UserSpec

router = APIRouter(
    prefix=PREFIX, tags=[TAG], route_class=OptimaJetRoute, dependencies=[Depends(token_parameter)]
)
# Registered after every operation: what none of them matched.
fallback_router = APIRouter(
    prefix=PREFIX, tags=[TAG], route_class=OptimaJetRoute, dependencies=[Depends(token_parameter)]
)

SchemeReader = Annotated[UseCaseContext, Depends(require("definitions:read"))]
UserAdmin = Annotated[UseCaseContext, Depends(require("admin:users"))]
TimerSwitch = Annotated[UseCaseContext, Depends(require("admin:scheduler"))]
TimerWatch = Annotated[UseCaseContext, Depends(require("metrics:read"))]
# Unknown operations are answered to authenticated callers only, with the read right every profile has.
AnyCaller = Annotated[UseCaseContext, Depends(require("instances:read"))]

MAX_LIST = 1000
LOGIN = {"login": "The user's login (username)"}
USER_FIELDS = {
    **LOGIN,
    "password": "The password (at least 8 characters)",
    "roles": "Role (group) names: a JSON array, or comma-separated",
    "isLocked": "true to lock the user out",
}
ROLE = {**LOGIN, "role": "The role (group) name"}


def _login(params: Params) -> str:
    for name in ("login", "userName", "name", "userId"):
        value = params.text(name)
        if value is not None:
            return value
    raise InvalidRequest("The parameter 'login' is required", parameter="login")


def _role(params: Params) -> str:
    value = params.text("role") or params.text("roleName")
    if value is None:
        raise InvalidRequest("The parameter 'role' is required", parameter="role")
    return value


@add_operation(
    router, "getschemelist", summary="The schemes: the latest version of each deployed BPMN process"
)
def get_scheme_list(use: SchemeReader) -> dict[str, Any]:
    page = definitions.list_definitions(use.services, use.actor, None, True, None, MAX_LIST)
    return envelope([mapping.scheme(view) for view in page.items])


@add_operation(router, "getusers", summary="The users of the caller's environment (roles are their groups)")
def get_users(use: UserAdmin) -> dict[str, Any]:
    page = users.search(use.services, use.actor.env, None, MAX_LIST)
    return envelope([mapping.user(view) for view in page.items])


@add_operation(
    router,
    "createuser",
    summary="Create a user who can log in (roles become groups: task candidates)",
    parameters=USER_FIELDS,
    example={"login": "alice", "password": "a-long-password", "roles": ["managers"]},
)
def create_user(use: UserAdmin, params: ParamsDep) -> dict[str, Any]:
    spec = UserSpec(
        username=_login(params),
        password=params.text("password", required=True) or "",
        groups=params.names("roles"),
    )
    locked = params.flag("isLocked")  # read before anything is created: bad input changes nothing
    view = users.create(use.services, use.actor, spec)
    if locked:
        view = users.update(use.services, use.actor, view.env, view.username, {"locked": True})
    return envelope(mapping.user(view))


@add_operation(
    router,
    "updateuser",
    summary="Change a user's password, roles (groups) or lock",
    parameters=USER_FIELDS,
    example={"login": "alice", "roles": ["managers", "auditors"]},
)
def update_user(use: UserAdmin, params: ParamsDep) -> dict[str, Any]:
    changes: UserChanges = {}
    password = params.text("password")
    if password is not None:
        changes["password"] = password
    if params.raw("roles") is not None:
        changes["groups"] = params.names("roles")
    locked = params.flag("isLocked")
    if locked is not None:
        changes["locked"] = locked
    view = users.update(use.services, use.actor, use.actor.env, _login(params), changes)
    return envelope(mapping.user(view))


@add_operation(router, "deleteuser", summary="Delete a user", parameters=LOGIN, example={"login": "alice"})
def delete_user(use: UserAdmin, params: ParamsDep) -> dict[str, Any]:
    users.delete(use.services, use.actor, use.actor.env, _login(params))
    return envelope()


@add_operation(
    router,
    "addusertorole",
    summary="Add a user to a role (group)",
    parameters=ROLE,
    example={"login": "alice", "role": "managers"},
)
def add_user_to_role(use: UserAdmin, params: ParamsDep) -> dict[str, Any]:
    view = users.join_group(use.services, use.actor, use.actor.env, _login(params), _role(params))
    return envelope(mapping.user(view))


@add_operation(
    router,
    "removeuserfromrole",
    summary="Remove a user from a role (group)",
    parameters=ROLE,
    example={"login": "alice", "role": "managers"},
)
def remove_user_from_role(use: UserAdmin, params: ParamsDep) -> dict[str, Any]:
    view = users.leave_group(use.services, use.actor, use.actor.env, _login(params), _role(params))
    return envelope(mapping.user(view))


def _scheduler(request: Request) -> Scheduler:
    scheduler: Scheduler | None = request.app.state.scheduler
    if scheduler is None:
        raise Conflict("Timer processing is disabled in this server's settings (scheduler_enabled)")
    return scheduler


@add_operation(router, "start", summary="Start timer processing in this server process")
def start_timers(use: TimerSwitch, request: Request) -> dict[str, Any]:
    _scheduler(request).start()
    return envelope(True)


@add_operation(router, "stop", summary="Stop timer processing in this server process (due timers wait)")
def stop_timers(use: TimerSwitch, request: Request) -> dict[str, Any]:
    _scheduler(request).stop()
    return envelope(True)


@add_operation(router, "isactive", summary="Whether this server process is processing timers")
def is_active(use: TimerWatch, request: Request) -> dict[str, Any]:
    scheduler: Scheduler | None = request.app.state.scheduler
    return envelope(scheduler is not None and scheduler.running)


def unknown_operation(use: AnyCaller, request: Request) -> dict[str, Any]:
    operation = request.path_params.get("operation")
    message = (
        f"Unknown operation '{operation}'" if operation else "Name the operation: /workflowapi/{operation}"
    )
    return {"success": False, "data": None, "error": "UnknownOperation", "message": message}


for path in ("", "/{operation}", "/{operation}/{processId}"):
    fallback_router.add_api_route(
        path, unknown_operation, methods=METHODS, response_model=Envelope, include_in_schema=False
    )
