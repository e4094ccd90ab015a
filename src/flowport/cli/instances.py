"""``flowport instances``: list, show, start and cancel process instances."""

from __future__ import annotations

import json
from collections import deque
from typing import Annotated

import typer

from flowport.cli import output, variables
from flowport.cli.session import CLI_ACTOR, open_services
from flowport.cli.variables import VarsJsonOption, VarsOption
from flowport.services import definitions as definition_service
from flowport.services import instances as instance_service
from flowport.services.context import Services
from flowport.services.instances import HistoryEntry, InstanceView
from flowport.states import InstanceStatus

app = typer.Typer(help="Process instances: list, show, start, cancel.", no_args_is_help=True)


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
    with open_services(ctx) as services:
        page = instance_service.search(services, CLI_ACTOR, status=status, definition_key=key, limit=limit)
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
    instance_id: Annotated[
        str, typer.Argument(metavar="INSTANCE_ID", help="Process instance id.", show_default=False)
    ],
    history: Annotated[int, typer.Option(min=0, help="How many recent history entries to show.")] = 20,
) -> None:
    """Show one process instance: details, variables, active elements and recent history."""
    with open_services(ctx) as services:
        view = instance_service.get(services, CLI_ACTOR, instance_id)
        elements = definition_service.get(services, CLI_ACTOR, view.definition_id).elements
        recent = _recent_history(services, instance_id, history)
    _details(view)
    output.line("Variables", "bold")
    output.json_block(view.variables)
    active = output.table("Element", "Type", "Name", title="Active elements")
    for element_id in view.active_element_ids:
        info = elements.get(element_id)
        output.add_row(active, element_id, info.type if info else None, info.name if info else None)
    output.show(active, "No active elements.")
    if history:
        log = output.table(
            "At", "Event", "Element", "Actor", "Details", title=f"Recent history (last {history})"
        )
        for entry in recent:
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
    with open_services(ctx) as services:
        view = instance_service.start(
            services, CLI_ACTOR, definition_key=key, variables=values, business_key=business_key
        )
    if quiet:
        typer.echo(view.id)
        return
    output.success(f"Started process instance {view.id} of '{view.definition_key}'.")
    _details(view)


@app.command("cancel")
def cancel(
    ctx: typer.Context,
    instance_id: Annotated[
        str, typer.Argument(metavar="INSTANCE_ID", help="Process instance id.", show_default=False)
    ],
) -> None:
    """Cancel a running or suspended process instance."""
    with open_services(ctx) as services:
        view = instance_service.cancel(services, CLI_ACTOR, instance_id)
    output.success(f"Canceled process instance {view.id} ({view.status}).")


def _details(view: InstanceView) -> None:
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


def _recent_history(services: Services, instance_id: str, count: int) -> list[HistoryEntry]:
    """The last ``count`` entries (the service pages oldest first, so read through to the end)."""
    recent: deque[HistoryEntry] = deque(maxlen=count)
    after: int | None = 0
    while count and after is not None:
        page = instance_service.history(services, CLI_ACTOR, instance_id, after, 1000)
        recent.extend(page.items)
        after = page.items[-1].id if page.next_cursor else None
    return list(recent)
