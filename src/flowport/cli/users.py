"""``flowport users``: people who log in to the tasklist and the console."""

from __future__ import annotations

from typing import Annotated

import typer

from flowport.cli import output, session
from flowport.services.users import UserChanges, UserSpec
from flowport.states import Visibility

app = typer.Typer(help="Users: create, list, lock, unlock, set a password, delete.", no_args_is_help=True)

Username = Annotated[str, typer.Argument(metavar="USERNAME", help="The username.", show_default=False)]
Env = Annotated[str, typer.Option("--env", help="The user's environment.")]
Password = Annotated[
    str,
    typer.Option(
        prompt=True,
        hide_input=True,
        confirmation_prompt=True,
        help="At least 8 characters (asked for when not given; prefer the prompt: others can read "
        "command lines).",
    ),
]


@app.command("create")
def create(
    ctx: typer.Context,
    username: Username,
    password: Password,
    group: Annotated[list[str] | None, typer.Option("--group", "-g", help="Group (repeatable).")] = None,
    role: Annotated[list[str] | None, typer.Option("--role", "-r", help="Role label (repeatable).")] = None,
    profile: Annotated[
        str, typer.Option(help="ObjectRead, ObjectReadWrite, Worker or Admin; 'none' for none.")
    ] = "ObjectRead",
    permission: Annotated[
        list[str] | None, typer.Option("--permission", "-p", help="Extra permission (repeatable).")
    ] = None,
    env: Env = "default",
    visibility: Annotated[
        Visibility, typer.Option(case_sensitive=False, help="All data, or only what the user started.")
    ] = Visibility.SHARED,
) -> None:
    """Create a user who can log in with username and password."""
    spec = UserSpec(
        username=username,
        password=password,
        groups=group or [],
        roles=role or [],
        profile=None if profile.lower() == "none" else profile,
        permissions=permission or [],
        environment=env,
        visibility=visibility,
    )
    with session.accounts(ctx) as accounts:
        user = accounts.create_user(spec)
    if session.as_json(ctx):
        output.record(user)
    else:
        output.success(f"Created user {username} in environment {user.environment}.")


@app.command("list")
def list_users(
    ctx: typer.Context,
    env: Annotated[str | None, typer.Option("--env", help="Only this environment.")] = None,
    limit: Annotated[int, typer.Option(min=1, max=1000, help="At most this many rows.")] = 50,
) -> None:
    """List users, newest first."""
    with session.accounts(ctx) as accounts:
        page = accounts.users(env, limit)
    if session.as_json(ctx):
        output.records(page.items)
        return
    grid = output.table("Username", "Env", "Profile", "Groups", "Roles", "Locked", "Created")
    for u in page.items:
        output.add_row(
            grid,
            u.username,
            u.environment,
            u.profile,
            ", ".join(u.groups),
            ", ".join(u.roles),
            "yes" if u.locked else "no",
            output.when(u.created_at),
        )
    output.show(grid, "No users yet.")
    output.more(page.next_cursor, limit)


@app.command("delete")
def delete(
    ctx: typer.Context,
    username: Username,
    env: Env = "default",
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
) -> None:
    """Delete a user and end its sessions."""
    if not yes:
        typer.confirm(f"Delete user {username}?", abort=True)
    with session.accounts(ctx) as accounts:
        accounts.delete_user(env, username)
    output.done(f"Deleted user {username}.", session.as_json(ctx), deleted=username)


@app.command("lock")
def lock(ctx: typer.Context, username: Username, env: Env = "default") -> None:
    """Refuse the user's logins and end its sessions."""
    _change(ctx, env, username, {"locked": True}, f"Locked user {username}.")


@app.command("unlock")
def unlock(ctx: typer.Context, username: Username, env: Env = "default") -> None:
    """Let a locked user log in again."""
    _change(ctx, env, username, {"locked": False}, f"Unlocked user {username}.")


@app.command("set-password")
def set_password(ctx: typer.Context, username: Username, password: Password, env: Env = "default") -> None:
    """Give the user a new password (its sessions end)."""
    _change(ctx, env, username, {"password": password}, f"Set a new password for {username}.")


def _change(ctx: typer.Context, env: str, username: str, changes: UserChanges, message: str) -> None:
    with session.accounts(ctx) as accounts:
        user = accounts.update_user(env, username, changes)
    if session.as_json(ctx):
        output.record(user)
    else:
        output.success(message)
