"""Timer start events (BPMN 2.0 section 10.5.2): scheduled when deployed, fired by the scheduler.

As in Camunda, deploying schedules starts, not instances; each due start creates one new instance
of that definition version. The instance is created in the same transaction that moves the start to
its next repetition (or deletes it), while the start is leased to this scheduler and its row
locked, so it fires exactly once even with several server processes. A new version of the process
replaces the previous versions' scheduled starts. Missed repetitions are coalesced into one start
(see :mod:`flowport.engine.start_timers`).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import timedelta

from sqlalchemy import Connection

from flowport.engine.model import StartTrigger
from flowport.engine.start_timers import StartSchedule, first_start, next_start
from flowport.persistence.db import after_commit, write_transaction
from flowport.persistence.repositories import definitions as definition_repo
from flowport.persistence.repositories import start_timers as repo
from flowport.persistence.repositories.definitions import DefinitionRow
from flowport.persistence.repositories.start_timers import LeasedStart
from flowport.services.context import Actor, Services
from flowport.services.execution import Execution, execute
from flowport.services.instance_writes import StaleRead

LEASE = timedelta(seconds=30)
REASON = "timer start event"
SCHEDULER = "scheduler"


def schedule(
    conn: Connection, services: Services, definition: DefinitionRow, triggers: Iterable[StartTrigger]
) -> None:
    """Replace the scheduled starts of ``definition``'s process key by those of this (new) version."""
    repo.delete_for_key(conn, definition.env, definition.key)
    now = services.clock()
    rows = []
    for trigger in triggers:
        if trigger.kind != "timer":
            continue
        first = first_start(trigger.name, now)
        if first is None:  # a cycle of zero repetitions
            continue
        rows.append(
            {
                "id": str(uuid.uuid4()),
                "env": definition.env,
                "definition_id": definition.id,
                "element_id": trigger.element_id,
                "expression": trigger.name,
                "due_at": first.due_at,
                "remaining": first.remaining,
            }
        )
    repo.insert_start_timers(conn, rows)
    if rows:
        after_commit(conn, services.timers_changed.set)


def claim_due(services: Services, owner: str, limit: int = 100) -> list[LeasedStart]:
    """Lease due starts to this scheduler; a crashed owner's lease expires and others take over."""
    with write_transaction(services.db) as conn:
        return repo.claim_due(conn, owner, services.clock(), LEASE, limit)


def fire(services: Services, owner: str, timer_id: str) -> str | None:
    """Fire one leased start: create the instance and move on to the next repetition.

    Returns the new instance's id (None: the start was removed or taken over meanwhile).
    """

    def use_case(execution: Execution) -> str | None:
        row = repo.leased(execution.conn, timer_id, owner)
        if row is None:
            return None
        definition = definition_repo.get(execution.conn, row.env, row.definition_id)
        if definition is None:
            return None
        following = next_start(row.expression, StartSchedule(row.due_at, row.remaining), services.clock())

        def move_on(conn: Connection) -> None:
            # Locked until commit on PostgreSQL; a start taken over meanwhile is planned again.
            if following is None:
                moved = repo.remove(conn, timer_id, owner)
            else:
                moved = repo.reschedule(conn, timer_id, owner, following.due_at, following.remaining)
            if not moved:
                raise StaleRead(f"Timer start {timer_id} is no longer leased to {owner}")

        execution.write(move_on)
        actor = Actor(env=definition.env, subject=SCHEDULER)
        view = execution.start(actor, definition, {}, timer_start=row.element_id, reason=REASON)
        if following is not None:
            execution.after_commit(services.timers_changed.set)
        return view.id

    instance_id = execute(services, use_case)
    if instance_id is not None:
        services.metrics.inc(
            "flowport_start_timers_fired_total", help_text="Timer start events fired by the scheduler"
        )
    return instance_id
