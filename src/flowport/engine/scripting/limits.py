"""The time limit of a script run: a trace function that interrupts script frames past a deadline."""

from __future__ import annotations

import sys
from time import monotonic
from types import CodeType, FrameType
from typing import Any

from flowport.engine.scripting.errors import ScriptError
from flowport.engine.scripting.policy import SCRIPT_FILENAME


def run_with_deadline(code: CodeType, namespace: dict[str, Any], limit: float, kind: str) -> Any:
    """Evaluate compiled code in this thread, interrupting it from a trace function at the deadline."""
    deadline = monotonic() + limit
    message = time_limit_message(kind, limit)

    def trace(frame: FrameType, event: str, arg: Any) -> Any:
        # Only script frames are traced and interrupted: library code called by a script (which
        # may hold a lock) always runs to completion, and is kept short by the size guards.
        if frame.f_code.co_filename != SCRIPT_FILENAME:
            return None
        if monotonic() > deadline:
            raise ScriptError(message)
        return trace

    previous = sys.gettrace()
    sys.settrace(trace)
    try:
        return eval(code, namespace)  # runs "exec"-mode code too, returning None
    finally:
        sys.settrace(previous)


def time_limit_message(kind: str, limit: float) -> str:
    """What users read when a script or expression ran out of time, however it was stopped."""
    return f"{kind} exceeded the time limit of {limit} s"


def script_line(exc: BaseException) -> int | None:
    """Line of the innermost script frame in the exception's traceback."""
    line = None
    tb = exc.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == SCRIPT_FILENAME:
            line = tb.tb_lineno
        tb = tb.tb_next
    return line
