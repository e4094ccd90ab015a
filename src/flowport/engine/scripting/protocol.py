"""What the server and a sandbox worker send each other over their pipe: plain, picklable data."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from flowport.engine.scripting.guards import DEFAULT_MEMORY_LIMIT_BYTES

Kind = Literal["eval", "exec"]

READY = "ready"  # a worker's first message: its limits are set and it waits for requests


@dataclass(frozen=True)
class ScriptLimits:
    """The limits of one evaluation: they travel with each request, so one pool serves any engine."""

    time_limit_seconds: float = 1.0
    max_result_bytes: int = 1_000_000
    memory_limit_bytes: int = DEFAULT_MEMORY_LIMIT_BYTES


@dataclass(frozen=True)
class Request:
    """Evaluate an expression (``eval``) or run a script (``exec``) over a copy of the task data."""

    kind: Kind
    source: str
    context: dict[str, Any]
    external_context: dict[str, Any]
    limits: ScriptLimits

    @property
    def subject(self) -> str:
        """How messages name what ran, as the in-process evaluator does."""
        return "Script" if self.kind == "exec" else "Expression"


@dataclass(frozen=True)
class Reply:
    """The outcome: an expression's value, or a script's variables; or the user-facing error.

    ``retire`` asks the server to replace the worker (after a MemoryError its heap may be in a state
    nobody wants to run the next script in).
    """

    value: Any = None
    updates: dict[str, Any] = field(default_factory=dict)
    removed: tuple[str, ...] = ()
    error: str | None = None
    line: int | None = None
    retire: bool = False
