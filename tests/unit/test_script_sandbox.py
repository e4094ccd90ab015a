"""The script sandbox: worker processes that stop any script at its limit, and the in-process fast path."""

from __future__ import annotations

import multiprocessing
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from flowport.engine.scripting import (
    RestrictedEnvironment,
    SandboxedEnvironment,
    SandboxPool,
    ScriptError,
)
from flowport.engine.scripting.errors import describe_error
from flowport.engine.scripting.fast_path import MAX_FAST_NODES, is_cheap_expression
from flowport.engine.scripting.limits import script_line
from flowport.engine.scripting.pool import WORKER_NAME

TIGHT_LOOP = "while True: pass"  # makes no trace events: the in-process deadline never sees it
# One call into C that runs for minutes and holds the interpreter lock: no trace event either.
LONG_C_CALL = "x = max(map(len, map(str, [10**4000] * 10**6)))"


@pytest.fixture
def pool() -> Iterator[SandboxPool]:
    pool = SandboxPool(2)
    yield pool
    pool.close()


@pytest.fixture
def sandbox(pool: SandboxPool) -> SandboxedEnvironment:
    return SandboxedEnvironment(pool, time_limit_seconds=0.3)


def _alive(pid: int) -> bool:
    """Whether a process runs (a zombie, dead but not yet reaped, does not)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def _wait_until_gone(pids: list[int], patience: float = 30.0) -> list[int]:
    """The pids still alive after waiting (at most ``patience`` seconds) for them to end."""
    deadline = time.monotonic() + patience
    while any(_alive(pid) for pid in pids) and time.monotonic() < deadline:
        time.sleep(0.05)
    return [pid for pid in pids if _alive(pid)]


# --- what no trace function can stop ------------------------------------------------------------------


@pytest.mark.parametrize("script", [TIGHT_LOOP, LONG_C_CALL, "x = 1\nwhile True:\n    x = x + 1"])
def test_a_script_is_stopped_at_its_time_limit_whatever_it_does(
    sandbox: SandboxedEnvironment, script: str
) -> None:
    data = {"keep": 1}
    with pytest.raises(ScriptError, match=r"^Script exceeded the time limit of 0\.3 s"):
        sandbox.execute(script, data)
    assert data == {"keep": 1}


def test_an_expression_is_stopped_at_its_time_limit(sandbox: SandboxedEnvironment) -> None:
    with pytest.raises(ScriptError, match=r"^Expression exceeded the time limit of 0\.3 s"):
        sandbox.evaluate("max(map(len, map(str, [10**4000] * 10**6))) > 0", {})
    with pytest.raises(ScriptError, match=r"^Expression exceeded the time limit of 0\.3 s"):
        sandbox.evaluate("len([i for i in range(10**6) for j in range(10**6)]) > 0", {})


def test_a_memory_bomb_ends_as_out_of_memory_not_in_the_server(pool: SandboxPool) -> None:
    # The size guards charge range() once; the lists built from it escape them: the address-space
    # limit of the worker stops it long before the (generous) time limit.
    sandbox = SandboxedEnvironment(pool, time_limit_seconds=60)
    with pytest.raises(ScriptError, match=r"^Script ran out of memory$"):
        sandbox.execute("r = range(10**6)\nx = [list(r) for j in r]", {})
    data: dict[str, Any] = {}
    sandbox.execute("x = 2", data)
    assert data == {"x": 2}


def test_the_pool_replaces_a_killed_worker(pool: SandboxPool, sandbox: SandboxedEnvironment) -> None:
    sandbox.execute("x = 1", {})
    [first] = pool.worker_pids()
    with pytest.raises(ScriptError, match="time limit"):
        sandbox.execute(TIGHT_LOOP, {})
    assert _wait_until_gone([first]) == []
    data = {"n": 20}
    sandbox.execute("n = n + 1", data)
    assert data == {"n": 21}
    assert first not in pool.worker_pids()


def test_a_worker_that_dies_is_reported_as_stopped(pool: SandboxPool, sandbox: SandboxedEnvironment) -> None:
    sandbox.execute("x = 1", {})
    [pid] = pool.worker_pids()
    outcome: list[BaseException] = []
    sandbox_of_a_minute = SandboxedEnvironment(pool, time_limit_seconds=60)
    thread = threading.Thread(target=lambda: _catch(outcome, sandbox_of_a_minute, TIGHT_LOOP))
    thread.start()
    time.sleep(0.2)  # let the worker take the script
    os.kill(pid, signal.SIGKILL)
    thread.join(60)
    [error] = outcome
    assert str(error) == (
        "Script was stopped: its sandbox process ended (killed by SIGKILL, as when it runs out of memory)"
    )
    sandbox.execute("x = 1", {})


def _catch(outcome: list[BaseException], sandbox: SandboxedEnvironment, script: str) -> None:
    try:
        sandbox.execute(script, {})
    except ScriptError as exc:
        outcome.append(exc)


def test_concurrent_evaluations_from_several_threads(sandbox: SandboxedEnvironment) -> None:
    results: dict[int, list[Any]] = {}

    def work(n: int) -> None:
        got = []
        for i in range(10):
            data = {"n": n, "i": i}
            sandbox.execute("total = sum(k for k in range(n)) + i", data)
            got.append((data["total"], sandbox.evaluate("[n, i]", data)))
        results[n] = got

    threads = [threading.Thread(target=work, args=(n,)) for n in range(1, 7)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert results == {n: [(sum(range(n)) + i, [n, i]) for i in range(10)] for n in range(1, 7)}


def test_one_stuck_script_does_not_hold_the_others(pool: SandboxPool, sandbox: SandboxedEnvironment) -> None:
    stuck = threading.Thread(target=lambda: _catch([], SandboxedEnvironment(pool, 5.0), TIGHT_LOOP))
    stuck.start()
    data = {"x": 1}
    sandbox.execute("x = x + 1", data)  # the pool's other worker answers while the first one spins
    assert data == {"x": 2}
    assert stuck.is_alive()
    stuck.join(60)


def test_close_stops_every_worker_and_refuses_later_scripts() -> None:
    pool = SandboxPool(2)
    sandbox = SandboxedEnvironment(pool, time_limit_seconds=1.0)
    threads = [threading.Thread(target=sandbox.execute, args=("x = sum(range(10**5))", {})) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    pids = pool.worker_pids()
    assert 1 <= len(pids) <= 2
    pool.close()
    assert _wait_until_gone(pids) == []
    assert [p for p in multiprocessing.active_children() if p.name == WORKER_NAME and p.pid in pids] == []
    with pytest.raises(ScriptError, match="closed"):
        sandbox.execute("x = 1", {})


def test_workers_start_only_for_the_first_script(pool: SandboxPool, sandbox: SandboxedEnvironment) -> None:
    assert pool.worker_pids() == []
    assert sandbox.evaluate("amount > 10 and status in ('a', 'b')", {"amount": 11, "status": "a"}) is True
    assert pool.worker_pids() == []  # a cheap condition ran in process
    sandbox.execute("x = 1", {})
    assert len(pool.worker_pids()) == 1


def test_workers_end_when_the_server_dies(tmp_path: Path) -> None:
    # A server killed outright cannot stop its workers: an idle one sees its pipe close; a busy one
    # reads no pipe, and its CPU limit (a few seconds past its time limit) ends it.
    program = """
