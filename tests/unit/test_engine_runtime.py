"""The engine facade without a server: parsing, state round trips and what snapshots report."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from flowport.engine.definitions import parse_deployment, timer_expression
from flowport.engine.runtime import Engine, InstanceRun, LoadedDefinition, failure_message
from flowport.errors import InvalidRequest

FIXTURES = Path(__file__).parent.parent / "fixtures" / "bpmn"


def _load(engine: Engine, name: str) -> LoadedDefinition:
    [process] = [
        p for p in parse_deployment((FIXTURES / f"{name}.bpmn").read_bytes(), 10**7) if p.key == name
    ]
    return engine.definition(name, lambda: (process.spec_json, {}))


def _reopen(engine: Engine, definition: LoadedDefinition, run: InstanceRun) -> InstanceRun:
    return engine.open(definition, run.dump())


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("PT1H", "'PT1H'"),
        (" P1DT2H ", "'P1DT2H'"),
        ("R3/PT10M", "'R3/PT10M'"),
        ("2030-01-01T00:00:00Z", "'2030-01-01T00:00:00Z'"),
        ("2030-01-01", "'2030-01-01'"),
        ("${delay}", "delay"),
        ("'PT5S'", "'PT5S'"),
        ("delay", "delay"),
        (None, None),
    ],
)
def test_timer_literals_become_python_strings(text: str | None, expected: str | None) -> None:
    assert timer_expression(text) == expected


def test_message_and_service_task_specs_survive_storage() -> None:
    engine = Engine()
    for name in ("message_catch", "service_task", "event_gateway", "receive_task"):
        definition = _load(engine, name)
        run = engine.start(definition, {"n": 1})
        again = _reopen(engine, definition, run)
        assert again.snapshot().active_element_ids == run.snapshot().active_element_ids


def _started_between(engine: Engine, name: str) -> tuple[datetime, InstanceRun, datetime]:
    """Start an instance, with the clock read just before and just after (timers count from the start)."""
    definition = _load(engine, name)
    before = datetime.now(UTC)
    run = engine.start(definition, {})
    return before, run, datetime.now(UTC)


def test_event_gateway_reports_each_event_under_its_catching_element() -> None:
    engine = Engine()
    before, run, after = _started_between(engine, "event_gateway")
    snapshot = run.snapshot()
    [timer] = snapshot.timers
    [message] = snapshot.events
    assert (timer.element_id, message.element_id, message.name) == ("catch_timer", "catch_go", "Go")
    assert timer.id != message.id
    # due one hour after the start, however long the start took
    assert before + timedelta(hours=1) <= timer.due_at <= after + timedelta(hours=1)


def test_timer_dates_and_cycles_are_due_when_spiff_fires_them() -> None:
    engine = Engine()
    date_run = engine.start(_load(engine, "timer_date"), {})
    # A date in the past fires at once: nothing is left to schedule.
    assert date_run.snapshot().timers == []
    assert date_run.snapshot().tasks[0].element_id == "after_date"
    before, run, after = _started_between(engine, "timer_cycle")
    [timer] = run.snapshot().timers
    # R2/PT0.3S: the first repetition is due 0.3 s after the start, however long the start took
    assert before + timedelta(seconds=0.3) <= timer.due_at <= after + timedelta(seconds=0.3)


THROWER = b"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" targetNamespace="t">
  <bpmn:process id="thrower" isExecutable="true">
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:intermediateThrowEvent id="throw_go">
      <bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>
      <bpmn:signalEventDefinition id="s1" signalRef="Signal_Go" />
    </bpmn:intermediateThrowEvent>
    <bpmn:userTask id="after"><bpmn:incoming>f2</bpmn:incoming></bpmn:userTask>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="throw_go" />
    <bpmn:sequenceFlow id="f2" sourceRef="throw_go" targetRef="after" />
  </bpmn:process>
  <bpmn:signal id="Signal_Go" name="Go" />
</bpmn:definitions>"""


def test_thrown_signal_nobody_inside_catches_is_reported_not_stored() -> None:
    engine = Engine()
    [process] = parse_deployment(THROWER, 10**6)
    definition = engine.definition("thrower", lambda: (process.spec_json, {}))
    run = engine.start(definition, {"who": "me"})
    [thrown] = run.snapshot().thrown
    assert (thrown.kind, thrown.name, thrown.payload) == ("signal", "Go", {"who": "me"})
    assert '"bpmn_events":[]' in run.dump()
    assert _reopen(engine, definition, run).snapshot().thrown == []


def test_failure_messages_are_one_clean_line() -> None:
    engine = Engine()
    snapshot = engine.start(_load(engine, "script_divide"), {"x": 0}).snapshot()
    [failure] = snapshot.failures
    assert failure.element_id == "script"
    assert failure.message == "ZeroDivisionError: division by zero (line 1)"
    assert failure_message(ValueError("first line\nsecond")) == "first line"


def test_move_to_unknown_element_or_from_an_idle_one_is_refused() -> None:
    engine = Engine()
    definition = _load(engine, "lanes")
    run = engine.start(definition, {})
    with pytest.raises(InvalidRequest):
        run.move("nowhere")
    with pytest.raises(InvalidRequest):
        run.move("management_task", "management_task")


def test_boundary_joins_restore_as_flowports_own() -> None:
    from flowport.engine.specs import BoundaryEventJoin

    engine = Engine()
    definition = _load(engine, "timer_cycle")
    joins = [s for s in definition.spec.task_specs.values() if type(s).__name__ == "BoundaryEventJoin"]
    assert joins
    assert all(isinstance(s, BoundaryEventJoin) for s in joins)
