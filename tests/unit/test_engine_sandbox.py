"""The engine facade runs scripts in its sandbox: runaway scripts and conditions become incidents."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from xml.sax.saxutils import escape

import pytest

from flowport.engine.definitions import parse_deployment
from flowport.engine.runtime import Engine, LoadedDefinition


def _process(script: str | None, condition: str = "amount > 1000") -> bytes:
    """start -> script -> gateway (condition to 'high', default 'low') -> user task high/low.

    Without a script, the start event leads to the gateway directly.
    """
    calc = (
        f'<bpmn:scriptTask id="calc" scriptFormat="python"><bpmn:script>{escape(script)}</bpmn:script>'
        '</bpmn:scriptTask><bpmn:sequenceFlow id="f2" sourceRef="calc" targetRef="gw"/>'
        if script is not None
        else ""
    )
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" id="d" targetNamespace="t">
  <bpmn:process id="proc" isExecutable="true">
    <bpmn:startEvent id="start"/>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="{"calc" if script is not None else "gw"}"/>
    {calc}
    <bpmn:exclusiveGateway id="gw" default="f_low"/>
    <bpmn:sequenceFlow id="f_high" sourceRef="gw" targetRef="high">
      <bpmn:conditionExpression xsi:type="bpmn:tFormalExpression"
        >{escape(condition)}</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="f_low" sourceRef="gw" targetRef="low"/>
    <bpmn:userTask id="high"/>
    <bpmn:userTask id="low"/>
  </bpmn:process>
</bpmn:definitions>""".encode()


def _load(engine: Engine, script: str | None, condition: str = "amount > 1000") -> LoadedDefinition:
    [process] = parse_deployment(_process(script, condition), 10**6)
    return engine.definition(f"{script}|{condition}", lambda: (process.spec_json, {}))


@pytest.fixture
def engine() -> Iterator[Engine]:
    engine = Engine(script_time_limit=0.3)
    yield engine
    engine.close()


def _failure(engine: Engine, script: str, condition: str = "amount > 1000") -> tuple[str, str]:
    snapshot = engine.start(_load(engine, script, condition), {}).snapshot()
    [failure] = snapshot.failures
    return failure.element_id, failure.message


@pytest.mark.parametrize(
    "script",
    [
        "while True: pass",
        "amount = max(map(len, map(str, [10**4000] * 10**6)))",  # one long call into C
        "amount = sorted(map(str, range(10**6)))\nwhile True: pass",
    ],
)
def test_a_runaway_script_becomes_an_incident_at_the_time_limit(engine: Engine, script: str) -> None:
    element, message = _failure(engine, script)
    assert element == "calc"
    assert message.startswith("Script exceeded the time limit of 0.3 s")


def test_a_memory_bomb_becomes_an_incident() -> None:
    engine = Engine(script_time_limit=60)  # the memory limit, not the time limit, must stop it
    try:
        assert _failure(engine, "r = range(10**6)\namount = [list(r) for j in r]") == (
            "calc",
            "Script ran out of memory",
        )
    finally:
        engine.close()


@pytest.mark.parametrize(
    "condition",
    [
        "len([i for i in range(10**6) for j in range(10**6)]) > 0",
        "max(map(len, map(str, [10**4000] * 10**6))) > 0",
    ],
)
def test_a_runaway_condition_becomes_an_incident_at_the_gateway(engine: Engine, condition: str) -> None:
    element, message = _failure(engine, "amount = 5", condition)
    assert element == "gw"
    assert "Expression exceeded the time limit of 0.3 s" in message


def test_scripts_run_again_after_a_worker_was_killed(engine: Engine) -> None:
    _failure(engine, "while True: pass")
    run = engine.start(_load(engine, "amount = 600 * 2"), {})
    snapshot = run.snapshot()
    assert snapshot.failures == []
    assert [t.element_id for t in snapshot.tasks] == ["high"]
    assert snapshot.variables == {"amount": 1200}


def test_instances_run_scripts_from_several_threads(engine: Engine) -> None:
    definition = _load(engine, "amount = base * 100\nlabel = f'{amount} EUR'", "amount > 1000 and base != 0")
    seen: dict[int, tuple[str, dict[str, object]]] = {}

    def start(base: int) -> None:
        snapshot = engine.start(definition, {"base": base}).snapshot()
        seen[base] = (snapshot.tasks[0].element_id, snapshot.variables)

    threads = [threading.Thread(target=start, args=(base,)) for base in range(0, 24, 3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert seen == {
        base: (
            "high" if base * 100 > 1000 else "low",
            {"base": base, "amount": base * 100, "label": f"{base * 100} EUR"},
        )
        for base in range(0, 24, 3)
    }


def test_close_leaves_no_worker_process() -> None:
    engine = Engine()
    engine.start(_load(engine, "amount = 1"), {})
    pids = engine._sandbox.worker_pids()
    assert pids
    engine.close()
    for pid in pids:
        assert not Path(f"/proc/{pid}").exists() or "Z" in Path(f"/proc/{pid}/stat").read_text().split()[2]


def test_an_engine_that_runs_no_script_starts_no_worker() -> None:
    engine = Engine()
    snapshot = engine.start(_load(engine, None, "amount > 1000"), {"amount": 5}).snapshot()
    assert [t.element_id for t in snapshot.tasks] == ["low"]
    assert engine._sandbox.worker_pids() == []  # the condition is cheap: evaluated in process
    engine.close()
