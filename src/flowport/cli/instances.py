"""``flowport instances``: list, show, start and cancel process instances."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from flowport.cli import output, session, variables
from flowport.cli.variables import VarsJsonOption, VarsOption
from flowport.cli.workflow import Overview
from flowport.client.models import Instance
from flowport.states import InstanceStatus

app = typer.Typer(help="Process instances: list, show, start, cancel.", no_args_is_help=True)

InstanceId = Annotated[
    str, typer.Argument(metavar="INSTANCE_ID", help="Process instance id.", show_default=False)
]


@app.command("list")
def list_instances(
    ctx: typer.Context,
    status: Annotated[
        InstanceStatus | None, typer.Option(case_sensitive=False, help="Only this status.")
    ] = None,
    key: Annotated[str | None, typer.Option("--key", "-k", help="Only this process key.")] = None,
    limit: Annotated[int, typer.Option(min=1, max=1000, help="At most this many rows.")] = 50,
) -> None:
    """List process instances, newest first."""
    with session.workflow(ctx) as flow:
        page = flow.instances(status, key, limit)
    if session.as_json(ctx):
        output.records(page.items)
        return
    grid = output.table("Id", "Process", "Status", "Business key", "Waiting at", "Started", "Ended")
    for view in page.items:
        output.add_row(
            grid,
            view.id,
            view.definition_key,
            view.status + (" (incident)" if view.has_incidents else ""),
            view.business_key,
            ", ".join(view.active_element_ids),
            output.when(view.started_at),
            output.when(view.ended_at),
        )
    output.show(grid, "No process instances match.")
    output.more(page.next_cursor, limit)


@app.command("show")
def show(
    ctx: typer.Context,
    instance_id: InstanceId,
    history: Annotated[int, typer.Option(min=0, help="How many recent history entries to show.")] = 20,
) -> None:
    """Show one process instance: details, variables, active elements and recent history."""
    with session.workflow(ctx) as flow:
        overview = flow.overview(instance_id, history)
    if session.as_json(ctx):
        output.record(overview.instance, history=[dict(entry.raw) for entry in overview.recent])
        return
    _show(overview, history)


def _show(overview: Overview, history: int) -> None:
    view = overview.instance
    _details(view)
    output.line("Variables", "bold")
    output.json_block(view.variables or {})
    active = output.table("Element", "Type", "Name", title="Active elements")
    for element_id in view.active_element_ids:
        info = overview.elements.get(element_id)
        output.add_row(active, element_id, info.type if info else None, info.name if info else None)
    output.show(active, "No active elements.")
    if history:
        log = output.table(
            "At", "Event", "Element", "Actor", "Details", title=f"Recent history (last {history})"
        )
        for entry in overview.recent:
            element = entry.element_name or entry.element_id
            extra = json.dumps(entry.details, default=str) if entry.details else ""
            output.add_row(log, output.when(entry.at), entry.event, element, entry.actor, extra)
        output.show(log, "No history yet.")


@app.command("start")
def start(
    ctx: typer.Context,
    key: Annotated[
        str, typer.Argument(metavar="KEY", help="Process key (the BPMN process id).", show_default=False)
    ],
    var: VarsOption = None,
    vars_json: VarsJsonOption = None,
    business_key: Annotated[str | None, typer.Option("--business-key", help="Your own reference.")] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print only the new instance id.")] = False,
) -> None:
    """Start an instance of the newest version of a process and run it until it waits."""
    values = variables.parse(var, vars_json)
    with session.workflow(ctx) as flow:
        view = flow.start(key, values, business_key)
    if session.as_json(ctx):
        output.record(view)
    elif quiet:
        typer.echo(view.id)
    else:
        output.success(f"Started process instance {view.id} of '{view.definition_key}'.")
        _details(view)


@app.command("cancel")
def cancel(ctx: typer.Context, instance_id: InstanceId) -> None:
    """Cancel a running or suspended process instance."""
    with session.workflow(ctx) as flow:
        view = flow.cancel(instance_id)
    if session.as_json(ctx):
        output.record(view)
    else:
        output.success(f"Canceled process instance {view.id} ({view.status}).")


def _details(view: Instance) -> None:
    output.details(
        [
            ("Process", f"{view.definition_key} (definition {view.definition_id})"),
            ("Status", view.status),
            ("Business key", view.business_key),
            ("Waiting at", ", ".join(view.active_element_ids)),
            ("Incidents", "yes" if view.has_incidents else "no"),
            ("Started", f"{output.when(view.started_at)} by {view.started_by or 'unknown'}"),
            ("Ended", output.when(view.ended_at)),
        ],
        title=f"Process instance {view.id}",
    )
