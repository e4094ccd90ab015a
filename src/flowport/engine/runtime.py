"""Running process instances: the only place that drives SpiffWorkflow at run time."""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable
from copy import deepcopy
from dataclasses import dataclass
from threading import Lock
from typing import Any
from uuid import UUID

from SpiffWorkflow.bpmn.specs.event_definitions.item_aware_event import SignalEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.message import MessageEventDefinition
from SpiffWorkflow.bpmn.specs.mixins.events.event_types import CatchingEvent
from SpiffWorkflow.bpmn.specs.mixins.service_task import ServiceTask
from SpiffWorkflow.bpmn.specs.mixins.unstructured_join import UnstructuredJoin
from SpiffWorkflow.bpmn.util.event import BpmnEvent
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.exceptions import SpiffWorkflowException, WorkflowException
from SpiffWorkflow.util.task import TaskState

from flowport.engine.model import (
    ElementInfo,
    EngineFailure,
    OpenJob,
    OpenTask,
    Snapshot,
    StepRecord,
    ThrownEvent,
)
from flowport.engine.scripting import SandboxPool, create_script_engine
from flowport.engine.serialization import dump_workflow, load_specs, restore_workflow
from flowport.engine.start_events import (
    arm_sole_timer_start_event,
    enter_sole_start_event,
    enter_timer_start_event,
)
from flowport.engine.task_facts import element_type, is_loop_instance, merged_join, plain, visible
from flowport.engine.task_facts import failure_message as failure_message
from flowport.engine.token_moves import jump_to, renew_ids, reset_to
from flowport.engine.waiting import CORRELATION_VARIABLE as CORRELATION_VARIABLE
from flowport.engine.waiting import refresh_waiting, waiting_for
from flowport.errors import Conflict, InvalidRequest, NotFound

_EVENT_NAMES = {
    TaskState.COMPLETED: "completed",
    TaskState.READY: "activated",
    TaskState.WAITING: "waiting",
    TaskState.CANCELLED: "canceled",
    TaskState.ERROR: "failed",
}
_ACTIVE = TaskState.READY | TaskState.WAITING | TaskState.STARTED | TaskState.ERROR


@dataclass(frozen=True)
class LoadedDefinition:
    """A definition's specs restored once and shared by all its instances, with its element facts."""

    spec: Any
    subprocess_specs: dict[str, Any]
    elements: dict[str, ElementInfo]


class Engine:
    """Facade over SpiffWorkflow: start, restore and advance instances."""

    def __init__(
        self, script_time_limit: float = 1.0, cache_size: int = 256, script_workers: int = 2
    ) -> None:
        # Worker processes start on the first script, not here: many engines never run one.
        self._sandbox = SandboxPool(script_workers)
        self._script_engine = create_script_engine(
            time_limit_seconds=script_time_limit, sandbox=self._sandbox
        )
        self._cache: OrderedDict[str, LoadedDefinition] = OrderedDict()
        self._cache_size = cache_size
        self._lock = Lock()

    def close(self) -> None:
        """Stop the script sandbox's worker processes (at shutdown)."""
        self._sandbox.close()

    def definition(
        self, definition_id: str, load: Callable[[], tuple[str, dict[str, Any]]]
    ) -> LoadedDefinition:
        """Specs and element facts of a definition, restored on first use and cached (definitions
        are immutable); ``load`` gives the stored spec JSON and elements."""
        with self._lock:
            found = self._cache.get(definition_id)
            if found is not None:
                self._cache.move_to_end(definition_id)
                return found
        spec_json, raw_elements = load()
        spec, subs = load_specs(spec_json)
        elements = {key: ElementInfo.from_dict(value) for key, value in raw_elements.items()}
        loaded = LoadedDefinition(spec, subs, elements)
        with self._lock:
            self._cache[definition_id] = loaded
            while len(self._cache) > self._cache_size:
                self._cache.popitem(last=False)
        return loaded

    def start(
        self,
        definition: LoadedDefinition,
        variables: dict[str, Any],
        message: str | None = None,
        *,
        timer_start: str | None = None,
    ) -> InstanceRun:
        """Create a new instance and run it until it waits.

        ``message`` fires a message start event; ``timer_start`` names the timer start event that
        came due (BPMN 2.0 section 10.5.2), through which alone the instance starts.
        """
        workflow = BpmnWorkflow(
            definition.spec, definition.subprocess_specs, script_engine=self._script_engine
        )
        run = InstanceRun(workflow, fresh=True)
        workflow.task_tree.data.update(deepcopy(variables))
        if timer_start is not None:
            enter_timer_start_event(workflow, timer_start)
            run.advance()
        elif message is not None:
            run.advance()
            if not run.correlate_message(message, variables):
                raise InvalidRequest(f"The process does not start on message '{message}'")
        else:
            arm_sole_timer_start_event(workflow)
            run.advance()
            run.enter_at_start_event()
        return run

    def open(self, definition: LoadedDefinition, state: str) -> InstanceRun:
        """Restore an instance from its stored state."""
        workflow = restore_workflow(state, definition.spec, definition.subprocess_specs, self._script_engine)
        return InstanceRun(workflow, fresh=False)


