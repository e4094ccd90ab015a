"""The script environment the engine runs with: scripts and expressions evaluated in worker processes.

SpiffWorkflow hands every script and expression to its environment (some callers go to the
environment directly, past the script engine), so this is the one place that decides where code
runs: provably cheap expressions (:mod:`.fast_path`) in this process, everything else in the
sandbox (:mod:`.pool`). Task data crosses as a copy; a script's variables come back and update
the task's data in place, as the in-process evaluator does.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from SpiffWorkflow.bpmn.script_engine.python_environment import BasePythonScriptEngineEnvironment

from flowport.engine.scripting.environment import RestrictedEnvironment
from flowport.engine.scripting.errors import ScriptError
from flowport.engine.scripting.fast_path import is_cheap_expression
from flowport.engine.scripting.guards import DEFAULT_MEMORY_LIMIT_BYTES
from flowport.engine.scripting.pool import SandboxPool
from flowport.engine.scripting.protocol import Kind, Reply, Request, ScriptLimits


class SandboxedEnvironment(BasePythonScriptEngineEnvironment):  # type: ignore[misc]
    """Runs BPMN scripts and conditions in the sandbox's worker processes, cheap conditions in process."""

    def __init__(
        self,
        pool: SandboxPool,
        time_limit_seconds: float = 1.0,
        max_result_bytes: int = 1_000_000,
        memory_limit_bytes: int = DEFAULT_MEMORY_LIMIT_BYTES,
    ) -> None:
        super().__init__({})
        self._pool = pool
        self._limits = ScriptLimits(time_limit_seconds, max_result_bytes, memory_limit_bytes)
        self._in_process = RestrictedEnvironment(time_limit_seconds, max_result_bytes, memory_limit_bytes)

    def evaluate(
        self, expression: str, context: dict[str, Any], external_context: Mapping[str, Any] | None = None
    ) -> Any:
        """Value of an expression over the task data; the data itself is left as it was."""
        if is_cheap_expression(expression):
            return self._in_process.evaluate(expression, context, external_context)
        return self._run("eval", expression, context, external_context).value

    def execute(
        self, script: str, context: dict[str, Any], external_context: Mapping[str, Any] | None = None
    ) -> bool:
        """Run a script task's statements; the variables it assigns or deletes update ``context``."""
        reply = self._run("exec", script or "", context, external_context)
        for name in reply.removed:
            context.pop(name, None)
        context.update(reply.updates)
        return True

    def call_service(self, context: dict[str, Any], **kwargs: Any) -> Any:
        """Service tasks are jobs for external workers in Flowport, never calls made from the engine."""
        raise NotImplementedError("Service calls are not available in scripts")

    def _run(
        self, kind: Kind, source: str, context: Mapping[str, Any], external: Mapping[str, Any] | None
    ) -> Reply:
        request = Request(kind, source, dict(context), dict(external or {}), self._limits)
        reply = self._pool.run(request)
        if reply.error is not None:
            raise ScriptError(reply.error, reply.line)
        return reply
