"""Values scripts leave in task data: stored as JSON, identical before and after the instance is restored."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from flowport.engine.definitions import parse_deployment
from flowport.engine.runtime import Engine, LoadedDefinition
from flowport.engine.scripting import MAX_DATA_DEPTH, RestrictedEnvironment, ScriptError

_DATA_SCRIPT = (
    "due = date(2024, 5, 6)\n"
    "amount = Decimal('0.10') + Decimal('0.20')\n"
    "tags = {'urgent', 'billing'}\n"
    "frozen = frozenset([3, 1, 2])\n"
    "created = datetime(2024, 5, 6, 9, 30, tzinfo=timezone.utc)\n"
    "lines = [{'sku': 'a', 'price': Decimal('19.99'), 'on': date(2024, 1, 2)}]"
)
_STORED = {
    "due": "2024-05-06",
    "amount": 0.3,
    "tags": ["billing", "urgent"],
    "frozen": [1, 2, 3],
    "created": "2024-05-06T09:30:00+00:00",
    "lines": [{"sku": "a", "price": 19.99, "on": "2024-01-02"}],
}
# Holds right after the script and again after a restore: a gateway takes the same path either way.
_CONDITION = "due == '2024-05-06' and amount == 0.3 and tags == ['billing', 'urgent']"


def _process(script: str, condition: str = "True") -> bytes:
    """Start, a script task, a gateway on ``condition``, a user task, the same gateway again, end."""
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
                  xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
                  id="defs" targetNamespace="http://flowport.test/script-values">
  <bpmn:process id="proc" isExecutable="true">
    <bpmn:startEvent id="start"/>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="calc"/>
    <bpmn:scriptTask id="calc" scriptFormat="python">
      <bpmn:script><![CDATA[{script}]]></bpmn:script>
    </bpmn:scriptTask>
    <bpmn:sequenceFlow id="f2" sourceRef="calc" targetRef="check"/>
    <bpmn:exclusiveGateway id="check" default="f_mismatch"/>
    <bpmn:sequenceFlow id="f_match" sourceRef="check" targetRef="review">
      <bpmn:conditionExpression xsi:type="bpmn:tFormalExpression"
        ><![CDATA[{condition}]]></bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="f_mismatch" sourceRef="check" targetRef="mismatch"/>
    <bpmn:userTask id="mismatch"/>
    <bpmn:userTask id="review"/>
    <bpmn:sequenceFlow id="f3" sourceRef="review" targetRef="check_again"/>
    <bpmn:exclusiveGateway id="check_again" default="f_changed"/>
    <bpmn:sequenceFlow id="f_same" sourceRef="check_again" targetRef="end_same">
      <bpmn:conditionExpression xsi:type="bpmn:tFormalExpression"
        ><![CDATA[{condition}]]></bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="f_changed" sourceRef="check_again" targetRef="end_changed"/>
    <bpmn:endEvent id="end_same"/>
    <bpmn:endEvent id="end_changed"/>
  </bpmn:process>
</bpmn:definitions>""".encode()


def _load(engine: Engine, xml: bytes) -> LoadedDefinition:
    spec_json = parse_deployment(xml, 10_000_000)[0].spec_json
    return engine.definition("proc:1", lambda: (spec_json, {}))


@pytest.fixture
def engine() -> Iterator[Engine]:
    engine = Engine(script_time_limit=0.5)
    yield engine
    engine.close()


# --- through SpiffWorkflow and the engine facade --------------------------------------------------------


def test_dates_decimals_and_sets_are_stored_in_their_json_form(engine: Engine) -> None:
    loaded = _load(engine, _process(_DATA_SCRIPT))
    run = engine.start(loaded, {})
    snapshot = run.snapshot()
    assert snapshot.failures == []
    assert snapshot.variables == _STORED
    # What the instances.variables column (SQLAlchemy JSON) writes and reads back is the same data.
    assert json.loads(json.dumps(snapshot.variables)) == snapshot.variables


def test_script_values_survive_dump_and_restore_unchanged(engine: Engine) -> None:
    loaded = _load(engine, _process(_DATA_SCRIPT))
    live = engine.start(loaded, {})
    restored = engine.open(loaded, live.dump())
    assert restored.snapshot().variables == live.snapshot().variables == _STORED
    assert restored.dump() == live.dump()


