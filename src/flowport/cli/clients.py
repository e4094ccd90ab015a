"""``flowport clients``: register OAuth clients, rotate their secrets, disable, enable and delete them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from flowport.cli import output, session
from flowport.client.models import IssuedClient, OAuthClient
from flowport.services.clients import ClientSpec
from flowport.states import Visibility

app = typer.Typer(help="OAuth clients (application users) and their secrets.", no_args_is_help=True)


ClientId = Annotated[str, typer.Argument(metavar="CLIENT_ID", help="The client id.", show_default=False)]


@app.command("create")
def create(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="A name people recognise.", show_default=False)],
    client_id: Annotated[str | None, typer.Option("--id", help="Client id (default: generated).")] = None,
    profile: Annotated[
        str, typer.Option(help="ObjectRead, ObjectReadWrite, Worker or Admin; 'none' for none.")
    ] = "ObjectReadWrite",
    permission: Annotated[
        list[str] | None, typer.Option("--permission", "-p", help="Extra permission (repeatable).")
    ] = None,
    audience: Annotated[
        list[str] | None, typer.Option("--audience", help="Allowed token audience (repeatable).")
    ] = None,
    lifetime: Annotated[
        int | None, typer.Option(min=60, help="Access token lifetime in seconds (default: settings).")
    ] = None,
    refresh_tokens: Annotated[
        bool, typer.Option("--refresh-tokens", help="Also issue refresh tokens.")
    ] = False,
    env: Annotated[str, typer.Option("--env", help="Environment the client belongs to.")] = "default",
    visibility: Annotated[
        Visibility, typer.Option(case_sensitive=False, help="All data, or only what it started.")
    ] = Visibility.SHARED,
    jwks: Annotated[
        Path | None,
        typer.Option(exists=True, dir_okay=False, help="JWK Set file of public keys for private_key_jwt."),
    ] = None,
) -> None:
    """Register a client and print its secret (shown this once; only a hash is stored)."""
    spec = ClientSpec(
        name=name,
        client_id=client_id,
        profile=None if profile.lower() == "none" else profile,
        permissions=permission or [],
        audiences=audience or [],
        token_lifetime=lifetime,
        refresh_tokens=refresh_tokens,
        environment=env,
        visibility=visibility,
        jwks=_read_jwks(jwks) if jwks else None,
    )
    with session.accounts(ctx) as accounts:
        issued = accounts.create_client(spec)
    _print_secret(ctx, issued, f"Created client {issued.client_id}.")


@app.command("list")
def list_clients(
    ctx: typer.Context,
    env: Annotated[str | None, typer.Option("--env", help="Only this environment.")] = None,
    limit: Annotated[int, typer.Option(min=1, max=1000, help="At most this many rows.")] = 50,
) -> None:
    """List clients, newest first (secrets are never shown)."""
    with session.accounts(ctx) as accounts:
        page = accounts.clients(env, limit)
    if session.as_json(ctx):
        output.records(page.items)
        return
    grid = output.table("Client id", "Name", "Env", "Profile", "Enabled", "Source", "Created", "Last used")
    for c in page.items:
        output.add_row(
            grid,
            c.client_id,
            c.name,
            c.environment,
            c.profile,
            "yes" if c.enabled else "no",
            c.source,
            output.when(c.created_at),
            output.when(c.last_used_at),
        )
    output.show(grid, "No clients yet.")
    output.more(page.next_cursor, limit)


@app.command("show")
def show(ctx: typer.Context, client_id: ClientId) -> None:
    """Show one client's settings (never its secret)."""
    with session.accounts(ctx) as accounts:
        view = accounts.client(client_id)
    if session.as_json(ctx):
        output.record(view)
    else:
        _details(view)


@app.command("rotate-secret")
def rotate_secret(
    ctx: typer.Context,
    client_id: ClientId,
    now: Annotated[bool, typer.Option("--now", help="Invalidate the previous secret at once.")] = False,
    grace: Annotated[
        int | None,
        typer.Option("--grace", min=0, metavar="SECONDS", help="Keep the previous secret valid this long."),
    ] = None,
) -> None:
    """Issue a new secret; the previous one keeps working for the grace period unless --now."""
    with session.accounts(ctx) as accounts:
        issued = accounts.rotate_secret(client_id, now, grace)
    until = issued.previous_secret_valid_until
    note = (
        f"The previous secret stays valid until {output.when(until)}."
        if until
        else "The previous secret no longer works."
    )
    _print_secret(ctx, issued, f"Rotated the secret of {client_id}. {note}")


@app.command("disable")
def disable(ctx: typer.Context, client_id: ClientId) -> None:
    """Refuse the client new tokens until it is enabled again."""
    _set_enabled(ctx, client_id, False, f"Disabled client {client_id}.")


@app.command("enable")
def enable(ctx: typer.Context, client_id: ClientId) -> None:
    """Let a disabled client get tokens again."""
    _set_enabled(ctx, client_id, True, f"Enabled client {client_id}.")


@app.command("delete")
def delete(
    ctx: typer.Context,
    client_id: ClientId,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
) -> None:
    """Delete a client for good."""
    if not yes:
        typer.confirm(f"Delete client {client_id}?", abort=True)
    with session.accounts(ctx) as accounts:
        accounts.delete_client(client_id)
    output.done(f"Deleted client {client_id}.", session.as_json(ctx), deleted=client_id)


def _set_enabled(ctx: typer.Context, client_id: str, enabled: bool, message: str) -> None:
    with session.accounts(ctx) as accounts:
        view = accounts.set_enabled(client_id, enabled)
    if session.as_json(ctx):
        output.record(view)
    else:
        output.success(message)


def _print_secret(ctx: typer.Context, issued: IssuedClient, headline: str) -> None:
    if session.as_json(ctx):
        output.record(issued)  # the API's answer: the secret, shown this once, is the point of it
        return
    output.success(headline)
    output.details(
        [("Client id", issued.client_id), ("Client secret", issued.client_secret)], title="Credentials"
    )
    output.line("Store the secret now: it is shown only this once.", "bold yellow")


def _details(view: OAuthClient) -> None:
    rows: list[tuple[str, Any]] = [
        ("Name", view.name),
        ("Environment", view.environment),
        ("Profile", view.profile),
        ("Permissions", ", ".join(view.permissions)),
        ("Audiences", ", ".join(view.audiences)),
        ("Token lifetime", f"{view.token_lifetime} s"),
        ("Refresh tokens", "yes" if view.refresh_tokens else "no"),
        ("Visibility", view.visibility),
        ("Enabled", "yes" if view.enabled else "no"),
        ("Source", view.source),
        ("Created", output.when(view.created_at)),
        ("Last used", output.when(view.last_used_at)),
        ("private_key_jwt keys", "yes" if view.has_jwks else "no"),
    ]
    if view.previous_secret_valid_until:
        rows.append(("Previous secret valid until", output.when(view.previous_secret_valid_until)))
    output.details(rows, title=f"Client {view.client_id}")


def _read_jwks(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text())
    except ValueError as exc:
        raise typer.BadParameter(f"{path} is not JSON: {exc}", param_hint="--jwks") from exc
    if not isinstance(data, dict):
        raise typer.BadParameter(f"{path} must hold a JSON object (a JWK Set)", param_hint="--jwks")
    return data
