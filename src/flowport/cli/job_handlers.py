"""What ``flowport worker run`` does with a job: run a program (``--exec``) or call Python (``--handler``).

A program gets the job's variables as one JSON object on standard input and may print one JSON
object on standard output: those become the completion variables. A non-zero exit fails the job
with the program's standard error as the message. No shell is involved unless the command names
one (``--exec "sh -c '...'"``): the command line is split as a POSIX shell would split it.
"""

from __future__ import annotations

import importlib
import json
import os
import shlex
import signal
import subprocess
import sys
import threading
from collections.abc import Callable, Mapping
from typing import Any

from flowport.client import JobFailed
from flowport.client.models import Job

JobHandler = Callable[[Job], Mapping[str, Any] | None]

# The server keeps 10,000 characters of an error message; a person reads the last lines of one.
MAX_MESSAGE = 2000

# The worker's own secret is no business of the program it runs.
_WITHHELD = ("FLOWPORT_CLIENT_SECRET",)


class CommandFailed(JobFailed):
    """The job's program failed; the message (the job's error message, as is) says how."""


class HandlerSpecError(ValueError):
    """``--exec`` or ``--handler`` does not name something that can run."""


class Command:
    """A handler that runs a program per job; :meth:`terminate` ends the ones still running."""

    def __init__(self, line: str) -> None:
        try:
            self.argv = shlex.split(line)
        except ValueError as exc:
            raise HandlerSpecError(f"cannot split '{line}': {exc}") from None
        if not self.argv:
            raise HandlerSpecError("the command is empty")
        self._running: set[subprocess.Popen[bytes]] = set()
        self._lock = threading.Lock()

    def __call__(self, job: Job) -> dict[str, Any]:
        env = {name: value for name, value in os.environ.items() if name not in _WITHHELD}
        env.update(
            FLOWPORT_JOB_ID=job.id,
            FLOWPORT_JOB_TOPIC=job.topic,
            FLOWPORT_PROCESS_INSTANCE_ID=job.process_instance_id,
        )
        try:
            program = subprocess.Popen(
                self.argv,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                env=env,
                # Its own process group: Ctrl-C in the terminal stops the worker gracefully, and a
                # running job's program finishes instead of dying with it.
                process_group=0,
            )
        except OSError as exc:
            raise CommandFailed(f"cannot run {self.argv[0]}: {exc.strerror or exc}") from None
        with self._lock:
            self._running.add(program)
        try:
            stdout, stderr = program.communicate(json.dumps(job.variables or {}).encode())
        finally:
            with self._lock:
                self._running.discard(program)
        if program.returncode != 0:
            raise CommandFailed(_failure(program.returncode, stderr))
        return _variables(stdout)

    def terminate(self) -> None:
        """SIGTERM to the programs still running (the worker was interrupted a second time)."""
        with self._lock:
            running = list(self._running)
        for program in running:
            program.terminate()


def python(spec: str) -> JobHandler:
    """A handler that calls ``module:function`` with the job's variables (a dict) and gets a dict back.

    The module is looked up from the current directory first, as ``python -m`` would.
    """
    module_name, sep, attribute = spec.partition(":")
    if not sep or not module_name or not attribute:
        raise HandlerSpecError(f"'{spec}' is not module:function")
    if os.getcwd() not in sys.path:
        sys.path.insert(0, os.getcwd())
    try:
        target: Any = importlib.import_module(module_name)
    except ImportError as exc:
        raise HandlerSpecError(f"cannot import {module_name}: {exc}") from None
    for part in attribute.split("."):
        target = getattr(target, part, None)
    if not callable(target):
        raise HandlerSpecError(f"{spec} is not a function in {module_name}")
    function: Callable[[dict[str, Any]], Any] = target

    def call(job: Job) -> Mapping[str, Any] | None:
        result = function(dict(job.variables or {}))
        if result is not None and not isinstance(result, Mapping):
            raise TypeError(f"{spec} returned {type(result).__name__}, not a dict of variables")
        return result

    return call


def _failure(code: int, stderr: bytes) -> str:
    if code < 0:
        how = f"killed by {signal.Signals(-code).name}" if -code in signal.valid_signals() else "killed"
    else:
        how = f"exit code {code}"
    text = stderr.decode("utf-8", errors="replace").strip()
    if not text:
        return f"{how} (nothing on standard error)"
    if len(text) > MAX_MESSAGE:
        text = "..." + text[-MAX_MESSAGE:]
    return f"{how}: {text}"


def _variables(stdout: bytes) -> dict[str, Any]:
    """Standard output as completion variables: nothing, or one JSON object."""
    text = stdout.decode("utf-8", errors="replace").strip()
    if not text:
        return {}
    try:
        value = json.loads(text)
    except ValueError:
        raise CommandFailed(
            f"standard output is not JSON (expected one object of variables): {_clip(text)}"
        ) from None
    if not isinstance(value, dict):
        raise CommandFailed(f"standard output is JSON but not an object of variables: {_clip(text)}")
    return value


def _clip(text: str, size: int = 200) -> str:
    return text if len(text) <= size else text[:size] + "..."
