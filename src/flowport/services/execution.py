"""The core of running instances: plan engine work outside the write lock, then write it at once.

A use case that runs the engine (start, complete a task or a job, correlate a message, fire a
timer, move a token, ...) is a function of an :class:`Execution`. :func:`execute` calls it inside
a read transaction: it reads what it needs, runs the engine (scripts and conditions included)
and records writes, but writes nothing. Then one write transaction applies the recorded writes,
each instance with a compare-and-set on the version that was read. If another request changed
one of those instances meanwhile, the whole use case is planned again on fresh data (a few
times, then ``409 Conflict``). So no script ever runs while the database's write lock is held,
and two commands on one instance never interleave: one is applied first, the other is planned
again and either lands on the new state or is refused by its own checks (a task that is no
longer ready, say).

Messages and signals an instance throws (BPMN 2.0 section 10.5.5) are delivered to the waiting
instances within the same execution, so the thrower and its targets commit together.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any, TypeVar

from sqlalchemy import Connection

from flowport.engine.model import ElementInfo, Snapshot, ThrownEvent
from flowport.engine.runtime import InstanceRun, LoadedDefinition
from flowport.errors import Conflict, NotFound
from flowport.persistence.db import after_commit
from flowport.persistence.repositories import definitions as definition_repo
from flowport.persistence.repositories import events as event_repo
from flowport.persistence.repositories import instances as instance_repo
from flowport.persistence.repositories.definitions import DefinitionRow
from flowport.persistence.repositories.instances import InstanceRow
from flowport.persistence.scope import Scope
from flowport.services.context import Actor, Services
from flowport.services.instance_writes import (
    EMPTY,
    HistoryEvent,
    InstanceHeader,
    RunRecord,
    StaleRead,
    write_run,
)
from flowport.services.views import InstanceView
from flowport.states import InstanceStatus

T = TypeVar("T")
R = TypeVar("R")
Write = Callable[[Connection], None]

ATTEMPTS = 8
# Instances that throw to each other could ping-pong forever within one execution.
MAX_THROW_DEPTH = 8
_STARTED = "Process instances started"
_RECEIVED = {"message": "message correlated", "signal": "signal received"}


@dataclass(frozen=True)
class Delivery:
    """An instance that consumed a message or signal; ``started`` when it was created by it."""

    instance_id: str
    definition_key: str
    status: InstanceStatus
    started: bool


@dataclass(frozen=True)
class _Opened:
    """An instance as this execution last left it (read, or as a planned run leaves it)."""

    header: InstanceHeader
    state: str


class Execution:
    """One use case's reads and planned writes; see the module docstring."""

    def __init__(self, services: Services, conn: Connection) -> None:
        self.services = services
        self.conn = conn  # read-only: writes are recorded with :meth:`write`
        self._writes: list[Write] = []
        self._after_commit: list[Callable[[], None]] = []
        self._opened: dict[str, _Opened] = {}
        self._throw_depth = 0

    # --- recording ----------------------------------------------------------------------------

    def write(self, write: Write) -> None:
        """Record a write, applied in order under the write lock (it may raise a domain error)."""
        self._writes.append(write)

    def after_commit(self, callback: Callable[[], None]) -> None:
        self._after_commit.append(callback)

    def count(self, name: str, help_text: str, amount: float = 1.0) -> None:
        """Count in a metric once the execution committed."""
        self.after_commit(lambda: self.services.metrics.inc(name, amount, help_text=help_text))

    # --- engine work --------------------------------------------------------------------------

    def definition(self, scope: Scope, definition_id: str) -> DefinitionRow:
        row = definition_repo.get(self.conn, scope.env, definition_id)
        if row is None:
            raise NotFound(f"Process definition {definition_id} does not exist")
        return row

    def start(
        self,
        actor: Actor,
        definition: DefinitionRow,
        variables: dict[str, Any],
        *,
        business_key: str | None = None,
        instance_id: str | None = None,
        message: str | None = None,
        timer_start: str | None = None,
        reason: str | None = None,
    ) -> InstanceView:
        """Plan a new instance of ``definition``, run until it waits (the one way instances start)."""
        if instance_id is not None and instance_repo.exists(self.conn, instance_id):
            raise Conflict(f"An instance with id {instance_id} already exists")
        loaded = self._runtime(definition.id)
        run = self.services.engine.start(loaded, variables, message=message, timer_start=timer_start)
        now = self.services.clock()
        header = InstanceHeader(
            id=instance_id or str(uuid.uuid4()),
            env=definition.env,
            definition_id=definition.id,
            definition_key=definition.key,
            business_key=business_key,
            version=0,
            status=InstanceStatus.RUNNING,
            elements=loaded.elements,
            started_at=now,
            started_by=actor.subject,
        )
        details: dict[str, Any] = {"variables": sorted(variables)}
        if reason:
            details["reason"] = reason
        started = HistoryEvent("instance started", timer_start, details)
        after, snapshot = self._record(actor, header, run, EMPTY, [started], None, None)
        self.count("flowport_instances_started_total", _STARTED)
        return InstanceView.of_planned(after, snapshot)

    def command(
        self,
        actor: Actor,
        instance_id: str,
        action: Callable[[InstanceRun], T],
        *,
        event: HistoryEvent | None = None,
        completed_task: str | None = None,
        status: InstanceStatus | None = None,
        allow_suspended: bool = False,
        scope: Scope | None = None,
    ) -> tuple[InstanceView, T]:
        """Plan ``action`` on an instance the caller may see (``scope``: default the actor's)."""
        opened = self._open(scope or actor.scope, instance_id)
        header = opened.header
        if header.ended:
            state = header.status.lower()
            raise Conflict(f"Process instance {instance_id} is {state}; it accepts no commands")
        if header.status is InstanceStatus.SUSPENDED and not allow_suspended:
            raise Conflict(f"Process instance {instance_id} is suspended; resume it first")
        run = self.services.engine.open(self._runtime(header.definition_id), opened.state)
        before = run.snapshot()
        result = action(run)
        events = [event] if event else []
        after, snapshot = self._record(actor, header, run, before, events, completed_task, status)
        return InstanceView.of_planned(after, snapshot), result

    def instance(self, scope: Scope, instance_id: str) -> InstanceHeader:
        """An instance the scope may see, as this execution last left it (NotFound otherwise)."""
        return self._open(scope, instance_id).header

    def deliver(
        self,
        actor: Actor,
        kind: str,
        name: str,
        payload: dict[str, Any],
        *,
        instance_id: str | None = None,
        business_key: str | None = None,
        correlation_key: str | None = None,
        source_id: str | None = None,
        start_new: bool = True,
    ) -> list[Delivery]:
        """Deliver a message or signal to the visible instances waiting for it.

        A signal reaches every waiting instance and starts the processes that start on it; a
        message reaches the matching waiting instances, or else starts the processes that start on
        it. Suspended targets are skipped when the event was thrown by another instance.
        """
        scope = actor.scope
        waiting = event_repo.waiting_instances(
            self.conn,
            scope,
            kind,
            name,
            instance_id=instance_id,
            business_key=business_key,
            correlation_key=correlation_key,
        )
        deliveries: list[Delivery] = []
        for target in waiting:
            if target == source_id:
                continue
            details: dict[str, Any] = {kind: name}
            if source_id is not None:
                details["from"] = source_id
            elif kind == "message":
                details["variables"] = sorted(payload)
            try:
                view, caught = self.command(
                    actor,
                    target,
                    lambda run: (run.correlate_message if kind == "message" else run.signal)(name, payload),
                    event=HistoryEvent(_RECEIVED[kind], None, details),
                )
            except Conflict:
                if source_id is None:
                    raise
                continue  # a thrown event does not reach a suspended instance
            if caught:
                deliveries.append(Delivery(view.id, view.definition_key, view.status, started=False))
        if not start_new or (kind == "message" and deliveries):
            return deliveries
        if source_id is not None:
            reason = f"{kind} '{name}' thrown by instance {source_id}"
        else:
            reason = f"message start event '{name}'" if kind == "message" else f"signal '{name}'"
        for definition_id in definition_repo.start_trigger_definitions(self.conn, scope.env, kind, name):
            view = self.start(
                actor,
                self.definition(scope, definition_id),
                payload,
                business_key=business_key,
                message=name if kind == "message" else None,
                reason=reason,
            )
            deliveries.append(Delivery(view.id, view.definition_key, view.status, started=True))
        return deliveries

    # --- internals ----------------------------------------------------------------------------

    def _runtime(self, definition_id: str) -> LoadedDefinition:
        """Engine specs and element facts, cached by the engine facade after the first use."""
        return self.services.engine.definition(
            definition_id, lambda: definition_repo.runtime_parts(self.conn, definition_id)
        )

    def _open(self, scope: Scope, instance_id: str) -> _Opened:
        opened = self._opened.get(instance_id)
        if opened is not None:
            header = opened.header
            if header.env == scope.env and scope.owner in (None, header.started_by):
                return opened
        else:
            found = instance_repo.get_with_state(self.conn, scope, instance_id)
            if found is not None:
                row, state = found
                opened = _Opened(_header(row, self._runtime(row.definition_id).elements), state)
                self._opened[instance_id] = opened
                return opened
        raise NotFound(f"Process instance {instance_id} does not exist")

    def _record(
        self,
        actor: Actor,
        header: InstanceHeader,
        run: InstanceRun,
        before: Snapshot,
        events: list[HistoryEvent],
        completed_task: str | None,
        status: InstanceStatus | None,
    ) -> tuple[InstanceHeader, Snapshot]:
        now = self.services.clock()
        snapshot = run.snapshot()
        final_status = status or (InstanceStatus.COMPLETED if snapshot.completed else header.status)
        after = replace(
            header,
            version=header.version + 1,
            status=final_status,
            has_incidents=header.has_incidents or bool(snapshot.failures),
        )
        if after.ended:
            after = replace(after, ended_at=now)
        state = run.dump()
        record = RunRecord(header, after, state, before, snapshot, now, actor.subject, events, completed_task)
        self.write(lambda conn: write_run(conn, record))
        self._opened[header.id] = _Opened(after, state)
        self._count_outcome(header, after, before, snapshot)
        if snapshot.thrown:
            self._deliver_thrown(actor, header.id, snapshot.thrown)
        return after, snapshot

    def _count_outcome(
        self, header: InstanceHeader, after: InstanceHeader, before: Snapshot, snapshot: Snapshot
    ) -> None:
        if after.status is InstanceStatus.COMPLETED and header.status is not InstanceStatus.COMPLETED:
            self.count("flowport_instances_completed_total", "Process instances completed")
        if snapshot.failures:
            self.count("flowport_incidents_total", "Incidents raised", float(len(snapshot.failures)))
        armed = {t.id for t in before.timers}
        if any(t.id not in armed for t in snapshot.timers):  # the scheduler re-plans its sleep at once
            self.after_commit(self.services.timers_changed.set)

    def _deliver_thrown(self, actor: Actor, source_id: str, thrown: list[ThrownEvent]) -> None:
        """Deliver what an instance threw to the other instances it is meant for.

        A message goes to the waiting instances with the thrower's ``correlationKey`` (all of
        them when it has none); an event nobody waits for is lost, as in BPMN.
        """
        if self._throw_depth >= MAX_THROW_DEPTH:
            return
        self._throw_depth += 1
        try:
            for event in thrown:
                key = event.payload.get("correlationKey") if event.kind == "message" else None
                self.deliver(
                    actor,
                    event.kind,
                    event.name,
                    event.payload,
                    correlation_key=None if key is None else str(key),
                    source_id=source_id,
                )
        finally:
            self._throw_depth -= 1

    # --- applying -----------------------------------------------------------------------------

    def _apply(self, on: Connection) -> None:
        if not self._writes:
            for callback in self._after_commit:
                callback()
            return
        with self.services.db.write(on) as conn:
            for write in self._writes:
                write(conn)
            for callback in self._after_commit:
                after_commit(conn, callback)


def execute(services: Services, use_case: Callable[[Execution], R]) -> R:
    """Plan ``use_case`` on a consistent read, then apply its writes; plan again if data moved."""
    with services.db.connection() as conn:  # one checkout for the reads and the writes
        for _ in range(ATTEMPTS):
            with services.db.read(conn):
                execution = Execution(services, conn)
                result = use_case(execution)
            try:
                execution._apply(conn)
            except StaleRead:
                continue
            return result
    raise Conflict("The instance was changed by other requests while this one ran; read it again and retry")


def _header(row: InstanceRow, elements: dict[str, ElementInfo]) -> InstanceHeader:
    return InstanceHeader(
        id=row.id,
        env=row.env,
        definition_id=row.definition_id,
        definition_key=row.definition_key,
        business_key=row.business_key,
        version=row.version,
        status=InstanceStatus(row.status),
        elements=elements,
        started_at=row.started_at,
        started_by=row.started_by,
        has_incidents=bool(row.has_incidents),
        ended_at=row.ended_at,
    )
