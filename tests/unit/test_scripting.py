"""The restricted evaluator for BPMN scripts and conditions: what runs, what is refused, and the limits."""

from __future__ import annotations

import re
import sys
from datetime import date, datetime
from decimal import Decimal
from types import FrameType
from typing import Any

import pytest
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.camunda.parser import CamundaParser
from SpiffWorkflow.exceptions import WorkflowException
from SpiffWorkflow.util.task import TaskState

from flowport.engine.scripting import (
    RestrictedEnvironment,
    ScriptError,
    create_script_engine,
    validate_script,
)


@pytest.fixture
def env() -> RestrictedEnvironment:
    return RestrictedEnvironment(time_limit_seconds=0.2)


def run(env: RestrictedEnvironment, script: str, **data: Any) -> dict[str, Any]:
    env.execute(script, data)
    return data


# --- scripts and expressions that must work -----------------------------------------------------------


def test_arithmetic_and_assignment_update_task_data_in_place(env: RestrictedEnvironment) -> None:
    data = {"price": 40, "qty": 3}
    assert env.execute("total = price * qty + 2 ** 3 - 10 // 4 % 3\nratio = total / 4", data) is True
    assert data == {"price": 40, "qty": 3, "total": 126, "ratio": 31.5}


def test_comprehensions_and_generator_sum(env: RestrictedEnvironment) -> None:
    items = [{"name": "a", "price": 2.5}, {"name": "b", "price": 4.0}]
    data = run(
        env,
        "total = sum(i['price'] for i in items)\n"
        "names = [i['name'].upper() for i in items if i['price'] > 3]\n"
        "by_name = {i['name']: i['price'] for i in items}\n"
        "unique = sorted({i['name'] for i in items}, reverse=True)",
        items=items,
    )
    assert data["total"] == 6.5
    assert data["names"] == ["B"]
    assert data["by_name"] == {"a": 2.5, "b": 4.0}
    assert data["unique"] == ["b", "a"]


def test_dict_and_list_mutation_and_methods(env: RestrictedEnvironment) -> None:
    data = run(
        env,
        "order['status'] = 'ok'\n"
        "order['count'] += 2\n"
        "del order['old']\n"
        "tags.append('new')\n"
        "tags.extend(['x', 'y'])\n"
        "tags[0] = 'first'\n"
        "missing = order.get('nope', 'default')\n"
        "pairs = sorted(order.items())\n"
        "counts = {}\n"
        "for w in ['a', 'b', 'a']:\n"
        "    counts[w] = counts.get(w, 0) + 1",
        order={"count": 1, "old": True},
        tags=["t"],
    )
    assert data["order"] == {"count": 3, "status": "ok"}
    assert data["tags"] == ["first", "new", "x", "y"]
    assert data["missing"] == "default"
    assert data["pairs"] == [["count", 3], ["status", "ok"]]  # stored as JSON: tuples become lists
    assert data["counts"] == {"a": 2, "b": 1}


def test_augmented_assignment_and_unpacking(env: RestrictedEnvironment) -> None:
    data = run(
        env,
        "x += 1\nx *= 10\ns += '!'\nitems += [3]\n"
        "a, b = 1, 2\n(c, (d, e)) = (3, (4, 5))\nfirst, *rest = [1, 2, 3]\n"
        "acc = 0\nfor k, v in [('p', 1), ('q', 2)]:\n    acc += v",
        x=1,
        s="hi",
        items=[1, 2],
    )
    assert (data["x"], data["s"], data["items"]) == (20, "hi!", [1, 2, 3])
    assert (data["a"], data["b"], data["c"], data["d"], data["e"]) == (1, 2, 3, 4, 5)
    assert (data["first"], data["rest"], data["acc"]) == (1, [2, 3], 3)


