"""Use cases for messages (correlated to waiting instances or starting new ones) and signals.

Both reach only the instances the caller may see (see :mod:`flowport.persistence.scope`); the
delivery itself, shared with the messages and signals that instances throw, lives in
:meth:`flowport.services.execution.Execution.deliver`.
"""

from __future__ import annotations

from typing import Any

from flowport.errors import InvalidRequest, NotFound
from flowport.services.context import Actor, Services
from flowport.services.execution import Delivery, Execution, execute

__all__ = ["Delivery", "broadcast_signal", "correlate"]


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

    def use_case(execution: Execution) -> list[Delivery]:
        return execution.deliver(
            actor,
            "message",
            name,
            variables or {},
            instance_id=instance_id,
            business_key=business_key,
            correlation_key=correlation_key,
            start_new=instance_id is None,
        )

    deliveries = execute(services, use_case)
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
    deliveries = execute(services, lambda execution: execution.deliver(actor, "signal", name, payload))
    services.metrics.inc("flowport_signals_sent_total", help_text="Signals broadcast")
    return deliveries
