"""The sandbox worker: a separate process that runs scripts with the in-process evaluator, under OS limits.

The server talks to it over one pipe (:mod:`.protocol`). Inside, each request runs in
:class:`~.environment.RestrictedEnvironment` exactly as it would in the server, trace-function
deadline included (it stops ordinary loops and names their line). What that cannot stop, the server
stops by killing this process; what the size guards miss, the address-space limit turns into a
MemoryError here instead of an exhausted server.
"""

from __future__ import annotations

import os
import resource
import signal
from multiprocessing.connection import Connection

from flowport.engine.scripting.environment import RestrictedEnvironment, is_variable
from flowport.engine.scripting.errors import ScriptError, describe_error
from flowport.engine.scripting.limits import script_line
from flowport.engine.scripting.protocol import READY, Reply, Request, ScriptLimits

# CPU seconds a request may use beyond its time limit before the kernel ends the worker: a backstop
# for a worker whose server died while it ran a loop (it reads no pipe then, so sees no EOF).
CPU_GRACE_SECONDS = 2


def main(conn: Connection, address_space_bytes: int | None) -> None:
    """Process target: answer requests until the server closes the pipe (or dies: it closes with it)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl+C is for the server, which stops us itself
    _limit_resources(address_space_bytes)
    environments: dict[ScriptLimits, RestrictedEnvironment] = {}
    conn.send(READY)
    while True:
        try:
            request = conn.recv()
        except EOFError:
            conn.close()
            return
        reply = handle(request, environments)
        try:
            conn.send(reply)
        except Exception as exc:  # a value pickle cannot carry (an expression returning a function)
            conn.send(Reply(error=f"{request.subject} result cannot be passed back: {describe_error(exc)}"))
        if reply.retire:
            return


def handle(request: Request, environments: dict[ScriptLimits, RestrictedEnvironment]) -> Reply:
    """Run one request; every failure becomes a Reply with the message the server would have shown."""
    environment = environments.get(request.limits)
    if environment is None:
        limits = request.limits
        environment = RestrictedEnvironment(
            limits.time_limit_seconds, limits.max_result_bytes, limits.memory_limit_bytes
        )
        environments[limits] = environment
    _arm_cpu_limit(request.limits.time_limit_seconds)
    try:
        return _run(request, environment)
    except ScriptError as exc:
        return Reply(error=str(exc), line=exc.line)
    except MemoryError:
        return Reply(error=f"{request.subject} ran out of memory", retire=True)
    except Exception as exc:
        line = _line(request, exc)
        return Reply(error=describe_error(exc, line), line=line)


def _run(request: Request, environment: RestrictedEnvironment) -> Reply:
    context = request.context
    if request.kind == "eval":
        value = environment.evaluate(request.source, context, request.external_context)
        return Reply(value=value)
    before = [name for name in context if is_variable(name)]
    environment.execute(request.source, context, request.external_context)
    updates = {name: value for name, value in context.items() if is_variable(name)}
    return Reply(updates=updates, removed=tuple(name for name in before if name not in context))


def _line(request: Request, exc: BaseException) -> int | None:
    # Expressions are one line: the in-process engine names lines of scripts only.
    return script_line(exc) if request.kind == "exec" else None


def _limit_resources(address_space_bytes: int | None) -> None:
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))  # a worker killed by a limit leaves no core file
    if address_space_bytes is None:
        return
    mapped = _current_address_space()
    if mapped is None:
        return
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    limit = mapped + address_space_bytes
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))


def _current_address_space() -> int | None:
    """Bytes of address space this process maps now (Linux); the limit is set on top of it."""
    try:
        with open("/proc/self/statm") as statm:
            pages = int(statm.read().split()[0])
    except (OSError, ValueError, IndexError):
        return None
    return pages * os.sysconf("SC_PAGE_SIZE")


def _arm_cpu_limit(time_limit: float) -> None:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    _, hard = resource.getrlimit(resource.RLIMIT_CPU)
    soft = int(usage.ru_utime + usage.ru_stime + time_limit) + 1 + CPU_GRACE_SECONDS
    if hard != resource.RLIM_INFINITY:
        soft = min(soft, hard)
    resource.setrlimit(resource.RLIMIT_CPU, (soft, hard))
