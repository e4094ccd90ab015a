"""``flowport deploy`` and ``flowport definitions``: process definitions."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.progress import track

from flowport.cli import output
from flowport.cli.session import CLI_ACTOR, open_services
from flowport.errors import FlowportError
from flowport.services import definitions as definition_service
from flowport.services.definitions import Deployed

app = typer.Typer(help="Deployed process definitions.", no_args_is_help=True)


def deploy(
    ctx: typer.Context,
    files: Annotated[
        list[Path], typer.Argument(metavar="FILE", help="BPMN 2.0 files to deploy.", show_default=False)
    ],
) -> None:
    """Deploy BPMN files: a changed process gets a new version, an identical one keeps its own."""
    deployed: list[tuple[Path, Deployed]] = []
    failures: list[tuple[Path, str]] = []
    with open_services(ctx) as services:
        console = output.console()
        quiet = len(files) < 2 or not console.is_terminal
        for path in track(files, description="Deploying", console=console, transient=True, disable=quiet):
            try:
                results = definition_service.deploy(services, CLI_ACTOR, path.read_bytes())
            except OSError as exc:
                failures.append((path, f"cannot read the file: {exc.strerror or exc}"))
            except FlowportError as exc:
                failures.append((path, output.problem(exc)))
            else:
                deployed.extend((path, item) for item in results)
    grid = output.table("File", "Key", "Version", "Id", "Created")
    for path, item in deployed:
        row = item.definition
        created = "yes" if item.created else "no (identical to this version)"
        output.add_row(grid, path.name, row.key, row.version, row.id, created)
    if deployed:
        output.console().print(grid)
    for path, problem in failures:
        output.error(f"{path}: {problem}")
    if failures:
        raise typer.Exit(1)


@app.command("list")
def list_definitions(
    ctx: typer.Context,
    key: Annotated[str | None, typer.Option("--key", "-k", help="Only this process key.")] = None,
    latest: Annotated[
        bool, typer.Option("--latest", help="Only the newest version of each process.")
    ] = False,
    limit: Annotated[int, typer.Option(min=1, max=1000, help="At most this many rows.")] = 50,
) -> None:
    """List deployed process definitions, newest first."""
    with open_services(ctx) as services:
        page = definition_service.list_definitions(services, CLI_ACTOR, key, latest, None, limit)
    grid = output.table("Key", "Version", "Name", "Id", "Deployed", "By")
    for row in page.items:
        output.add_row(
            grid, row.key, row.version, row.name, row.id, output.when(row.deployed_at), row.deployed_by
        )
    output.show(grid, "No process definitions are deployed.")
    output.more(page.next_cursor, limit)
