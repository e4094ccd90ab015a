"""Use case: deliver a message to the waiting instances of one process with a given business key.

SAP Workflow addresses a message either to one instance (:func:`flowport.services.messages.correlate`
with ``instance_id``) or to every instance of a workflow definition with a business key that waits
for it; suspended instances do not consume it. Nothing is started: a message start event is not
a target here. Only instances the caller may see are reached, as for every message.
"""

from __future__ import annotations

from typing import Any

from flowport.errors import InvalidRequest, NotFound
from flowport.persistence.repositories import events as event_repo
from flowport.services.context import Actor, Services
from flowport.services.execution import Delivery, Execution, execute
from flowport.states import InstanceStatus


def correlate_to_process(
    services: Services,
    actor: Actor,
    name: str,
    *,
    definition_key: str,
    business_key: str,
    variables: dict[str, Any] | None = None,
) -> list[Delivery]:
    """Deliver message ``name`` to each running instance of ``definition_key`` waiting with ``business_key``.

    All deliveries commit together; none waiting is a :class:`NotFound`, never a silent success.
    """
    if not name:
        raise InvalidRequest("The message needs a name")
    payload = variables or {}

    def use_case(execution: Execution) -> list[Delivery]:
        waiting = event_repo.waiting_instances(
            execution.conn, actor.scope, "message", name, business_key=business_key
        )
        deliveries: list[Delivery] = []
        for instance_id in waiting:
            header = execution.instance(actor.scope, instance_id)
            if header.definition_key != definition_key or header.status is InstanceStatus.SUSPENDED:
                continue
            deliveries += execution.deliver(
                actor, "message", name, payload, instance_id=instance_id, start_new=False
            )
        return deliveries

    deliveries = execute(services, use_case)
    if not deliveries:
        raise NotFound(
            f"No running instance of process {definition_key} with business key '{business_key}' "
            f"is waiting for message '{name}'"
        )
    services.metrics.inc(
        "flowport_messages_correlated_total", float(len(deliveries)), help_text="Messages consumed"
    )
    return deliveries