def test_strings_fstrings_lambdas_and_builtins(env: RestrictedEnvironment) -> None:
    data = run(
        env,
        "label = f'{name.title()}: {amount:>8.2f} {amount!r}'\n"
        "joined = ', '.join(['a', 'b'])\n"
        "padded = 'x'.center(5, '*')\n"
        "percent = '%s=%05d' % ('n', 42)\n"
        "best = sorted(rows, key=lambda r: r['score'], reverse=True)[0]['id']\n"
        "stats = [len(rows), min(1, 2), max([3, 4]), abs(-5), round(2.567, 2), divmod(7, 2), pow(2, 10)]\n"
        "flags = [any([0, 1]), all([1, 0]), isinstance(amount, float), isinstance(3, (int, str))]\n"
        "conv = [int('42'), float('1.5'), str(7), bool(0), list(range(3)), list(zip('ab', [1, 2]))]",
        name="total due",
        amount=12.5,
        rows=[{"id": 1, "score": 3}, {"id": 2, "score": 9}],
    )
    assert data["label"] == "Total Due:    12.50 12.5"
    assert data["joined"] == "a, b"
    assert data["padded"] == "**x**"
    assert data["percent"] == "n=00042"
    assert data["best"] == 2
    assert data["stats"] == [2, 1, 4, 5, 2.57, [3, 1], 1024]
    assert data["flags"] == [True, False, True, True]
    assert data["conv"] == [42, 1.5, "7", False, [0, 1, 2], [["a", 1], ["b", 2]]]


def test_date_and_decimal_arithmetic(env: RestrictedEnvironment) -> None:
    # The arithmetic runs on real dates and Decimals; what is left is stored in its JSON form.
    data = run(
        env,
        "due = datetime(2024, 1, 31, 9, 30) + timedelta(days=1, hours=2)\n"
        "days = (date(2024, 3, 1) - date(2024, 2, 1)).days\n"
        "weekday = due.strftime('%A')\n"
        "parsed = datetime.strptime('2024-05-06', '%Y-%m-%d').date()\n"
        "today_ok = date.today() >= date(2024, 1, 1)\n"
        "utc = datetime.now(timezone.utc).tzname()\n"
        "money = Decimal('0.10') + Decimal('0.20')",
    )
    assert data["due"] == datetime(2024, 2, 1, 11, 30).isoformat()
    assert data["days"] == 29
    assert data["weekday"] == "Thursday"
    assert data["parsed"] == date(2024, 5, 6).isoformat()
    assert data["today_ok"] is True
    assert data["utc"] == "UTC"
    assert Decimal(repr(data["money"])) == Decimal("0.30")


def test_functions_deletions_and_private_keys(env: RestrictedEnvironment) -> None:
    data = {"old": 1, "keep": 2, "_internal": "untouched"}
    env.execute("def double(v):\n    return v * 2\nresult = double(keep)\ndel old", data)
    # Functions defined by the script are not task data; deleted variables leave the task data.
    assert data == {"keep": 2, "_internal": "untouched", "result": 4}


def test_task_variables_shadow_builtins(env: RestrictedEnvironment) -> None:
    data = run(env, "copy = date\nprinted_too = printed", date="2024-01-01", printed=True)
    assert data["copy"] == "2024-01-01"
    assert data["printed_too"] is True


def test_external_context_is_visible_but_not_stored(env: RestrictedEnvironment) -> None:
    data = {"amount": 2}
    env.execute("total = amount + rate\nrate = 99", data, external_context={"rate": 40})
    assert data == {"amount": 2, "total": 42}
    assert env.evaluate("amount * rate", {"amount": 2}, external_context={"rate": 40}) == 80


@pytest.mark.parametrize(
    ("expression", "data", "expected"),
    [
        ("amount > 1000", {"amount": 1500}, True),
        ("amount > 1000", {"amount": 999}, False),
        ("approved == True", {"approved": False}, False),
        ("status in ('a', 'b')", {"status": "b"}, True),
        ("  \n amount + 1 \n", {"amount": 1}, 2),  # conditions in XML often carry whitespace
        ("len([x for x in items if x > 1])", {"items": [1, 2, 3]}, 2),
    ],
)
def test_conditions(env: RestrictedEnvironment, expression: str, data: dict[str, Any], expected: Any) -> None:
    assert env.evaluate(expression, data) == expected


def test_evaluate_does_not_change_task_data(env: RestrictedEnvironment) -> None:
    data = {"amount": 5}
    assert env.evaluate("[amount] * 3", data) == [5, 5, 5]
    assert data == {"amount": 5}


