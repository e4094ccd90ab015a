"""Use cases for process instances: start, read, search, operate, variables, history."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from flowport.engine.runtime import InstanceRun
from flowport.errors import Conflict, InvalidRequest, NotFound
from flowport.persistence.db import read_transaction, write_transaction
from flowport.persistence.repositories import instances as repo
from flowport.services import definitions
from flowport.services.context import Actor, Services
from flowport.services.execution import Execution, execute
from flowport.services.instance_writes import HistoryEvent
from flowport.services.paging import Page, make_page
from flowport.services.views import HistoryEntry, InstanceView
from flowport.states import InstanceStatus, parse_state

__all__ = ["HistoryEntry", "InstanceView"]

# --- start ---------------------------------------------------------------------------------------


def start(
    services: Services,
    actor: Actor,
    *,
    definition_key: str | None = None,
    definition_id: str | None = None,
    version: int | None = None,
    variables: dict[str, Any] | None = None,
    business_key: str | None = None,
    instance_id: str | None = None,
) -> InstanceView:
    """Start an instance of the latest (or a given) version and run it until it waits."""

    def use_case(execution: Execution) -> InstanceView:
        definition = definitions.resolve(execution.conn, actor, definition_id, definition_key, version)
        return execution.start(
            actor, definition, variables or {}, business_key=business_key, instance_id=instance_id
        )

    return execute(services, use_case)


# --- commands on one instance --------------------------------------------------------------------


def _operate(
    services: Services,
    actor: Actor,
    instance_id: str,
    action: Callable[[InstanceRun], Any],
    event: str,
    *,
    status: InstanceStatus | None = None,
    allow_suspended: bool = False,
    details: dict[str, Any] | None = None,
) -> InstanceView:
    def use_case(execution: Execution) -> InstanceView:
        view, _ = execution.command(
            actor,
            instance_id,
            action,
            event=HistoryEvent(event, None, details),
            status=status,
            allow_suspended=allow_suspended,
        )
        return view

    return execute(services, use_case)


def cancel(services: Services, actor: Actor, instance_id: str) -> InstanceView:
    view = _operate(
        services,
        actor,
        instance_id,
        lambda run: run.cancel(),
        "instance canceled",
        status=InstanceStatus.CANCELED,
        allow_suspended=True,
    )
    services.metrics.inc("flowport_instances_canceled_total", help_text="Process instances canceled")
    return view


def suspend(services: Services, actor: Actor, instance_id: str) -> InstanceView:
    return _operate(
        services, actor, instance_id, lambda run: None, "instance suspended", status=InstanceStatus.SUSPENDED
    )


def resume(services: Services, actor: Actor, instance_id: str) -> InstanceView:
    def use_case(execution: Execution) -> InstanceView:
        if execution.instance(actor.scope, instance_id).status is not InstanceStatus.SUSPENDED:
            raise Conflict(f"Process instance {instance_id} is not suspended")
        view, _ = execution.command(
            actor,
            instance_id,
            lambda run: None,
            event=HistoryEvent("instance resumed"),
            status=InstanceStatus.RUNNING,
            allow_suspended=True,
        )
        return view

    view = execute(services, use_case)
    services.timers_changed.set()  # timers of a suspended instance were held back
    return view


def move(
    services: Services,
    actor: Actor,
    instance_id: str,
    to_element: str,
    from_element: str | None,
    *,
    variables: dict[str, Any] | None = None,
) -> InstanceView:
    """Move the token to another activity (OptimaJet's *set state*), after merging ``variables`` in.

    Both in one command: the variables and the move land together or not at all.
    """

    def action(run: InstanceRun) -> None:
        if variables:
            run.set_variables(variables, replace=False)
        run.move(to_element, from_element)

    details: dict[str, Any] = {"to": to_element, "from": from_element}
    if variables:
        details["variables"] = sorted(variables)
    return _operate(services, actor, instance_id, action, "token moved", details=details)


def set_variables(
    services: Services, actor: Actor, instance_id: str, variables: dict[str, Any], *, replace: bool
) -> dict[str, Any]:
    view = _operate(
        services,
        actor,
        instance_id,
        lambda run: run.set_variables(variables, replace=replace),
        "variables replaced" if replace else "variables changed",
        details={"names": sorted(variables)},
    )
    return view.variables


def delete(services: Services, actor: Actor, instance_id: str) -> None:
    with write_transaction(services.db) as conn:
        if repo.get(conn, actor.scope, instance_id) is None:
            raise NotFound(f"Process instance {instance_id} does not exist")
        repo.delete_instance(conn, instance_id)
    services.metrics.inc("flowport_instances_deleted_total", help_text="Process instances deleted")


# --- reading -------------------------------------------------------------------------------------


def get(services: Services, actor: Actor, instance_id: str) -> InstanceView:
    with read_transaction(services.db) as conn:
        row = repo.get(conn, actor.scope, instance_id)
    if row is None:
        raise NotFound(f"Process instance {instance_id} does not exist")
    return InstanceView.of_row(row)


def variables(services: Services, actor: Actor, instance_id: str) -> dict[str, Any]:
    return get(services, actor, instance_id).variables


def search(
    services: Services,
    actor: Actor,
    *,
    status: str | None = None,
    definition_key: str | None = None,
    business_key: str | None = None,
    started_after: datetime | None = None,
    started_before: datetime | None = None,
    cursor: str | None = None,
    limit: int = 50,
) -> Page[InstanceView]:
    wanted = parse_state(InstanceStatus, status) if status else None
    if status and wanted is None:
        raise InvalidRequest(f"Unknown status '{status}'; use RUNNING, SUSPENDED, COMPLETED or CANCELED")
    with read_transaction(services.db) as conn:
        rows = repo.search(
            conn,
            actor.scope,
            status=wanted,
            definition_key=definition_key,
            business_key=business_key,
            started_after=started_after,
            started_before=started_before,
            cursor=cursor,
            limit=limit,
        )
    return make_page(rows, limit, lambda r: (r.started_at, r.id)).map(InstanceView.of_row)


def history(
    services: Services, actor: Actor, instance_id: str, after: int = 0, limit: int = 200
) -> Page[HistoryEntry]:
    """History oldest first, from the entry after id ``after``; the next cursor is the last id read."""
    get(services, actor, instance_id)
    with read_transaction(services.db) as conn:
        rows = repo.list_history(conn, instance_id, after, limit)
    entries = [HistoryEntry.of_row(r) for r in rows[:limit]]
    more = len(rows) > limit and entries
    return Page(entries, str(entries[-1].id) if more else None)