def test_a_gateway_sees_the_same_values_before_and_after_a_restore(engine: Engine) -> None:
    loaded = _load(engine, _process(_DATA_SCRIPT, _CONDITION))
    run = engine.start(loaded, {})
    (task,) = run.snapshot().tasks
    assert task.element_id == "review"  # the condition right after the script saw the stored form
    restored = engine.open(loaded, run.dump())
    restored.complete_task(task.id, {})
    finished = restored.snapshot()
    assert finished.completed
    assert [s.element_id for s in finished.steps if s.event == "completed"][-1] == "end_same"


def test_a_value_without_exact_json_form_fails_the_script_task(engine: Engine) -> None:
    loaded = _load(engine, _process("total = Decimal('12345678901234567.89')\nok = True"))
    run = engine.start(loaded, {"keep": 1})
    snapshot = run.snapshot()
    (failure,) = snapshot.failures
    assert failure.element_id == "calc"
    assert "Variable 'total' cannot be stored as JSON" in failure.message
    assert "Decimal has more digits than a JSON number keeps" in failure.message
    assert snapshot.variables == {"keep": 1}  # nothing the script set was kept
    restored = engine.open(loaded, run.dump())  # the instance with its incident can still be stored
    assert restored.snapshot().variables == {"keep": 1}


def test_a_timedelta_is_a_duration_that_timers_read(engine: Engine) -> None:
    xml = _process("wait = timedelta(days=1, hours=12)").replace(
        b'<bpmn:userTask id="review"/>',
        b'<bpmn:intermediateCatchEvent id="review"><bpmn:timerEventDefinition>'
        b'<bpmn:timeDuration xsi:type="bpmn:tFormalExpression">wait</bpmn:timeDuration>'
        b"</bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>",
    )
    before = datetime.now(UTC)
    snapshot = engine.start(_load(engine, xml), {}).snapshot()
    assert snapshot.variables == {"wait": "P1DT12H"}
    (timer,) = snapshot.timers
    assert before + timedelta(hours=36) <= timer.due_at <= datetime.now(UTC) + timedelta(hours=36)


# --- the value policy of the restricted environment -----------------------------------------------------


@pytest.fixture
def env() -> RestrictedEnvironment:
    return RestrictedEnvironment(time_limit_seconds=0.5)


@pytest.mark.parametrize(
    ("script", "stored"),
    [
        ("v = datetime(2024, 1, 31, 9, 30, 5, 250)", "2024-01-31T09:30:05.000250"),
        ("v = datetime(2024, 1, 31, tzinfo=timezone(timedelta(hours=2)))", "2024-01-31T00:00:00+02:00"),
        ("v = datetime(2024, 1, 31, 9, 30).time()", "09:30:00"),
        ("v = timedelta(hours=2, minutes=30)", "PT2H30M"),
        ("v = timedelta(days=2, microseconds=500000)", "P2DT0.5S"),
        ("v = timedelta(0)", "PT0S"),
        ("v = -timedelta(hours=1)", "-PT1H"),
        ("v = Decimal('5')", 5.0),
        ("v = Decimal('-0.000001')", -0.000001),
        ("v = Decimal('1E+100')", 1e100),
        ("v = round(Decimal('2.675'), 2)", 2.68),  # exact decimal rounding is kept (a float gives 2.67)
        ("v = frozenset([date(2024, 3, 1), date(2023, 12, 31)])", ["2023-12-31", "2024-03-01"]),
        ("v = {(2, 'b'), (1, 'a')}", [[1, "a"], [2, "b"]]),
        ("v = {1: 'a', date(2024, 1, 1): 'b'}", {"1": "a", "2024-01-01": "b"}),
        ("v = {'nested': [(1, {2, 3})]}", {"nested": [[1, [2, 3]]]}),
    ],
)
def test_values_are_stored_in_their_json_form(env: RestrictedEnvironment, script: str, stored: Any) -> None:
    data: dict[str, Any] = {}
    env.execute(script, data)
    assert data == {"v": stored}
    assert json.loads(json.dumps(data)) == data