def test_ordinary_runtime_errors_keep_their_type(env: RestrictedEnvironment) -> None:
    with pytest.raises(NameError):
        env.evaluate("missing > 1", {})
    with pytest.raises(ZeroDivisionError):
        env.execute("x = 1 / 0", {})
    with pytest.raises(ValueError, match="bad input"):
        env.execute("raise ValueError('bad input')", {})


# --- forbidden constructs -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("script", "message"),
    [
        ("import os", "Imports are not allowed in scripts (line 1)"),
        ("x = 1\nfrom os import path", "Imports are not allowed in scripts (line 2)"),
        ("__import__('os').system('true')", "Imports are not allowed in scripts (line 1)"),
        (
            "x = ().__class__.__bases__[0].__subclasses__()",
            "Names starting with '_' are not allowed: __class__ (line 1)",
        ),
        ("f = lambda: 0\ng = f.__globals__", "Names starting with '_' are not allowed: __globals__ (line 2)"),
        ("_hidden = 1", "Names starting with '_' are not allowed: _hidden (line 1)"),
        ("x = open('/etc/passwd').read()", "open() is not allowed in scripts (line 1)"),
        ("x = eval('1 + 1')", "eval() is not allowed in scripts (line 1)"),
        ("exec('x = 1')", "exec() is not allowed in scripts (line 1)"),
        ("x = getattr(item, 'name')", "getattr() is not allowed in scripts (line 1)"),
        ("x = globals()", "globals() is not allowed in scripts (line 1)"),
        ("x = '{0.__class__}'.format(1)", "str.format() is not allowed in scripts; use an f-string instead"),
        ("g = (i for i in [1])\nf = g.gi_frame", "Attribute 'gi_frame' is not allowed in scripts (line 2)"),
        ("x = int.mro()", "Attribute 'mro' is not allowed in scripts (line 1)"),
        ("try:\n    x = 1\nexcept Exception:\n    pass", "try/except is not allowed in scripts (line 1)"),
        ("class A:\n    pass", "Class definitions are not allowed in scripts (line 1)"),
        ("print('hi')", "print() is not allowed in scripts (line 1)"),
    ],
)
def test_forbidden_constructs_are_refused_before_running(
    env: RestrictedEnvironment, script: str, message: str
) -> None:
    data = {"item": 1}
    with pytest.raises(ScriptError) as caught:
        env.execute(script, data)
    assert message in str(caught.value)
    assert data == {"item": 1}
    with pytest.raises(ScriptError):
        validate_script(script)


def test_forbidden_names_in_conditions(env: RestrictedEnvironment) -> None:
    with pytest.raises(ScriptError, match="Names starting with '_' are not allowed: __class__"):
        env.evaluate("amount.__class__", {"amount": 1})
    with pytest.raises(ScriptError, match="Imports are not allowed"):
        env.evaluate("__import__('os')", {})


def test_only_dict_and_list_items_can_be_changed(env: RestrictedEnvironment) -> None:
    with pytest.raises(ScriptError, match="not values of type 'datetime'") as caught:
        env.execute("x = 1\nd = datetime(2024, 1, 1)\nd.year = 1", {})
    assert caught.value.line == 3


def test_syntax_errors_name_the_line(env: RestrictedEnvironment) -> None:
    with pytest.raises(ScriptError, match=r"^Syntax error: .* \(line 2\)$") as caught:
        env.execute("x = 1\ny = (\nz = 3", {})
    assert caught.value.line in (2, 3)  # CPython reports the unclosed bracket's line
    with pytest.raises(ScriptError, match=r"Syntax error: .*\(line 2\)") as caught:
        env.execute("x = 1\n  y = 2", {})
    assert caught.value.line == 2
    with pytest.raises(ScriptError, match="Syntax error"):
        validate_script("amount >", mode="eval")


def test_validate_accepts_good_scripts() -> None:
    validate_script("total = sum(x for x in items)\nok = total > 3")
    validate_script("amount > 1000 and approved", mode="eval")


# --- time limit -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "script",
    [
        "while True:\n    pass",
        "x = 0\nwhile True:\n    x = x + 1",
        "for i in range(10**6):\n    for j in range(10**6):\n        pass",
        "def spin():\n    while True:\n        pass\nspin()",
        "x = [0 for i in range(10**6) for j in range(10**6)]",
    ],
)
def test_endless_loops_stop_with_a_time_limit_error(env: RestrictedEnvironment, script: str) -> None:
    with pytest.raises(ScriptError, match=r"Script exceeded the time limit of 0\.2 s \(line \d\)"):
        env.execute(script, {})


