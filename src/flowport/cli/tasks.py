"""``flowport tasks``: list and complete user tasks."""

from __future__ import annotations

from typing import Annotated

import typer

from flowport.cli import output, session, variables
from flowport.cli.variables import VarsJsonOption, VarsOption
from flowport.cli.workflow import TaskFilter
from flowport.states import TaskState

app = typer.Typer(help="User tasks: list, complete.", no_args_is_help=True)


@app.command("list")
def list_tasks(
    ctx: typer.Context,
    instance: Annotated[str | None, typer.Option("--instance", help="Only tasks of this instance.")] = None,
    assignee: Annotated[str | None, typer.Option(help="Only tasks assigned to this user.")] = None,
    candidate_group: Annotated[str | None, typer.Option(help="Only tasks offered to this group.")] = None,
    state: Annotated[TaskState, typer.Option(case_sensitive=False, help="Task state.")] = TaskState.READY,
    limit: Annotated[int, typer.Option(min=1, max=1000, help="At most this many rows.")] = 50,
) -> None:
    """List user tasks (ready ones unless --state says otherwise), newest first."""
    with session.workflow(ctx) as flow:
        page = flow.tasks(TaskFilter(state, assignee, candidate_group, instance), limit)
    if session.as_json(ctx):
        output.records(page.items)
        return
    grid = output.table(
        "Id", "Task", "Name", "Instance", "Process", "Assignee", "Candidates", "Created", "Due"
    )
    for task in page.items:
        candidates = [*task.candidate_users, *(f"group:{g}" for g in task.candidate_groups)]
        output.add_row(
            grid,
            task.id,
            task.element_id,
            task.name,
            task.process_instance_id,
            task.definition_key,
            task.assignee,
            ", ".join(candidates),
            output.when(task.created_at),
            output.when(task.due_at),
        )
    output.show(grid, "No tasks match.")
    output.more(page.next_cursor, limit)


@app.command("complete")
def complete(
    ctx: typer.Context,
    task_id: Annotated[
        str,
        typer.Argument(metavar="TASK_ID", help="Task id (see `flowport tasks list`).", show_default=False),
    ],
    var: VarsOption = None,
    vars_json: VarsJsonOption = None,
) -> None:
    """Complete a ready user task with variables; the instance runs on until it waits again."""
    values = variables.parse(var, vars_json)
    with session.workflow(ctx) as flow:
        task = flow.complete_task(task_id, values)
    if session.as_json(ctx):
        output.record(task)
        return
    name = f"{task.element_id} '{task.name}'" if task.name else task.element_id
    output.success(f"Completed task {task.id} ({name}) of process instance {task.process_instance_id}.")
