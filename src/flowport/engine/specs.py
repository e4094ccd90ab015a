"""Flowport's corrections to SpiffWorkflow task specs, swapped in when a deployment is parsed."""

from __future__ import annotations

from typing import Any

from SpiffWorkflow.bpmn.specs.control import BoundaryEventJoin as SpiffBoundaryEventJoin
from SpiffWorkflow.bpmn.specs.event_definitions.timer import CycleTimerEventDefinition
from SpiffWorkflow.util.task import TaskState


class BoundaryEventJoin(SpiffBoundaryEventJoin):  # type: ignore[misc]
    """Ends an activity's boundary events when the activity ends, keeping what they already started.

    BPMN 2.0 section 10.5.5: a non-interrupting boundary event's tokens leave the activity and run
    on their own. SpiffWorkflow cancels a still-waiting cycle timer together with the tokens its
    earlier cycles spawned (they are its children in the task tree); such a timer is stopped here
    instead (marked completed), so those tokens survive. The class keeps SpiffWorkflow's name so
    that stored specs restore to it.
    """

    def _check_threshold_structured(self, my_task: Any) -> tuple[bool, list[Any]]:
        finished, cancel = super()._check_threshold_structured(my_task)
        if not finished:
            return finished, cancel
        keep = [task for task in cancel if _has_spawned(task)]
        for task in keep:
            task.workflow.top_workflow.event_manager.remove_task(task)
            task._set_state(TaskState.COMPLETED)
        return finished, [task for task in cancel if task not in keep]


def _has_spawned(task: Any) -> bool:
    """A cycle timer boundary event that has fired at least once (its children are real tokens)."""
    definition = getattr(task.task_spec, "event_definition", None)
    if not isinstance(definition, CycleTimerEventDefinition):
        return False
    return any(
        not child.has_state(TaskState.PREDICTED_MASK) and child.task_spec.bpmn_id for child in task.children
    )


def use_flowport_specs(spec: Any) -> None:
    """Swap SpiffWorkflow's task spec classes for Flowport's corrected ones in a parsed process spec."""
    for task_spec in spec.task_specs.values():
        if type(task_spec) is SpiffBoundaryEventJoin:
            task_spec.__class__ = BoundaryEventJoin
