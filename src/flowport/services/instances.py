"""Use cases for process instances: start, read, search, operate, variables, history."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import Connection

from flowport.engine.model import Snapshot
from flowport.engine.runtime import InstanceRun
from flowport.errors import Conflict, InvalidRequest, NotFound
from flowport.persistence.db import after_commit, read_transaction, write_transaction
from flowport.persistence.repositories import instances as repo
from flowport.persistence.repositories import jobs as job_repo
from flowport.persistence.repositories.definitions import DefinitionRow
from flowport.persistence.repositories.instances import InstanceRow
from flowport.services import definitions
from flowport.services.context import Actor, Services
from flowport.services.outcome import EMPTY, InstanceHeader, persist
from flowport.services.paging import Page, make_page

T = TypeVar("T")
ENDED = ("COMPLETED", "CANCELED")
_STARTED = "Process instances started"


@dataclass(frozen=True)
class InstanceView:
    id: str
    definition_id: str
    definition_key: str
    version: int
    status: str
    business_key: str | None
    active_element_ids: list[str]
    has_incidents: bool
    started_at: datetime
    ended_at: datetime | None
    started_by: str | None
    variables: dict[str, Any]


def _view(row: InstanceRow) -> InstanceView:
    return InstanceView(
        row.id,
        row.definition_id,
        row.definition_key,
        row.version,
        row.status,
        row.business_key,
        list(row.active_element_ids),
        bool(row.has_incidents),
        row.started_at,
        row.ended_at,
        row.started_by,
        dict(row.variables),
    )


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
    with write_transaction(services.db) as conn:
        definition = definitions.resolve(conn, actor, definition_id, definition_key, version)
        if instance_id is not None and repo.exists(conn, instance_id):
            raise Conflict(f"An instance with id {instance_id} already exists")
        view = start_in(conn, services, actor, definition, variables or {}, business_key, instance_id)
    return view


def start_in(
    conn: Connection,
    services: Services,
    actor: Actor,
    definition: DefinitionRow,
    variables: dict[str, Any],
    business_key: str | None,
    instance_id: str | None,
    *,
    message: str | None = None,
    reason: str | None = None,
) -> InstanceView:
    """Start inside the caller's transaction (deploy, message start events and the API share it)."""
    loaded, elements = definitions.runtime(conn, services, definition.id)
    run = services.engine.start(loaded, variables, message=message)
    header = InstanceHeader(
        id=instance_id or str(uuid.uuid4()),
        env=actor.env,
        definition_id=definition.id,
        definition_key=definition.key,
        business_key=business_key,
        version=0,
        status="RUNNING",
        elements=elements,
    )
    details: dict[str, Any] = {"variables": sorted(variables)}
    if reason:
        details["reason"] = reason
    after = persist(
        conn, services, header, run, EMPTY, actor, events=[("instance started", None, details)], new=True
    )
    after_commit(conn, lambda: services.metrics.inc("flowport_instances_started_total", help_text=_STARTED))
    return _view_of(header, after, actor)


def _view_of(header: InstanceHeader, after: Snapshot, actor: Actor) -> InstanceView:
    now = header.started_at
    assert now is not None
    return InstanceView(
        header.id,
        header.definition_id,
        header.definition_key,
        header.version,
        header.status,
        header.business_key,
        [] if header.status in ENDED else after.active_element_ids,
        bool(after.failures),
        now,
        now if header.status in ENDED else None,
        actor.subject,
        after.variables,
    )


# --- commands on one instance --------------------------------------------------------------------


def command(
    conn: Connection,
    services: Services,
    actor: Actor,
    instance_id: str,
    action: Callable[[InstanceRun], T],
    *,
    event: str | None = None,
    element_id: str | None = None,
    details: dict[str, Any] | None = None,
    completed_task: str | None = None,
    status: str | None = None,
    allow_suspended: bool = False,
) -> tuple[InstanceHeader, T]:
    """Load an instance, apply ``action`` through the engine and store the outcome (CAS on version)."""
    found = repo.get_with_state(conn, actor.env, instance_id)
    if found is None:
        raise NotFound(f"Process instance {instance_id} does not exist")
    row, state = found
    if row.status in ENDED:
        raise Conflict(f"Process instance {instance_id} is {row.status.lower()}; it accepts no commands")
    if row.status == "SUSPENDED" and not allow_suspended:
        raise Conflict(f"Process instance {instance_id} is suspended; resume it first")
    loaded, elements = definitions.runtime(conn, services, row.definition_id)
    run = services.engine.open(loaded, state)
    before = run.snapshot()
    result = action(run)
    header = InstanceHeader(
        row.id,
        row.env,
        row.definition_id,
        row.definition_key,
        row.business_key,
        row.version,
        row.status,
        elements,
    )
    events = [(event, element_id, details)] if event else []
    persist(
        conn,
        services,
        header,
        run,
        before,
        actor,
        events=events,
        completed_task=completed_task,
        status=status,
    )
    return header, result


