"""Messages (correlated to instances or starting them) and signals (broadcast)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from flowport.api.deps import UseCaseContext, require
from flowport.api.native import NativeRoute
from flowport.api.schemas import DeliveriesOut, DeliveryOut, MessageIn, SignalIn
from flowport.services import messages
from flowport.services.messages import Delivery

router = APIRouter(prefix="/api/v1", tags=["messages and signals"], route_class=NativeRoute)

MessageSender = Annotated[UseCaseContext, Depends(require("messages:send"))]
SignalSender = Annotated[UseCaseContext, Depends(require("signals:send"))]


def _out(deliveries: list[Delivery]) -> DeliveriesOut:
    return DeliveriesOut(items=[DeliveryOut.model_validate(d) for d in deliveries])


@router.post("/messages", response_model=DeliveriesOut)
def correlate_message(body: MessageIn, use: MessageSender) -> DeliveriesOut:
    """Deliver a message; 404 when no instance waits for it and no process starts on it."""
    return _out(
        messages.correlate(
            use.services,
            use.actor,
            body.name,
            instance_id=body.process_instance_id,
            business_key=body.business_key,
            correlation_key=body.correlation_key,
            variables=body.variables,
        )
    )


@router.post("/signals", response_model=DeliveriesOut)
def broadcast_signal(body: SignalIn, use: SignalSender) -> DeliveriesOut:
    """Broadcast a signal to every waiting instance of the environment."""
    return _out(messages.broadcast_signal(use.services, use.actor, body.name, body.variables))
