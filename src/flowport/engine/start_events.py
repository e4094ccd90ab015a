"""Entering a new instance at a start event that waits for a trigger (BPMN 2.0 section 10.5.2).

A start request is itself the trigger: like Camunda's "initial" start event, a process with a single
start event of any kind is entered directly. A timer start event never waits inside an instance:
its schedule belongs to the definition, and the instance it starts finds it already due.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from SpiffWorkflow.bpmn.specs.control import BpmnStartTask, StartEventSplit
from SpiffWorkflow.bpmn.specs.event_definitions.item_aware_event import SignalEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.message import MessageEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.timer import (
    CycleTimerEventDefinition,
    TimerEventDefinition,
)
from SpiffWorkflow.bpmn.specs.mixins.events.start_event import StartEvent
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.util.task import TaskState

from flowport.errors import InvalidRequest


def arm_sole_timer_start_event(workflow: BpmnWorkflow) -> None:
    """Before a new instance first runs: make the process's only start event due if it is a timer."""
    starts = _start_events(workflow)
    if len(starts) == 1 and isinstance(starts[0].task_spec.event_definition, TimerEventDefinition):
        _arm(starts[0])


def enter_sole_start_event(workflow: BpmnWorkflow) -> bool:
    """Fire the process's only start event if it waits for a message or signal; whether it fired."""
    starts = _start_events(workflow)
    if len(starts) != 1 or starts[0].state != TaskState.WAITING:
        return False
    task = starts[0]
    if not isinstance(task.task_spec.event_definition, MessageEventDefinition | SignalEventDefinition):
        return False
    task._set_internal_data(event_fired=True)
    task.task_spec._update(task)
    return True


def enter_timer_start_event(workflow: BpmnWorkflow, element_id: str) -> None:
    """Before a new instance first runs: start it through the timer start event ``element_id``.

    The process's other start events are canceled: the instance was started by this trigger
    alone (a none start event next to it must not run too).
    """
    starts = _start_events(workflow)
    chosen = next(
        (
            t
            for t in starts
            if t.task_spec.bpmn_id == element_id
            and isinstance(t.task_spec.event_definition, TimerEventDefinition)
        ),
        None,
    )
    if chosen is None or chosen.has_state(TaskState.FINISHED_MASK):
        raise InvalidRequest(f"The process has no timer start event '{element_id}'", elementId=element_id)
    _arm(chosen)
    # Run the plumbing in front of the start events (the process start, and the split SpiffWorkflow
    # puts before several start events) without running any start event yet.
    while plumbing := [
        t
        for t in workflow.get_tasks(state=TaskState.READY, skip_subprocesses=True)
        if isinstance(t.task_spec, BpmnStartTask | StartEventSplit)
    ]:
        for task in plumbing:
            task.run()
    for other in _start_events(workflow):
        if other is not chosen:
            other.cancel()


def _start_events(workflow: BpmnWorkflow) -> list[Any]:
    return [t for t in workflow.get_tasks(skip_subprocesses=True) if isinstance(t.task_spec, StartEvent)]


def _arm(task: Any) -> None:
    """Give a timer start event an already-due moment before SpiffWorkflow first looks at it.

    The stored moment replaces the expression, which is then never evaluated in the instance.
    """
    if isinstance(task.task_spec.event_definition, CycleTimerEventDefinition):
        # One repetition, already due: SpiffWorkflow spawns the outgoing path for it, then completes
        # the event (a cycle spawns a path per repetition instead of completing).
        due = (datetime.now(UTC) - timedelta(milliseconds=1)).isoformat()
        task._set_internal_data(event_value={"cycles": 1, "next": due, "duration": 0.0})
    else:
        task._set_internal_data(event_value=datetime.now(UTC).isoformat(), event_fired=True)
