"""``flowport deploy`` and ``flowport definitions``: process definitions."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.progress import track

from flowport.cli import output, session
from flowport.cli.failures import describe
from flowport.client import errors as api_errors
from flowport.client.models import Definition
from flowport.errors import FlowportError

# What a server says about one file; a refused credential or an unreachable server ends the run.
_FILE_PROBLEMS = (api_errors.InvalidDefinition, api_errors.InvalidRequest, api_errors.PayloadTooLarge)

app = typer.Typer(help="Deployed process definitions.", no_args_is_help=True)


def deploy(
    ctx: typer.Context,
    files: Annotated[
        list[Path], typer.Argument(metavar="FILE", help="BPMN 2.0 files to deploy.", show_default=False)
    ],
) -> None:
    """Deploy BPMN files: a changed process gets a new version, an identical one keeps its own."""
    deployed: list[tuple[Path, Definition, bool]] = []
    failures: list[tuple[Path, str]] = []
    as_json = session.as_json(ctx)
    with session.workflow(ctx) as flow:
        console = output.console()
        quiet = len(files) < 2 or not console.is_terminal or as_json
        for path in track(files, description="Deploying", console=console, transient=True, disable=quiet):
            try:
                result = flow.deploy(path.read_bytes())
            except OSError as exc:
                failures.append((path, f"cannot read the file: {exc.strerror or exc}"))
            except (FlowportError, *_FILE_PROBLEMS) as exc:
                failures.append((path, describe(exc)))
            else:
                deployed.extend(
                    (path, *item) for item in zip(result.definitions, result.created, strict=True)
                )
    if as_json:
        output.json_plain([{"file": str(p), **d.raw, "created": created} for p, d, created in deployed])
    elif deployed:
        grid = output.table("File", "Key", "Version", "Id", "Created")
        for path, row, created in deployed:
            note = "yes" if created else "no (identical to this version)"
            output.add_row(grid, path.name, row.key, row.version, row.id, note)
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
    with session.workflow(ctx) as flow:
        page = flow.definitions(key, latest, limit)
    if session.as_json(ctx):
        output.records(page.items)
        return
    grid = output.table("Key", "Version", "Name", "Id", "Deployed", "By")
    for row in page.items:
        output.add_row(
            grid, row.key, row.version, row.name, row.id, output.when(row.deployed_at), row.deployed_by
        )
    output.show(grid, "No process definitions are deployed.")
    output.more(page.next_cursor, limit)
