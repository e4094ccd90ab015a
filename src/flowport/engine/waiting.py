"""What an instance waits for from outside: timers, messages and signals (BPMN 2.0 section 10.5).

The server indexes these (timers table, subscriptions table) so that the scheduler and message
correlation never deserialize instances.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import uuid5

from SpiffWorkflow.bpmn.specs.event_definitions.conditional import ConditionalEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.item_aware_event import SignalEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.message import MessageEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.multiple import MultipleEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.timer import (
    CycleTimerEventDefinition,
    TimerEventDefinition,
)
from SpiffWorkflow.bpmn.specs.mixins.events.intermediate_event import EventBasedGateway
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.util.task import TaskState

from flowport.engine.model import WaitingEvent, WaitingTimer

CORRELATION_VARIABLE = "correlationKey"
"""The instance variable whose value a message's ``correlationKey`` must match."""


def waiting_for(
    workflow: BpmnWorkflow, correlation_key: Any
) -> tuple[list[WaitingTimer], list[WaitingEvent]]:
    """Armed timers and message/signal subscriptions of an instance."""
    timers: list[WaitingTimer] = []
    events: list[WaitingEvent] = []
    for task in list(workflow.event_manager.tasks.values()):
        if task.has_state(TaskState.WAITING):
            _collect(task, timers, events)
    if not workflow.completed:
        events.extend(_event_subprocess_triggers(workflow, _as_key(correlation_key)))
    return timers, events


def refresh_waiting(workflow: BpmnWorkflow) -> None:
    """Look again at waiting events whose firing depends on time or data.

    A spent timer cycle only notices it is done on the next look (then its boundary event
    completes and keeps what it started); a conditional event (BPMN 2.0 section 10.5.3) fires
    once the data makes its condition true.
    """
    workflow.refresh_timers()
    for task in list(workflow.event_manager.tasks.values()):
        definition = task.task_spec.event_definition
        if task.state == TaskState.WAITING and isinstance(definition, ConditionalEventDefinition):
            task.task_spec._update(task)


def _collect(task: Any, timers: list[WaitingTimer], events: list[WaitingEvent]) -> None:
    """What one waiting catch event (or event-based gateway, BPMN 2.0 section 10.6.6) needs.

    An event-based gateway waits for several definitions at once; each gets its own id
    (``<task id>/<index>``) and the element id of the event that catches it.
    """
    spec = task.task_spec
    definition = spec.event_definition
    if isinstance(definition, MultipleEventDefinition):
        parts = [
            (f"{task.id}/{i}", _catching_element(spec, i), item)
            for i, item in enumerate(definition.event_definitions)
        ]
    else:
        parts = [(str(task.id), str(spec.bpmn_id), definition)]
    for item_id, element, item in parts:
        if isinstance(item, TimerEventDefinition):
            due = timer_due(task, item)
            if due is not None:
                timers.append(WaitingTimer(item_id, element, due))
        elif isinstance(item, MessageEventDefinition):
            key = _as_key(task.data.get(CORRELATION_VARIABLE))
            events.append(WaitingEvent(item_id, element, "message", str(item.name), key))
        elif isinstance(item, SignalEventDefinition):
            events.append(WaitingEvent(item_id, element, "signal", str(item.name)))


def _catching_element(spec: Any, index: int) -> str:
    """The element that catches the ``index``-th event of an event-based gateway (else the element itself)."""
    # The gateway holds its targets' definitions in the order of its outgoing flows.
    if isinstance(spec, EventBasedGateway) and index < len(spec.outputs):
        return str(spec.outputs[index].bpmn_id)
    return str(spec.bpmn_id)


def _event_subprocess_triggers(workflow: BpmnWorkflow, key: str | None) -> list[WaitingEvent]:
    """Message and signal start events of the process's event subprocesses (BPMN 2.0 section 10.3.5).

    SpiffWorkflow creates such a subprocess only when its event arrives, so nothing waits in the
    task tree; the subscription is derived from the spec and lives as long as the instance runs.
    """
    found = []
    for name in workflow.spec.start.trigger_specs:
        for start in workflow.subprocess_specs[name].bpmn_start_events:
            definition = start.event_definition
            if isinstance(definition, MessageEventDefinition | SignalEventDefinition):
                kind = "message" if isinstance(definition, MessageEventDefinition) else "signal"
                event_id = str(uuid5(workflow.task_tree.id, f"{name}/{start.name}"))
                found.append(WaitingEvent(event_id, str(start.bpmn_id), kind, str(definition.name), key))
    return found


def timer_due(task: Any, definition: TimerEventDefinition) -> datetime | None:
    """When an armed timer fires (BPMN 2.0 section 10.5.4: timeDate, timeDuration, timeCycle).

    SpiffWorkflow keeps the evaluated moment in the task: an ISO date for dates and durations (a
    duration became "now + duration" when the timer was armed) and, for cycles, the next occurrence
    and the repetitions left. None when a cycle has no repetitions left.
    """
    value = task._get_internal_data("event_value")
    try:
        if isinstance(definition, CycleTimerEventDefinition):
            if isinstance(value, dict):
                if value.get("cycles") == 0:
                    return None
                value = value["next"]
            elif isinstance(value, str):
                value = TimerEventDefinition.parse_iso_recurring_interval(value)[1].isoformat()
        due = TimerEventDefinition.parse_time_or_duration(value) if value is not None else datetime.now(UTC)
    except Exception:  # a value Spiff could not parse: look again soon rather than never
        return datetime.now(UTC) + timedelta(seconds=1)
    if not isinstance(due, datetime):  # a duration where a date was expected: Spiff cannot fire it either
        return datetime.now(UTC) + timedelta(seconds=1)
    return due if due.tzinfo else due.replace(tzinfo=UTC)


def _as_key(value: Any) -> str | None:
    return None if value is None else str(value)
