"""Firing due timers (called by the scheduler; the same service layer as the API)."""

from __future__ import annotations

from datetime import datetime, timedelta

from flowport.errors import Conflict, NotFound
from flowport.persistence.db import read_transaction, write_transaction
from flowport.persistence.repositories import events as event_repo
from flowport.persistence.repositories.events import LeasedTimer
from flowport.services.context import Actor, Services
from flowport.services.execution import Execution, execute
from flowport.services.instance_writes import HistoryEvent

LEASE = timedelta(seconds=30)


def claim_due(services: Services, owner: str, limit: int = 100) -> list[LeasedTimer]:
    """Lease due timers to this scheduler; a crashed owner's lease expires and others take over."""
    with write_transaction(services.db) as conn:
        return event_repo.claim_due_timers(conn, owner, services.clock(), LEASE, limit)


def fire(services: Services, owner: str, timer: LeasedTimer) -> bool:
    """Fire one leased timer; the instance's version check makes it fire exactly once."""
    actor = Actor(env=timer.env, subject="scheduler")

    def use_case(execution: Execution) -> bool:
        element_id = event_repo.leased_timer_element(execution.conn, timer.id, owner)
        if element_id is None:
            return False
        execution.command(
            actor,
            timer.instance_id,
            lambda run: run.fire_due_timers(),
            event=HistoryEvent("timer fired", element_id),
        )
        return True

    try:
        if not execute(services, use_case):
            return False
    except (Conflict, NotFound):
        return False
    services.metrics.inc("flowport_timers_fired_total", help_text="Timers fired by the scheduler")
    return True


def next_due(services: Services) -> datetime | None:
    with read_transaction(services.db) as conn:
        return event_repo.next_timer_due(conn, services.clock())
