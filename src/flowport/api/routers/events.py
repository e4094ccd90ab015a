"""Messages (correlated to instances or starting them) and signals (broadcast)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from flowport.api.deps import ServicesDep, require
from flowport.api.json_route import JsonRoute
from flowport.api.schemas import DeliveriesOut, DeliveryOut, MessageIn, SignalIn
from flowport.services import messages
from flowport.services.context import Actor
from flowport.services.messages import Delivery

router = APIRouter(prefix="/api/v1", tags=["messages and signals"], route_class=JsonRoute)

MessageSender = Annotated[Actor, Depends(require("messages:send"))]
SignalSender = Annotated[Actor, Depends(require("signals:send"))]


def _out(deliveries: list[Delivery]) -> DeliveriesOut:
    return DeliveriesOut(items=[DeliveryOut.model_validate(d) for d in deliveries])


@router.post("/messages", response_model=DeliveriesOut)
def correlate_message(body: MessageIn, services: ServicesDep, actor: MessageSender) -> DeliveriesOut:
    """Deliver a message; 404 when no instance waits for it and no process starts on it."""
    return _out(
        messages.correlate(
            services,
            actor,
            body.name,
            instance_id=body.process_instance_id,
            business_key=body.business_key,
            correlation_key=body.correlation_key,
            variables=body.variables,
        )
    )


@router.post("/signals", response_model=DeliveriesOut)
def broadcast_signal(body: SignalIn, services: ServicesDep, actor: SignalSender) -> DeliveriesOut:
    """Broadcast a signal to every waiting instance of the environment."""
    return _out(messages.broadcast_signal(services, actor, body.name, body.variables))