def test_huge_range_loop_is_stopped(env: RestrictedEnvironment) -> None:
    with pytest.raises(ScriptError):
        env.execute("for i in range(10**12):\n    pass", {})


def test_endless_condition_stops(env: RestrictedEnvironment) -> None:
    with pytest.raises(ScriptError, match=r"Expression exceeded the time limit of 0\.2 s"):
        env.evaluate("[0 for i in range(10**6) for j in range(10**6)]", {})


def test_time_limit_restores_the_previous_trace_function(env: RestrictedEnvironment) -> None:
    def tracer(frame: FrameType, event: str, arg: Any) -> None:
        return None

    previous = sys.gettrace()
    sys.settrace(tracer)
    try:
        with pytest.raises(ScriptError):
            env.execute("while True:\n    pass", {})
        env.execute("x = 1", {})
        assert sys.gettrace() is tracer
    finally:
        sys.settrace(previous)


# --- allocation and result size limits ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("script", "message"),
    [
        ("x = 'a' * 10**10", "memory limit"),
        ("x = [0] * 10**10", "memory limit"),
        ("x = 10**10 * [0]", "memory limit"),
        ("x = b'a' * 10**10", "memory limit"),
        ("x = 'a'\nx *= 10**10", "memory limit"),
        ("x = 'a' * 10**6\nfor i in range(40):\n    x = x + x", "memory limit"),
        ("x = [[0] * 10**6 for i in range(100)]", "memory limit"),
        ("x = 'a'.center(10**10)", "memory limit"),
        ("x = str.ljust('a', 10**10)", "memory limit"),
        ("x = ('a' * 10**6).replace('a', 'b' * 1000)", "memory limit"),
        ("x = ', '.join(['a' * 1000] * 100000)", "memory limit"),
        ("x = sum([[1] * 1000] * 10000, [])", "memory limit"),
        ("x = 10 ** 10 ** 10", "integer size limit"),
        ("x = 2\nwhile True:\n    x = x * x", "integer size limit"),
        ("x = 1 << 10**7", "integer size limit"),
        ("x = pow(3, 10**4000, 7)", "pow() with a modulus"),
        ("x = int(Decimal('1e999999'))", "integer size limit"),
        ("x = list(range(10**12))", "range() is limited"),
        ("x = f'{1:>1000000000}'", "Format widths"),
        ("x = '%1000000000d' % 1", "Format widths"),
        ("x = '%*d' % (10**9, 1)", "'*' widths"),
        ("x = (5).to_bytes(10**9, 'big')", "Attribute 'to_bytes'"),
    ],
)
def test_huge_allocations_are_refused(script: str, message: str) -> None:
    # A generous time limit: the size guard must refuse these, however busy the machine is.
    with pytest.raises(ScriptError, match=re.escape(message)):
        RestrictedEnvironment(time_limit_seconds=10.0).execute(script, {})


def test_memory_limit_is_configurable() -> None:
    small = RestrictedEnvironment(memory_limit_bytes=1000)
    assert small.evaluate("'a' * 900", {}) == "a" * 900
    with pytest.raises(ScriptError, match="memory limit of 1000 bytes"):
        small.evaluate("'a' * 1001", {})


def test_oversized_task_data_is_refused_and_left_unchanged() -> None:
    env = RestrictedEnvironment(max_result_bytes=1000)
    data = {"keep": 1}
    with pytest.raises(
        ScriptError, match=r"task data after the script is \d+ bytes as JSON; the limit is 1000"
    ):
        env.execute("big = 'x' * 2000\nkeep = 2", data)
    assert data == {"keep": 1}
    env.execute("small = 'x' * 500", data)
    assert data == {"keep": 1, "small": "x" * 500}


def test_oversized_expression_result_is_refused() -> None:
    env = RestrictedEnvironment(max_result_bytes=1000)
    with pytest.raises(ScriptError, match="expression result is 2002 bytes as JSON; the limit is 1000"):
        env.evaluate("'x' * 2000", {})