def test_later_scripts_read_stored_dates_and_amounts_back(env: RestrictedEnvironment) -> None:
    data: dict[str, Any] = {}
    env.execute("due = date(2024, 5, 6)\nprice = Decimal('19.99')", data)
    env.execute("next = date.fromisoformat(due) + timedelta(days=1)\ntotal = Decimal(str(price)) * 3", data)
    assert data == {"due": "2024-05-06", "price": 19.99, "next": "2024-05-07", "total": 59.97}


@pytest.mark.parametrize(
    ("script", "message"),
    [
        (
            "total = Decimal('12345678901234567.89')",
            "Variable 'total' cannot be stored as JSON: the Decimal has more digits",
        ),
        (
            "order = {'lines': [{'price': Decimal(1) / 3}]}",
            "Variable 'order' (at ['lines'][0]['price']) cannot be stored as JSON: the Decimal",
        ),
        (
            "rate = Decimal('NaN')",
            "Variable 'rate' cannot be stored as JSON: Decimal('NaN') is not a JSON number",
        ),
        ("ratio = float('inf')", "Variable 'ratio' cannot be stored as JSON: inf is not a JSON number"),
        ("mixed = {1, 'a'}", "Variable 'mixed' cannot be stored as JSON: it is a set whose members cannot"),
        ("keys = {1: 'a', '1': 'b'}", "Variable 'keys' cannot be stored as JSON: two of its keys"),
        ("keys = {(1, 2): 'a'}", "it has a key of type 'tuple'; keys must be strings, integers or dates"),
        ("loop = []\nloop.append(loop)", "Variable 'loop' cannot be stored as JSON: it contains itself"),
        ("raw = b'abc'", "not a value of type 'bytes' (convert it with .decode())"),
        ("items = [range(3)]", "Variable 'items' (at [0]) cannot be stored as JSON"),
        ("text = chr(0xd800)", "Variable 'text' cannot be stored as JSON: it holds a lone surrogate"),
        ("nested = {'a': ['ok', chr(0xdfff)]}", "Variable 'nested' (at ['a'][1]) cannot be stored as JSON"),
        ("keyed = {'k': {chr(0xd800): 1}}", "Variable 'keyed' (at ['k']) cannot be stored as JSON: it holds"),
        (
            "deep = []\nfor i in range(900):\n    deep = [deep]",
            "Variable 'deep' cannot be stored as JSON: it is",
        ),
        ("deep = 1\nfor i in range(64):\n    deep = {'k': [deep]}", "nested more than 64 levels deep"),
    ],
)
def test_values_without_an_exact_json_form_are_refused(
    env: RestrictedEnvironment, script: str, message: str
) -> None:
    data: dict[str, Any] = {"keep": 1}
    with pytest.raises(ScriptError) as caught:
        env.execute(f"keep = 2\n{script}", data)
    assert message in str(caught.value)
    assert data == {"keep": 1}


def test_data_nested_to_the_limit_is_stored(env: RestrictedEnvironment) -> None:
    data: dict[str, Any] = {}
    env.execute(f"deep = 1\nfor i in range({MAX_DATA_DEPTH}):\n    deep = [deep]", data)
    level, depth = data["deep"], 0
    while isinstance(level, list):
        level, depth = level[0], depth + 1
    assert (depth, level) == (MAX_DATA_DEPTH, 1)


def test_expression_results_nested_too_deeply_or_unwritable_are_refused(env: RestrictedEnvironment) -> None:
    with pytest.raises(ScriptError, match="nested more than 64 levels deep"):
        env.evaluate("[" * (MAX_DATA_DEPTH + 1) + "1" + "]" * (MAX_DATA_DEPTH + 1), {})
    with pytest.raises(ScriptError, match="lone surrogate"):
        env.evaluate("{'a': chr(0xd800)}", {})


def test_expression_results_are_not_converted(env: RestrictedEnvironment) -> None:
    # Conditions and timer expressions are not stored: they keep Python's types.
    assert env.evaluate("date(2024, 5, 6) + timedelta(days=1)", {}) == datetime(2024, 5, 7).date()
