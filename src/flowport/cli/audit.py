"""``flowport audit``: the security audit log (never holds secrets)."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from flowport.cli import output, session

app = typer.Typer(help="The security audit log.", no_args_is_help=True)


@app.command("list")
def list_events(
    ctx: typer.Context,
    event: Annotated[
        str | None, typer.Option("--event", "-e", help="Only this kind, e.g. client.created.")
    ] = None,
    env: Annotated[str | None, typer.Option("--env", help="Only this environment.")] = None,
    limit: Annotated[int, typer.Option(min=1, max=1000, help="At most this many rows.")] = 50,
) -> None:
    """List security events, newest first."""
    with session.accounts(ctx) as accounts:
        page = accounts.audit(event, env, limit)
    if session.as_json(ctx):
        output.records(page.items)
        return
    grid = output.table("At", "Event", "Env", "Actor", "Subject", "Source", "Details")
    for e in page.items:
        details = json.dumps(e.details, default=str, sort_keys=True) if e.details else ""
        output.add_row(
            grid, output.when(e.at), e.event, e.environment, e.actor, e.subject, e.source_ip, details
        )
    output.show(grid, "No audit events match.")
    output.more(page.next_cursor, limit)
