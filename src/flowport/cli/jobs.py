"""``flowport jobs``: external jobs waiting for (or locked by) workers."""

from __future__ import annotations

from typing import Annotated

import typer

from flowport.cli import output, session

app = typer.Typer(help="External jobs (service tasks done by workers).", no_args_is_help=True)


@app.command("list")
def list_jobs(
    ctx: typer.Context,
    topic: Annotated[str | None, typer.Option("--topic", "-t", help="Only this topic.")] = None,
    instance: Annotated[str | None, typer.Option("--instance", help="Only jobs of this instance.")] = None,
    limit: Annotated[int, typer.Option(min=1, max=1000, help="At most this many rows.")] = 50,
) -> None:
    """List open jobs, newest first."""
    with session.workflow(ctx) as flow:
        page = flow.jobs(topic, instance, limit)
    if session.as_json(ctx):
        output.records(page.items)
        return
    grid = output.table("Id", "Topic", "Element", "Instance", "Retries", "Locked by", "Lock expires", "Error")
    for job in page.items:
        output.add_row(
            grid,
            job.id,
            job.topic,
            job.element_id,
            job.process_instance_id,
            job.retries,
            job.worker_id,
            output.when(job.lock_expires_at),
            job.error_message,
        )
    output.show(grid, "No jobs match.")
    output.more(page.next_cursor, limit)