class InstanceRun:
    """One command's worth of work on one instance; read the outcome with :meth:`snapshot`."""

    def __init__(self, workflow: BpmnWorkflow, fresh: bool) -> None:
        self._wf = workflow
        self._since = 0.0 if fresh else time.time()
        self._failures: list[EngineFailure] = []
        self._thrown: list[ThrownEvent] = []
        # Tasks that were active when the command began: only their cancellation is worth a history line.
        self._active_before = set() if fresh else {t.id for t in self._active_tasks()}

    # --- commands -----------------------------------------------------------------------------

    def advance(self) -> None:
        """Run engine-side tasks (scripts, gateways, events) until the instance waits.

        A task that raises becomes an incident (ERROR state) and the rest of the instance runs on.
        """
        for _ in range(10_000):
            try:
                # Ends by refreshing timers, which can make more work ready (a due timer, a spent cycle).
                self._wf.do_engine_steps()
                if not self._has_ready_engine_work():
                    refresh_waiting(self._wf)
            except SpiffWorkflowException as exc:
                task = getattr(exc, "task", None)
                failed = task if task is not None else self._first_errored()
                if failed is None:
                    raise
                self._record_failure(failed, exc)
            if not self._has_ready_engine_work():
                break
        self._collect_thrown()

    def _collect_thrown(self) -> None:
        """Take the events SpiffWorkflow could not deliver inside the instance (it would keep them in
        the stored state forever otherwise); they are reported in the snapshot for other instances."""
        for event in self._wf.get_events():
            definition = event.event_definition
            if isinstance(definition, MessageEventDefinition | SignalEventDefinition):
                kind = "message" if isinstance(definition, MessageEventDefinition) else "signal"
                payload = plain(event.payload) if isinstance(event.payload, dict) else {}
                self._thrown.append(ThrownEvent(kind, str(definition.name), payload))

    def complete_task(self, task_id: str, variables: dict[str, Any], *, job: bool = False) -> str:
        """Complete a READY user task (or, with ``job``, a service task done by a worker)."""
        task = self._task(task_id)
        if task.state != TaskState.READY or not task.task_spec.manual:
            raise Conflict(f"Task {task_id} is not ready to be completed", elementId=task.task_spec.bpmn_id)
        if job != isinstance(task.task_spec, ServiceTask):
            raise Conflict(f"Task {task_id} is not a {'job' if job else 'user task'}")
        task.data.update(deepcopy(variables))
        try:
            if job:
                # The worker did the work: Spiff's service-task hook would leave it STARTED, not completed.
                task.complete()
            else:
                task.run()
        except SpiffWorkflowException as exc:  # e.g. a missing data output (BPMN 2.0 section 10.4.3)
            raise InvalidRequest(f"Task {task_id} cannot be completed: {failure_message(exc)}") from exc
        self.advance()
        return str(task.task_spec.bpmn_id)

    def enter_at_start_event(self) -> None:
        """Start a process whose only start event waits for a message or signal, as if it had come."""
        if enter_sole_start_event(self._wf):
            self.advance()

    def correlate_message(self, name: str, variables: dict[str, Any]) -> bool:
        """Deliver a message to this instance; False if nothing here waits for it."""
        event = BpmnEvent(MessageEventDefinition(name), payload=deepcopy(variables))
        return self._deliver(event)

    def signal(self, name: str, variables: dict[str, Any]) -> bool:
        """Deliver a signal to this instance; False if nothing here waits for it.

        The catching event merges the payload into the data of its own path (BPMN 2.0 section 10.5.4).
        """
        event = BpmnEvent(SignalEventDefinition(name), payload=deepcopy(variables))
        return self._deliver(event)

    def _deliver(self, event: BpmnEvent) -> bool:
        try:
            caught = self._wf.event_manager.catch(event, internal=False)
        except WorkflowException:
            return False
        if caught == 0:
            return False
        self.advance()
        return True

    def fire_due_timers(self) -> None:
        """Let timers whose moment has passed fire, then run on."""
        self._wf.refresh_timers()
        self.advance()

    def cancel(self) -> None:
        """Cancel every open task, timer and subscription of the instance."""
        self._wf.cancel()

    def retry(self, task_id: str) -> None:
        """Run a task that failed (an incident) once more, with the data it has now."""
        task = self._task(task_id)
        if task.state != TaskState.ERROR:
            raise Conflict(f"Task {task_id} is not in error")
        if isinstance(task.task_spec, CatchingEvent):
            # Re-arm rather than run: the event (a timer whose expression failed) must still wait.
            task._set_state(TaskState.WAITING)
            try:
                task.task_spec._update(task)
            except SpiffWorkflowException as exc:
                self._record_failure(task, exc)
        else:
            task._set_state(TaskState.READY)
        self.advance()

    def move(self, to_element: str, from_element: str | None = None) -> None:
        """Move tokens to another activity (OptimaJet's *set state*, Camunda's instance modification).

        Back to an activity that already ran: its branch is reset and it runs again. Forward to one
        not reached yet: the tokens at ``from_element`` (all active tokens when omitted) are canceled
        and the target is activated in their place. Variables are kept either way.
        """
        variables = self.variables()
        finished = {t.id for t in self._wf.get_tasks(state=TaskState.FINISHED_MASK)}
        sources = [t for t in self._active_tasks() if from_element in (None, t.task_spec.bpmn_id)]
        if from_element is not None and not sources:
            raise InvalidRequest(f"No token is at element '{from_element}'", elementId=from_element)
        earlier = self._latest_run_of(to_element)
        if earlier is not None:
            reset_to(self._wf, earlier, variables, [] if from_element is None else sources)
        else:
            jump_to(self._wf, to_element, sources, variables)
        renew_ids(self._wf, finished)
        self.advance()

    def set_variables(self, variables: dict[str, Any], *, replace: bool) -> None:
        """Replace or merge the instance's variables (the data every open path carries on with)."""
        if self._wf.completed:
            holders = [self._wf]
        else:
            holders = self._data_holders() or [self._wf.last_task or self._wf.task_tree]
            # A waiting event takes its parent's data again each time it is looked at (a timer
            # refresh, a condition check): the parent must carry the new values too.
            holders += [t.parent for t in holders if isinstance(t.task_spec, CatchingEvent) and t.parent]
        for holder in holders:
            if replace:
                holder.data.clear()
            holder.data.update(deepcopy(variables))
        self.advance()  # new values can make a condition true

    # --- reading ------------------------------------------------------------------------------

    def dump(self) -> str:
        return dump_workflow(self._wf)

    def snapshot(self) -> Snapshot:
        """Open tasks, jobs, timers and events, plus what changed since this run began."""
        tasks: list[OpenTask] = []
        jobs: list[OpenJob] = []
        for task in self._wf.get_tasks(state=TaskState.READY, manual=True):
            element = str(task.task_spec.bpmn_id)
            if isinstance(task.task_spec, ServiceTask):
                jobs.append(OpenJob(str(task.id), element))
            else:
                tasks.append(OpenTask(str(task.id), element))
        variables = self.variables()
        timers, events = waiting_for(self._wf, variables.get(CORRELATION_VARIABLE))
        return Snapshot(
            completed=bool(self._wf.completed),
            variables=variables,
            active_element_ids=sorted({str(t.task_spec.bpmn_id) for t in self._active_tasks()}),
            tasks=tasks,
            jobs=jobs,
            timers=timers,
            events=events,
            steps=self._changed_steps(),
            failures=list(self._failures),
            thrown=list(self._thrown),
        )

    def variables(self) -> dict[str, Any]:
        """The instance's variables: what its open paths carry, or its final data once done.

        Paths are merged oldest first, so the value set most recently wins when they disagree.
        """
        if self._wf.completed:
            data = dict(self._wf.data)
            if not data and self._wf.last_task is not None:
                data = dict(self._wf.last_task.data)
            return plain(data)
        merged: dict[str, Any] = {}
        for holder in sorted(self._data_holders(), key=lambda t: t.last_state_change):
            merged.update(holder.data)
        if not merged and self._wf.last_task is not None:
            merged.update(self._wf.last_task.data)
        return plain(merged)

    # --- internals ----------------------------------------------------------------------------

    def _task(self, task_id: str) -> Any:
        try:
            task = self._wf.get_task_from_id(UUID(task_id))
        except (ValueError, KeyError, WorkflowException) as exc:
            raise NotFound(f"Task {task_id} is not part of this instance") from exc
        if task is None:
            raise NotFound(f"Task {task_id} is not part of this instance")
        return task

    def _active_tasks(self) -> list[Any]:
        return [
            t for t in self._wf.get_tasks(state=_ACTIVE) if t.task_spec.bpmn_id is not None and visible(t)
        ]

    def _data_holders(self) -> list[Any]:
        """The tasks whose data is the instance's data: one per open path.

        A join that waits for its other inputs (BPMN 2.0 section 13.3.2) has not taken its data
        yet; the branch that arrived keeps it until the join fires, so that branch is the holder.
        Instances of a multi-instance activity hold only their own item; their parent holds the rest.
        """
        holders: dict[UUID, Any] = {}
        for task in self._wf.get_tasks(state=_ACTIVE):
            if isinstance(task.task_spec, UnstructuredJoin) and task.state == TaskState.WAITING:
                task = task.parent
            elif task.task_spec.bpmn_id is None or not visible(task) or is_loop_instance(task):
                continue
            holders[task.id] = task
        return list(holders.values())

    def _latest_run_of(self, element_id: str) -> Any:
        """The most recent task of ``element_id`` that ran, is running or failed (None if never reached)."""
        reached = (
            TaskState.COMPLETED | TaskState.ERROR | TaskState.READY | TaskState.STARTED | TaskState.WAITING
        )
        candidates = [
            t
            for t in self._wf.get_tasks(state=reached)
            if t.task_spec.bpmn_id == element_id and visible(t) and not is_loop_instance(t)
        ]
        return max(candidates, key=lambda t: t.last_state_change, default=None)

    def _record_failure(self, task: Any, exc: Exception) -> None:
        if task.state != TaskState.ERROR:
            task._set_state(TaskState.ERROR)
        self._wf.event_manager.remove_task(task)  # a failed event must not be re-evaluated on every refresh
        self._failures.append(EngineFailure(str(task.id), str(task.task_spec.bpmn_id), failure_message(exc)))

    def _first_errored(self) -> Any:
        errored = self._wf.get_tasks(state=TaskState.ERROR)
        return errored[0] if errored else None

    def _has_ready_engine_work(self) -> bool:
        return any(not t.task_spec.manual for t in self._wf.get_tasks(state=TaskState.READY))

    def _changed_steps(self) -> list[StepRecord]:
        """History lines for what this run did to elements: activated, waiting, completed, canceled, failed.

        Predicted paths that were never reached are dropped or canceled silently by SpiffWorkflow;
        only tasks that were really active get a "canceled" line.
        """
        steps = []
        changed = self._wf.get_tasks(updated_ts=self._since) if self._since else self._wf.get_tasks()
        for task in sorted(changed, key=lambda t: t.last_state_change):
            spec = task.task_spec
            event = _EVENT_NAMES.get(task.state)
            if spec.bpmn_id is None or event is None or not visible(task):
                continue
            if task.state == TaskState.CANCELLED and (
                task.id not in self._active_before or merged_join(task)
            ):
                continue
            steps.append(StepRecord(str(spec.bpmn_id), element_type(spec), spec.bpmn_name, event))
        return steps