def _operate(
    services: Services,
    actor: Actor,
    instance_id: str,
    action: Callable[[InstanceRun], Any],
    event: str,
    *,
    status: str | None = None,
    allow_suspended: bool = False,
    details: dict[str, Any] | None = None,
) -> InstanceView:
    with write_transaction(services.db) as conn:
        command(
            conn,
            services,
            actor,
            instance_id,
            action,
            event=event,
            status=status,
            allow_suspended=allow_suspended,
            details=details,
        )
        row = repo.get(conn, actor.env, instance_id)
    assert row is not None
    return _view(row)


def cancel(services: Services, actor: Actor, instance_id: str) -> InstanceView:
    view = _operate(
        services,
        actor,
        instance_id,
        lambda run: run.cancel(),
        "instance canceled",
        status="CANCELED",
        allow_suspended=True,
    )
    services.metrics.inc("flowport_instances_canceled_total", help_text="Process instances canceled")
    return view


def suspend(services: Services, actor: Actor, instance_id: str) -> InstanceView:
    return _operate(services, actor, instance_id, lambda run: None, "instance suspended", status="SUSPENDED")


def resume(services: Services, actor: Actor, instance_id: str) -> InstanceView:
    with write_transaction(services.db) as conn:
        row = repo.get(conn, actor.env, instance_id)
        if row is None:
            raise NotFound(f"Process instance {instance_id} does not exist")
        if row.status != "SUSPENDED":
            raise Conflict(f"Process instance {instance_id} is not suspended")
        command(
            conn,
            services,
            actor,
            instance_id,
            lambda run: None,
            event="instance resumed",
            status="RUNNING",
            allow_suspended=True,
        )
        row = repo.get(conn, actor.env, instance_id)
    assert row is not None
    services.timers_changed.set()  # timers of a suspended instance were held back
    return _view(row)


def move(
    services: Services, actor: Actor, instance_id: str, to_element: str, from_element: str | None
) -> InstanceView:
    """Move the token to another activity (OptimaJet's *set state*)."""
    return _operate(
        services,
        actor,
        instance_id,
        lambda run: run.move(to_element, from_element),
        "token moved",
        details={"to": to_element, "from": from_element},
    )


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
        if repo.get(conn, actor.env, instance_id) is None:
            raise NotFound(f"Process instance {instance_id} does not exist")
        repo.delete_instance(conn, instance_id)
    services.metrics.inc("flowport_instances_deleted_total", help_text="Process instances deleted")


# --- reading -------------------------------------------------------------------------------------


def get(services: Services, actor: Actor, instance_id: str) -> InstanceView:
    with read_transaction(services.db) as conn:
        row = repo.get(conn, actor.env, instance_id)
    if row is None or (actor.sees_only_own and row.started_by != actor.subject):
        raise NotFound(f"Process instance {instance_id} does not exist")
    return _view(row)


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
    if status and status not in ("RUNNING", "SUSPENDED", "COMPLETED", "CANCELED"):
        raise InvalidRequest(f"Unknown status '{status}'; use RUNNING, SUSPENDED, COMPLETED or CANCELED")
    with read_transaction(services.db) as conn:
        rows = repo.search(
            conn,
            actor.env,
            status=status,
            definition_key=definition_key,
            business_key=business_key,
            started_after=started_after,
            started_before=started_before,
            started_by=actor.subject if actor.sees_only_own else None,
            cursor=cursor,
            limit=limit,
        )
    page = make_page(rows, limit, lambda r: (r.started_at, r.id))
    return Page([_view(r) for r in page.items], page.next_cursor)


def history(
    services: Services, actor: Actor, instance_id: str, after: int = 0, limit: int = 200
) -> tuple[list[dict[str, Any]], int | None]:
    get(services, actor, instance_id)
    with read_transaction(services.db) as conn:
        rows = repo.list_history(conn, instance_id, after, limit)
    more = len(rows) > limit
    rows = rows[:limit]
    return rows, (rows[-1]["id"] if more and rows else None)


def incidents_open(conn: Connection, instance_id: str) -> bool:
    return job_repo.open_incident_count(conn, instance_id) > 0
