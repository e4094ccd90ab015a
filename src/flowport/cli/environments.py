"""``flowport env``: environments (sandboxes) that keep data apart."""

from __future__ import annotations

from typing import Annotated

import typer

from flowport.cli import output
from flowport.cli.session import CLI_ACTOR, open_services
from flowport.services import environments as environment_service

app = typer.Typer(help="Environments (sandboxes): create, list, delete.", no_args_is_help=True)

Name = Annotated[str, typer.Argument(metavar="NAME", help="Environment name.", show_default=False)]


@app.command("create")
def create(ctx: typer.Context, name: Name) -> None:
    """Create an environment (lower-case letters, digits, '_' and '-')."""
    with open_services(ctx, auth=True) as services:
        environment_service.create(services, CLI_ACTOR, name)
    output.success(f"Created environment {name}.")


@app.command("list")
def list_environments(ctx: typer.Context) -> None:
    """List environments."""
    with open_services(ctx, auth=True) as services:
        rows = environment_service.list_all(services)
    grid = output.table("Name", "Created")
    for row in rows:
        output.add_row(grid, row.name, output.when(row.created_at))
    output.show(grid, "No environments yet.")


@app.command("delete")
def delete(ctx: typer.Context, name: Name) -> None:
    """Delete an empty environment (not 'default')."""
    with open_services(ctx, auth=True) as services:
        environment_service.delete(services, CLI_ACTOR, name)
    output.success(f"Deleted environment {name}.")
