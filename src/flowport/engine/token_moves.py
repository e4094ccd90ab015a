"""Moving tokens by hand (instance modification): back to an activity that ran, or on to one not reached.

BPMN 2.0 has no notion of this; engines offer it as an operator's repair tool (OptimaJet's *set
state*, Camunda's process instance modification). SpiffWorkflow offers resets; jumps forward are
built here from its task-tree primitives.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from copy import deepcopy
from typing import Any
from uuid import UUID, uuid4

from SpiffWorkflow.bpmn.specs.control import BoundaryEventSplit
from SpiffWorkflow.bpmn.specs.mixins.multiinstance_task import LoopTask
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.util.task import TaskState

from flowport.errors import InvalidRequest


def reset_to(workflow: BpmnWorkflow, task: Any, variables: dict[str, Any], also_cancel: list[Any]) -> None:
    """Run ``task`` again: everything after it on its path is dropped; the variables are kept.

    ``also_cancel`` are tokens elsewhere (other branches) that the caller asked to move too.
    """
    with _inheriting(task, variables):
        workflow.reset_from_task_id(task.id)
    for source in also_cancel:
        if source.workflow.tasks.get(source.id) is source and source.has_state(TaskState.NOT_FINISHED_MASK):
            _cancel_token(source)


def jump_to(workflow: BpmnWorkflow, element_id: str, sources: list[Any], variables: dict[str, Any]) -> None:
    """Cancel the tokens at ``sources`` and activate ``element_id`` in their place."""
    if not sources:
        raise InvalidRequest(f"The instance has no token to move to '{element_id}'", elementId=element_id)
    nodes: dict[UUID, Any] = {}
    spec = None
    for source in sources:
        node, spec = _level_of(workflow, source, element_id)
        nodes.setdefault(node.id, node)
    anchor = None
    for node in nodes.values():
        cancelled = _cancel_token(node)
        anchor = anchor or (cancelled if cancelled.has_state(TaskState.COMPLETED) else cancelled.parent)
    assert anchor is not None and spec is not None
    child = anchor._add_child(_entry_spec(spec), TaskState.FUTURE)
    child.task_spec._predict(child, mask=TaskState.PREDICTED_MASK | TaskState.FUTURE)
    with _inheriting(child, variables):
        child.task_spec._update(child)


def renew_ids(workflow: BpmnWorkflow, finished: set[UUID]) -> None:
    """Give a fresh id to every task that had finished and runs again after a move.

    Flowport indexes user tasks by engine task id; an activation must never reuse the id of an
    earlier, completed one.
    """
    for task in workflow.get_tasks(state=TaskState.NOT_FINISHED_MASK):
        if task.id in finished:
            _rekey(workflow, task)


def _rekey(workflow: BpmnWorkflow, task: Any) -> None:
    # Tasks link to each other by id (parent and children), so every link is rewritten.
    old, new = task.id, uuid4()
    parent, children = task.parent, task.children
    task.workflow.tasks.pop(old)
    task.id = new
    task.workflow.tasks[new] = task
    if parent is not None:
        parent._children = [new if c == old else c for c in parent._children]
    for child in children:
        child._parent = new
    if workflow.event_manager.tasks.pop(old, None) is not None:
        workflow.event_manager.tasks[new] = task
    subprocess = workflow.subprocesses.pop(old, None)
    if subprocess is not None:
        subprocess.parent_task_id = new
        workflow.subprocesses[new] = subprocess


def _level_of(workflow: BpmnWorkflow, source: Any, element_id: str) -> tuple[Any, Any]:
    """The task standing for ``source`` in the (sub)process that contains ``element_id``, and its spec."""
    node = source
    while True:
        spec = _spec_for(node.workflow.spec, element_id)
        if spec is not None:
            return node, spec
        parent_id = getattr(node.workflow, "parent_task_id", None)
        if parent_id is None:
            raise InvalidRequest(
                f"Element '{element_id}' cannot be reached from this instance's current position",
                elementId=element_id,
            )
        node = workflow.get_task_from_id(parent_id)


def _spec_for(process_spec: Any, element_id: str) -> Any:
    for spec in process_spec.task_specs.values():
        if spec.bpmn_id == element_id and not _inside_loop(spec):
            return spec
    return None


def _inside_loop(spec: Any) -> bool:
    # The per-instance spec of a multi-instance activity shares the activity's element id.
    return any(
        isinstance(s, LoopTask) and s.task_spec == spec.name for s in spec._wf_spec.task_specs.values()
    )


def _entry_spec(spec: Any) -> Any:
    """What to instantiate to activate ``spec``: the boundary-event split in front of it, if any."""
    for before in spec.inputs:
        if isinstance(before, BoundaryEventSplit):
            return before
    return spec


def _cancel_token(task: Any) -> Any:
    """Cancel the token at ``task`` with the boundary events attached to it; returns what was canceled."""
    node = task.parent if isinstance(task.parent.task_spec, BoundaryEventSplit) else task
    node.cancel()  # a finished split cancels its children (the activity and its boundary events)
    return node


@contextmanager
def _inheriting(task: Any, variables: dict[str, Any]) -> Iterator[None]:
    """Let ``task`` inherit ``variables`` instead of its parent's (older) data while it is (re)activated.

    SpiffWorkflow merges the parent's data over a task's own when it becomes ready, which would
    undo changes made since the parent ran.
    """
    parent = task.parent
    saved = parent.data
    parent.data = deepcopy(variables)
    try:
        yield
    finally:
        parent.data = saved
