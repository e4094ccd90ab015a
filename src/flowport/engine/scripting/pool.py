"""A small, thread-safe pool of sandbox worker processes, each killed when its script overruns.

A script's own deadline (a trace function, :mod:`.limits`) cannot stop code that makes no trace
events: ``while True: pass``, or one long call into C (``max(map(str, ...))`` over big numbers),
which also holds the interpreter's lock. So scripts run in worker processes (:mod:`.worker`), and
the server only waits on a pipe, with a deadline: the time limit plus a margin for the round trip.
A worker that misses it is killed (SIGKILL) and replaced when next needed.

Workers start lazily, from the ``forkserver`` start method with the worker module preloaded: each
is forked from a small, single-threaded server process that imported nothing of the server's state
(plain ``fork`` of a multithreaded server would copy its locks mid-use). ``spawn`` is the fallback
where there is no forkserver.
"""

from __future__ import annotations

import multiprocessing
import signal
import threading
import weakref
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from multiprocessing.connection import Connection
from multiprocessing.context import BaseContext
from multiprocessing.process import BaseProcess

from flowport.engine.scripting import worker as worker_module
from flowport.engine.scripting.errors import ScriptError
from flowport.engine.scripting.limits import time_limit_message
from flowport.engine.scripting.protocol import READY, Reply, Request

WORKER_NAME = "flowport-script-worker"
# Beyond the time limit, how long the server waits for an answer before it kills the worker: the
# worker's own deadline fires first where it can (with the script line), and the reply must travel.
IPC_MARGIN_SECONDS = 0.5
DEFAULT_ADDRESS_SPACE_BYTES = 512 * 2**20  # per worker, on top of what it maps when it starts
_START_TIMEOUT_SECONDS = 60.0  # the first start also starts the forkserver, on a possibly busy machine
_JOIN_TIMEOUT_SECONDS = 5.0


@dataclass(eq=False)
class _Worker:
    process: BaseProcess
    conn: Connection

    def kill(self) -> None:
        if self.process.exitcode is None:
            self.process.kill()

    def stop(self) -> None:
        """Kill the process, reap it and close the pipe."""
        self.kill()
        self.process.join(_JOIN_TIMEOUT_SECONDS)
        self.conn.close()


class SandboxPool:
    """Runs :class:`~.protocol.Request` objects in at most ``size`` worker processes at once.

    Callers on several threads share it; when every worker is busy, a caller waits for one.
    """

    def __init__(self, size: int = 2, address_space_bytes: int | None = DEFAULT_ADDRESS_SPACE_BYTES) -> None:
        if size < 1:
            raise ValueError("A script sandbox needs at least one worker")
        self._size = size
        self._address_space_bytes = address_space_bytes
        self._changed = threading.Condition()
        self._idle: list[_Worker] = []
        self._live: set[_Worker] = set()  # idle and busy
        self._starting = 0
        self._closed = False
        # Engines built and dropped without close() (tests, mostly) must not leave workers behind.
        self._finalizer = weakref.finalize(self, _stop_all, self._live)

    def run(self, request: Request) -> Reply:
        """The worker's reply; ScriptError when the request overran its time limit or the worker died."""
        worker = self._acquire()
        healthy = False
        try:
            reply = self._exchange(worker, request)
            healthy = not reply.retire
            return reply
        except _Unsent as exc:
            healthy = True
            raise ScriptError(str(exc)) from None
        finally:
            self._release(worker, healthy)

    def close(self) -> None:
        """Stop every worker; evaluations running now fail as stopped, later ones are refused."""
        with self._changed:
            self._closed = True
            idle, self._idle = self._idle, []
            self._live.difference_update(idle)
            busy = list(self._live)  # their callers see the pipe close, then reap them
            self._changed.notify_all()
        for worker in busy:
            worker.kill()
        for worker in idle:
            worker.stop()
        self._finalizer.detach()

    def worker_pids(self) -> list[int]:
        """Process ids of the workers running now (idle or busy)."""
        with self._changed:
            return [pid for worker in self._live if (pid := worker.process.pid) is not None]

    def _exchange(self, worker: _Worker, request: Request) -> Reply:
        try:
            worker.conn.send(request)
        except OSError:
            raise ScriptError(_ended(worker, request)) from None
        except Exception as exc:  # pickling fails before anything is written: the worker is fine
            raise _Unsent(f"The task data cannot be passed to the script sandbox: {exc}") from None
        limit = request.limits.time_limit_seconds
        if not worker.conn.poll(limit + IPC_MARGIN_SECONDS):
            raise ScriptError(time_limit_message(request.subject, limit))
        try:
            reply: Reply = worker.conn.recv()
        except (EOFError, OSError):
            raise ScriptError(_ended(worker, request)) from None
        return reply

    def _acquire(self) -> _Worker:
        with self._changed:
            while True:
                if self._closed:
                    raise ScriptError("The script sandbox is closed")
                if self._idle:
                    return self._idle.pop()
                if len(self._live) + self._starting < self._size:
                    self._starting += 1
                    break
                self._changed.wait()
        try:
            worker = _start(self._address_space_bytes)
        except BaseException:
            with self._changed:
                self._starting -= 1
                self._changed.notify()
            raise
        with self._changed:
            self._starting -= 1
            if not self._closed:
                self._live.add(worker)
                return worker
        worker.stop()
        raise ScriptError("The script sandbox is closed")

    def _release(self, worker: _Worker, healthy: bool) -> None:
        with self._changed:
            if healthy and not self._closed:
                self._idle.append(worker)
                self._changed.notify()
                return
            self._live.discard(worker)
            self._changed.notify()
        worker.stop()


class _Unsent(Exception):
    """The request never reached the worker."""


@cache
def _context() -> BaseContext:
    if "forkserver" in multiprocessing.get_all_start_methods():
        context = multiprocessing.get_context("forkserver")
        # "__main__" too: each worker would import the server's main script (as multiprocessing
        # prepares every child) at its start; preloaded, that is done once, in the forkserver.
        context.set_forkserver_preload(["__main__", worker_module.__name__])
        return context
    return multiprocessing.get_context("spawn")


def _start(address_space_bytes: int | None) -> _Worker:
    context = _context()
    parent_end, child_end = context.Pipe()
    process = context.Process(  # type: ignore[attr-defined]
        target=worker_module.main,
        args=(child_end, address_space_bytes),
        name=WORKER_NAME,
        daemon=True,
    )
    process.start()
    child_end.close()  # else our own copy would keep the pipe open after the worker dies
    worker = _Worker(process, parent_end)
    try:
        ready = parent_end.poll(_START_TIMEOUT_SECONDS) and parent_end.recv() == READY
    except (EOFError, OSError):
        ready = False
    if not ready:
        worker.stop()
        raise ScriptError("The script sandbox could not start a worker process")
    return worker


def _ended(worker: _Worker, request: Request) -> str:
    """Why a worker stopped answering, as users see it."""
    worker.process.join(_JOIN_TIMEOUT_SECONDS)
    code = worker.process.exitcode
    if code is not None and code < 0:
        try:
            how = f"killed by {signal.Signals(-code).name}"
        except ValueError:
            how = f"killed by signal {-code}"
        if -code == signal.SIGKILL:
            how += ", as when it runs out of memory"
    else:
        how = f"exit code {code}"
    return f"{request.subject} was stopped: its sandbox process ended ({how})"


def _stop_all(workers: Iterable[_Worker]) -> None:
    for worker in list(workers):
        worker.stop()