def test_values_that_are_not_data_cannot_be_stored(env: RestrictedEnvironment) -> None:
    data: dict[str, Any] = {}
    with pytest.raises(ScriptError, match="not a value of type 'generator'"):
        env.execute("g = (i for i in [1, 2])", data)
    assert data == {}
    env.execute("s = {2, 1}\nwhen = timedelta(days=1)", data)
    assert data == {"s": [1, 2], "when": "P1D"}  # data types are kept in their JSON form


def test_limits_must_be_positive() -> None:
    with pytest.raises(ValueError):
        RestrictedEnvironment(time_limit_seconds=0)
    with pytest.raises(ValueError):
        RestrictedEnvironment(environment_globals={"_secret": 1})


def test_call_service_is_not_available(env: RestrictedEnvironment) -> None:
    with pytest.raises(NotImplementedError):
        env.call_service({}, operation_name="x")


# --- through SpiffWorkflow ------------------------------------------------------------------------------


def _process_xml(script: str, condition: str = "amount > 1000") -> bytes:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
                  xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
                  id="defs" targetNamespace="http://flowport.test/scripting">
  <bpmn:process id="proc" isExecutable="true">
    <bpmn:startEvent id="start"/>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="calc"/>
    <bpmn:scriptTask id="calc" name="Calculate" scriptFormat="python">
      <bpmn:script><![CDATA[{script}]]></bpmn:script>
    </bpmn:scriptTask>
    <bpmn:sequenceFlow id="f2" sourceRef="calc" targetRef="gw"/>
    <bpmn:exclusiveGateway id="gw" default="low"/>
    <bpmn:sequenceFlow id="high" sourceRef="gw" targetRef="end_high">
      <bpmn:conditionExpression xsi:type="bpmn:tFormalExpression"
        ><![CDATA[{condition}]]></bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="low" sourceRef="gw" targetRef="end_low"/>
    <bpmn:endEvent id="end_high"/>
    <bpmn:endEvent id="end_low"/>
  </bpmn:process>
</bpmn:definitions>""".encode()


def _run_process(script: str, condition: str = "amount > 1000") -> BpmnWorkflow:
    parser = CamundaParser()
    parser.add_bpmn_str(_process_xml(script, condition))
    workflow = BpmnWorkflow(
        parser.get_spec("proc"), script_engine=create_script_engine(time_limit_seconds=0.2)
    )
    workflow.do_engine_steps()
    return workflow


def _completed_ends(workflow: BpmnWorkflow) -> list[str]:
    return sorted(
        t.task_spec.bpmn_id
        for t in workflow.get_tasks()
        if t.task_spec.bpmn_id in ("end_high", "end_low") and t.state == TaskState.COMPLETED
    )


@pytest.mark.parametrize(("quantity", "branch"), [(30, "end_high"), (2, "end_low")])
def test_script_task_feeds_the_gateway_condition(quantity: int, branch: str) -> None:
    workflow = _run_process(f"amount = {quantity} * 50\nlabel = f'{{amount}} EUR'")
    assert workflow.is_completed()
    assert _completed_ends(workflow) == [branch]
    assert workflow.data["amount"] == quantity * 50
    assert workflow.data["label"] == f"{quantity * 50} EUR"


def test_forbidden_script_fails_the_task_with_the_reason() -> None:
    with pytest.raises(WorkflowException) as caught:
        _run_process("amount = 1\nimport os")
    assert "Imports are not allowed in scripts (line 2)" in str(caught.value)
    assert isinstance(caught.value.__cause__, ScriptError)
    assert caught.value.line_number == 2


def test_endless_script_fails_the_task_with_the_time_limit() -> None:
    with pytest.raises(WorkflowException, match=r"time limit of 0\.2 s \(line [23]\)"):
        _run_process("amount = 1\nwhile True:\n    amount = amount + 1")


def test_runtime_error_in_script_names_type_and_line() -> None:
    with pytest.raises(WorkflowException, match=r"NameError: name 'undefined' is not defined \(line 2\)"):
        _run_process("amount = 1\nx = undefined + 1")


def test_forbidden_condition_fails_with_the_reason() -> None:
    with pytest.raises(WorkflowException) as caught:
        _run_process("amount = 5", condition="amount.__class__")
    assert "Names starting with '_' are not allowed: __class__" in str(caught.value)
    assert isinstance(caught.value.__cause__, ScriptError)
