"""``flowport env``: environments (sandboxes) that keep data apart."""

from __future__ import annotations

from typing import Annotated

import typer

from flowport.cli import output, session

app = typer.Typer(help="Environments (sandboxes): create, list, delete.", no_args_is_help=True)

Name = Annotated[str, typer.Argument(metavar="NAME", help="Environment name.", show_default=False)]


@app.command("create")
def create(ctx: typer.Context, name: Name) -> None:
    """Create an environment (lower-case letters, digits, '_' and '-')."""
    with session.accounts(ctx) as accounts:
        created = accounts.create_environment(name)
    if session.as_json(ctx):
        output.record(created)
    else:
        output.success(f"Created environment {name}.")


@app.command("list")
def list_environments(ctx: typer.Context) -> None:
    """List environments."""
    with session.accounts(ctx) as accounts:
        rows = accounts.environments()
    if session.as_json(ctx):
        output.records(rows)
        return
    grid = output.table("Name", "Created")
    for row in rows:
        output.add_row(grid, row.name, output.when(row.created_at))
    output.show(grid, "No environments yet.")


@app.command("delete")
def delete(ctx: typer.Context, name: Name) -> None:
    """Delete an empty environment (not 'default')."""
    with session.accounts(ctx) as accounts:
        accounts.delete_environment(name)
    output.done(f"Deleted environment {name}.", session.as_json(ctx), deleted=name)
