"""Use cases for messages (correlated to waiting instances or starting new ones) and signals."""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection

from flowport.engine.model import ThrownEvent
from flowport.errors import Conflict, InvalidRequest, NotFound
from flowport.persistence.db import write_transaction
from flowport.persistence.repositories import definitions as definition_repo
from flowport.persistence.repositories import events as event_repo
from flowport.services.context import Actor, Services
from flowport.services.instances import command, start_in


@dataclass(frozen=True)
class Delivery:
    """An instance that consumed a message or signal; ``started`` when it was created by it."""

    instance_id: str
    definition_key: str
    status: str
    started: bool


def correlate(
    services: Services,
    actor: Actor,
    name: str,
    *,
    instance_id: str | None = None,
    business_key: str | None = None,
    correlation_key: str | None = None,
    variables: dict[str, Any] | None = None,
) -> list[Delivery]:
    """Deliver a message to every instance waiting for it that matches the given keys.

    With no waiting instance, processes that start on this message start (with ``businessKey``).
    Nobody waiting and nothing to start is a :class:`NotFound`, never a silent success.
    """
    if not name:
        raise InvalidRequest("The message needs a name")
    payload = variables or {}
    deliveries: list[Delivery] = []
    with write_transaction(services.db) as conn:
        waiting = event_repo.waiting_instances(
            conn,
            actor.env,
            "message",
            name,
            instance_id=instance_id,
            business_key=business_key,
            correlation_key=correlation_key,
        )
        for target in waiting:
            header, consumed = command(
                conn,
                services,
                actor,
                target,
                lambda run: run.correlate_message(name, payload),
                event="message correlated",
                details={"message": name, "variables": sorted(payload)},
            )
            if consumed:
                deliveries.append(Delivery(header.id, header.definition_key, header.status, started=False))
        if not deliveries and instance_id is None:
            for definition_id in definition_repo.start_trigger_definitions(conn, actor.env, "message", name):
                definition = definition_repo.get(conn, actor.env, definition_id)
                assert definition is not None
                view = start_in(
                    conn,
                    services,
                    actor,
                    definition,
                    payload,
                    business_key,
                    None,
                    message=name,
                    reason=f"message start event '{name}'",
                )
                deliveries.append(Delivery(view.id, view.definition_key, view.status, started=True))
    if not deliveries:
        raise NotFound(
            f"No process instance is waiting for message '{name}' with the given keys, "
            "and no process starts on it"
        )
    services.metrics.inc(
        "flowport_messages_correlated_total", float(len(deliveries)), help_text="Messages consumed"
    )
    return deliveries


def broadcast_signal(
    services: Services, actor: Actor, name: str, variables: dict[str, Any] | None = None
) -> list[Delivery]:
    """Send a signal to every waiting instance of the environment; start processes that start on it."""
    if not name:
        raise InvalidRequest("The signal needs a name")
    payload = variables or {}
    deliveries: list[Delivery] = []
    with write_transaction(services.db) as conn:
        for target in event_repo.waiting_instances(conn, actor.env, "signal", name):
            header, caught = command(
                conn,
                services,
                actor,
                target,
                lambda run: run.signal(name, payload),
                event="signal received",
                details={"signal": name},
            )
            if caught:
                deliveries.append(Delivery(header.id, header.definition_key, header.status, started=False))
        for definition_id in definition_repo.start_trigger_definitions(conn, actor.env, "signal", name):
            definition = definition_repo.get(conn, actor.env, definition_id)
            assert definition is not None
            view = start_in(conn, services, actor, definition, payload, None, None, reason=f"signal '{name}'")
            deliveries.append(Delivery(view.id, view.definition_key, view.status, started=True))
    services.metrics.inc("flowport_signals_sent_total", help_text="Signals broadcast")
    return deliveries


# Instances that throw to each other could ping-pong forever inside one transaction.
_THROW_DEPTH: ContextVar[int] = ContextVar("flowport_throw_depth", default=0)
MAX_THROW_DEPTH = 8


def deliver_thrown(
    conn: Connection, services: Services, actor: Actor, source_id: str, thrown: list[ThrownEvent]
) -> None:
    """Deliver the messages and signals an instance threw to the other instances they are meant for.

    Runs inside the thrower's transaction. A signal reaches every waiting instance and starts the
    processes that start on it; a message reaches the waiting instances with the thrower's
    ``correlationKey`` (all of them when it has none), else starts the processes that start on it.
    Suspended targets are skipped; a thrown event nobody waits for is lost, as in BPMN.
    """
    depth = _THROW_DEPTH.get()
    if depth >= MAX_THROW_DEPTH:
        return
    token = _THROW_DEPTH.set(depth + 1)
    try:
        for event in thrown:
            _deliver_one(conn, services, actor, source_id, event)
    finally:
        _THROW_DEPTH.reset(token)


def _deliver_one(
    conn: Connection, services: Services, actor: Actor, source_id: str, event: ThrownEvent
) -> None:
    key = event.payload.get("correlationKey") if event.kind == "message" else None
    waiting = event_repo.waiting_instances(
        conn, actor.env, event.kind, event.name, correlation_key=None if key is None else str(key)
    )
    delivered = False
    for target in waiting:
        if target == source_id:
            continue
        try:
            _, caught = command(
                conn,
                services,
                actor,
                target,
                lambda run: (run.correlate_message if event.kind == "message" else run.signal)(
                    event.name, event.payload
                ),
                event="message correlated" if event.kind == "message" else "signal received",
                details={event.kind: event.name, "from": source_id},
            )
        except Conflict:  # suspended (or changed concurrently): it does not take the event
            continue
        delivered = delivered or bool(caught)
    if delivered and event.kind == "message":
        return
    for definition_id in definition_repo.start_trigger_definitions(conn, actor.env, event.kind, event.name):
        definition = definition_repo.get(conn, actor.env, definition_id)
        assert definition is not None
        start_in(
            conn,
            services,
            actor,
            definition,
            event.payload,
            None,
            None,
            message=event.name if event.kind == "message" else None,
            reason=f"{event.kind} '{event.name}' thrown by instance {source_id}",
        )
