"""Commands: the named outcomes a person may choose on a ready user task, offered and executed.

A user task declares its commands (``flowport:commands="Approve,Reject"`` or a Camunda ``enum``
form field, read by :func:`flowport.engine.task_facts.declared_commands`); one that declares none
offers a single command named after the task. Executing a command completes its task with the
variable ``settings.command_variable`` (default ``command``) set to the command's name, so the
gateways after it route on it. This is OptimaJet Workflow Server's command model on BPMN; the native
API could offer the same.

``identity`` is the person an application acts for: a command is offered to the identities allowed
on its task (the assignee, the candidate users, the members of the candidate groups; anyone when the
task names nobody). It narrows what is offered; what the caller may see and do is still decided by
its own token (visibility, environment, permissions).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection

from flowport.engine.model import ElementInfo
from flowport.errors import Conflict, NotFound
from flowport.persistence.db import read_transaction
from flowport.persistence.repositories import definitions as definition_repo
from flowport.persistence.repositories import instances as instance_repo
from flowport.persistence.repositories import tasks as task_repo
from flowport.persistence.repositories import users as user_repo
from flowport.persistence.repositories.instances import InstanceRow
from flowport.persistence.repositories.tasks import TaskRow
from flowport.services import instances, tasks
from flowport.services.context import Actor, Services
from flowport.services.views import InstanceView, TaskView
from flowport.states import TaskState

# Enough for any inbox a person works through; an inbox is not a report.
MAX_ITEMS = 1000


@dataclass(frozen=True)
class CommandView:
    """A command one may execute now: its task, and who may execute it (empty: anyone)."""

    name: str
    label: str
    task_id: str
    element_id: str
    element_name: str | None
    assignee: str | None
    candidate_users: list[str]
    candidate_groups: list[str]

    @property
    def identities(self) -> list[str]:
        """The people named on the task (groups are not people; their members are allowed too)."""
        named = [self.assignee] if self.assignee else []
        return list(dict.fromkeys([*named, *self.candidate_users]))


@dataclass(frozen=True)
class Executed:
    """A command that completed its task, and the instance as the command left it."""

    command: CommandView
    task: TaskView
    instance: InstanceView


def available(
    services: Services, actor: Actor, instance_id: str, identity: str | None = None
) -> list[CommandView]:
    """The commands of the instance's ready user tasks, for ``identity`` (every one when None)."""
    with read_transaction(services.db) as conn:
        instance = _visible_instance(conn, actor, instance_id)
        return _commands(conn, actor, instance, identity)


def execute(
    services: Services,
    actor: Actor,
    instance_id: str,
    command: str,
    identity: str | None = None,
    variables: dict[str, Any] | None = None,
    *,
    task_id: str | None = None,
) -> Executed:
    """Complete the (oldest) ready task offering ``command`` to ``identity``, with the command set.

    With ``task_id``, only that task's command (the console's buttons are a task's). A command not
    offered now (unknown, already executed, not for this identity) is a conflict naming the ones
    that are; the instance is left unchanged.
    """
    with read_transaction(services.db) as conn:
        instance = _visible_instance(conn, actor, instance_id)
        offered = [
            c for c in _commands(conn, actor, instance, identity) if task_id is None or c.task_id == task_id
        ]
        elements = _elements(conn, instance)
    chosen = next((c for c in offered if c.name == command), None)
    if chosen is None:
        names = ", ".join(sorted({c.name for c in offered})) or "none"
        whom = f" to '{identity}'" if identity else ""
        raise Conflict(
            f"Command '{command}' is not available{whom} in process instance {instance_id}; "
            f"available: {names}",
            command=command,
        )
    values = dict(variables or {})
    values[services.settings.command_variable] = command
    field = elements.get(chosen.element_id, ElementInfo(chosen.element_id, "userTask")).command_field
    if field:
        values[field] = command
    task = tasks.complete(services, actor, chosen.task_id, values, acting_for=identity)
    return Executed(chosen, task, instances.get(services, actor, instance_id))


def inbox(services: Services, actor: Actor, identity: str) -> list[TaskView]:
    """Ready tasks ``identity`` may act on now (assigned, or offered to it or its groups), oldest first."""
    with read_transaction(services.db) as conn:
        groups = _groups_of(conn, actor, identity)
        rows = task_repo.ready_for_identity(conn, actor.scope, identity, groups, MAX_ITEMS)
    return [TaskView.of_row(r) for r in rows]


def outbox(services: Services, actor: Actor, identity: str) -> list[TaskView]:
    """Tasks ``identity`` completed (through a command or the task API), most recent first."""
    with read_transaction(services.db) as conn:
        rows = task_repo.completed_by(conn, actor.scope, identity, MAX_ITEMS)
    return [TaskView.of_row(r) for r in rows]


def _visible_instance(conn: Connection, actor: Actor, instance_id: str) -> InstanceRow:
    row = instance_repo.get(conn, actor.scope, instance_id)
    if row is None:
        raise NotFound(f"Process instance {instance_id} does not exist")
    return row


def _elements(conn: Connection, instance: InstanceRow) -> dict[str, ElementInfo]:
    definition = definition_repo.get(conn, instance.env, instance.definition_id)
    raw = definition.elements if definition is not None else {}
    return {key: ElementInfo.from_dict(value) for key, value in raw.items()}


def _commands(
    conn: Connection, actor: Actor, instance: InstanceRow, identity: str | None
) -> list[CommandView]:
    elements = _elements(conn, instance)
    ready = task_repo.search_tasks(
        conn,
        actor.scope,
        state=TaskState.READY,
        assignee=None,
        candidate_user=None,
        candidate_group=None,
        instance_id=instance.id,
        definition_key=None,
        element_id=None,
        cursor=None,
        limit=MAX_ITEMS,
    )
    groups = _groups_of(conn, actor, identity) if identity else ()
    offered: list[CommandView] = []
    for row in ready:
        if identity is not None and not _allowed(row, identity, groups):
            continue
        info = elements.get(row.element_id)
        declared = (
            info.commands if info and info.commands else ((row.element_id, row.name or row.element_id),)
        )
        offered.extend(_view(name, label, row) for name, label in declared)
    return offered


def _view(name: str, label: str, row: TaskRow) -> CommandView:
    return CommandView(
        name,
        label,
        row.id,
        row.element_id,
        row.name,
        row.assignee,
        list(row.candidate_users),
        list(row.candidate_groups),
    )


def _allowed(row: TaskRow, identity: str, groups: tuple[str, ...]) -> bool:
    if not row.assignee and not row.candidate_users and not row.candidate_groups:
        return True  # a task that names nobody is for anyone
    return (
        row.assignee == identity
        or identity in row.candidate_users
        or any(group in row.candidate_groups for group in groups)
    )


def _groups_of(conn: Connection, actor: Actor, identity: str) -> tuple[str, ...]:
    """The groups of the person ``identity`` names: a user of the caller's environment, or the caller."""
    if identity == actor.subject:
        return actor.groups
    user = user_repo.by_username(conn, actor.env, identity)
    return tuple(user.groups) if user is not None else ()