import sys, threading, time
from flowport.engine.scripting import SandboxPool, SandboxedEnvironment
pool = SandboxPool(2)
sandbox = SandboxedEnvironment(pool, time_limit_seconds=1.0)
spinning = SandboxedEnvironment(pool, time_limit_seconds=1.0)
sandbox.execute("x = 1", {})
threading.Thread(target=spinning.execute, args=("while True: pass", {}), daemon=True).start()
while pool._idle:  # until the spinning script has taken the one worker
    time.sleep(0.01)
sandbox.execute("x = 1", {})  # starts the second worker, which stays idle
print(*pool.worker_pids(), flush=True)
time.sleep(600)
"""
    # as a context manager, Popen closes the pipe and reaps the process
    with subprocess.Popen([sys.executable, "-c", program], stdout=subprocess.PIPE, text=True) as server:
        try:
            assert server.stdout is not None
            line = server.stdout.readline()  # or "" if the program failed
            pids = [int(pid) for pid in line.split()]
            assert len(pids) == 2
            server.send_signal(signal.SIGKILL)
            server.wait(30)
            assert _wait_until_gone(pids, patience=120) == []  # CPU seconds are slow on a busy machine
        finally:
            server.kill()


# --- same results as the in-process evaluator -----------------------------------------------------------


@pytest.mark.parametrize(
    "script",
    [
        "total = price * qty\ndel price",
        "items.append(3)\nitems[0] = 'a'",
        "when = date(2024, 5, 6) + timedelta(days=1)\nleft = {1, 2}",
        "x = 1 / 0",
        "import os",
        "x = undefined + 1",
        "x = [[1]]\nfor i in range(100):\n    x = [x]",
        "x = chr(0xd800)",
        "bad = 'x' * 10**9",
        "secret = 2",
    ],
)
def test_scripts_do_what_they_do_in_process(sandbox: SandboxedEnvironment, script: str) -> None:
    def outcome(environment: Any) -> tuple[Any, ...]:
        data = {"price": 4, "qty": 3, "items": [1, 2], "_hidden": {"a": 1}}
        try:
            environment.execute(script, data, {"secret": 1})
        except Exception as exc:  # as RestrictedScriptEngine reports it
            line = exc.line if isinstance(exc, ScriptError) else script_line(exc)
            return ("error", describe_error(exc, line), line, data)
        return ("ok", data)

    assert outcome(sandbox) == outcome(RestrictedEnvironment(time_limit_seconds=0.3))


@pytest.mark.parametrize(
    ("expression", "expected"),
    [("total > 10", True), ("sum(v for v in values)", 6), ("values[1:]", [2, 3]), ("'%s!' % name", "ann!")],
)
def test_expressions_give_what_they_give_in_process(
    sandbox: SandboxedEnvironment, expression: str, expected: Any
) -> None:
    data = {"total": 11, "values": [1, 2, 3], "name": "ann"}
    assert sandbox.evaluate(expression, dict(data)) == expected
    assert RestrictedEnvironment().evaluate(expression, dict(data)) == expected


def test_expression_errors_read_as_in_process(sandbox: SandboxedEnvironment) -> None:
    with pytest.raises(ScriptError, match=r"^ZeroDivisionError: division by zero$"):
        sandbox.evaluate("len(values) / 0", {"values": []})
    with pytest.raises(ScriptError, match=r"^Imports are not allowed"):
        sandbox.evaluate("__import__('os')", {})


# --- the fast path ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "expression",
    [
        "amount > 1000",
        "approved == True and not rejected",
        "status in ('new', 'open') or priority >= 3",
        "order['total'] > -5",
        "items[0] is None",
        "'PT1H'",
        "delay",
        "3",
        "a < b <= c != d",
        "x in {1, 2, 3}",
    ],
)
def test_cheap_expressions_take_the_fast_path(expression: str) -> None:
    assert is_cheap_expression(expression)


@pytest.mark.parametrize(
    "expression",
    [
        "len(items) > 3",  # any call
        "max(map(len, map(str, [10**4000] * 10**6))) > 0",
        "sorted(range(10**6))",
        "name.upper() == 'A'",  # attribute access: methods are calls
        "[x for x in items]",
        "any(x for x in items)",
        "{k: v for k, v in d.items()}",
        "amount * 2 > limit",  # arithmetic
        "2 ** 2 ** 40 > 0",
        "text * 10**8",
        "1 << 10**9",
        "-x - 1",
        "'%s' % name",
        "f'{name:>10000}'",
        "(lambda: 1)()",
        "a if b else c",
        "items[1:]",
        "(y := 1)",
        "(*items,)",
        "amount >",  # does not parse: the sandbox reports it
        " and ".join(["a == 1"] * (MAX_FAST_NODES // 3 + 1)),  # too many nodes
    ],
)
def test_dangerous_expressions_never_take_the_fast_path(expression: str) -> None:
    assert not is_cheap_expression(expression)
