"""Admin API: users who log in (``/api/v1/admin/users``), managed across environments.

A user's environment comes from the body's ``environment`` (or the query parameter) and defaults
to the caller's own.
"""

from __future__ import annotations

from typing import Annotated, Any, cast
from urllib.parse import quote

from fastapi import APIRouter, Depends, Query, Response

from flowport.api.deps import UseCaseContext, require
from flowport.api.native import NativeRoute
from flowport.api.routers.admin.params import EnvFilter, Limit
from flowport.api.schemas import PageOut
from flowport.api.schemas_admin import UserIn, UserOut, UserPatch
from flowport.services import users
from flowport.services.users import UserChanges, UserSpec

router = APIRouter(prefix="/api/v1/admin", tags=["administration"], route_class=NativeRoute)

UserAdmin = Annotated[UseCaseContext, Depends(require("admin:users"))]


UserEnv = Annotated[str | None, Query(alias="environment", description="default: the caller's environment")]


@router.post("/users", status_code=201, response_model=UserOut)
def create_user(body: UserIn, response: Response, use: UserAdmin) -> UserOut:
    """Create a user who can log in at `POST /api/login` (password: at least 8 characters)."""
    values: dict[str, Any] = body.model_dump(exclude={"password"})
    view = users.create(
        use.services, use.actor, UserSpec(password=body.password.get_secret_value(), **values)
    )
    response.headers["Location"] = (
        f"/api/v1/admin/users/{quote(view.username, safe='')}?environment={view.env}"
    )
    return UserOut.model_validate(view)


@router.get("/users", response_model=PageOut[UserOut])
def list_users(
    use: UserAdmin,
    environment: EnvFilter = None,
    limit: Limit = 50,
    cursor: str | None = None,
) -> PageOut[UserOut]:
    page = users.search(use.services, environment, cursor, limit)
    return PageOut[UserOut].model_validate(page)


@router.get("/users/{username}", response_model=UserOut)
def get_user(username: str, use: UserAdmin, environment: UserEnv = None) -> UserOut:
    return UserOut.model_validate(users.get(use.services, environment or use.actor.env, username))


@router.patch("/users/{username}", response_model=UserOut)
def update_user(username: str, body: UserPatch, use: UserAdmin, environment: UserEnv = None) -> UserOut:
    """Change the fields sent; a new password or `locked: true` ends the user's sessions."""
    changes: dict[str, Any] = body.model_dump(exclude_unset=True)
    if body.password is not None:
        changes["password"] = body.password.get_secret_value()
    return UserOut.model_validate(
        users.update(
            use.services, use.actor, environment or use.actor.env, username, cast(UserChanges, changes)
        )
    )


@router.delete("/users/{username}", status_code=204, response_class=Response)
def delete_user(username: str, use: UserAdmin, environment: UserEnv = None) -> Response:
    users.delete(use.services, use.actor, environment or use.actor.env, username)
    return Response(status_code=204)
