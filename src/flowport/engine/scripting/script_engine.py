"""SpiffWorkflow's script engine for Flowport: task errors carrying the evaluator's message and line."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine
from SpiffWorkflow.bpmn.script_engine.python_environment import BasePythonScriptEngineEnvironment
from SpiffWorkflow.exceptions import SpiffWorkflowException

from flowport.engine.scripting.environment import RestrictedEnvironment
from flowport.engine.scripting.errors import ScriptError, describe_error
from flowport.engine.scripting.limits import script_line
from flowport.engine.scripting.pool import SandboxPool
from flowport.engine.scripting.sandbox import SandboxedEnvironment


class RestrictedScriptEngine(PythonScriptEngine):  # type: ignore[misc]
    """SpiffWorkflow's script engine, with task errors that carry the evaluator's message and line."""

    def evaluate(self, task: Any, expression: str, external_context: Mapping[str, Any] | None = None) -> Any:
        try:
            return self.environment.evaluate(expression, task.data, external_context)
        except SpiffWorkflowException as exc:
            exc.add_note(f"Error evaluating expression '{expression}'")
            raise
        except Exception as exc:
            message = f"Error evaluating expression '{expression}': {describe_error(exc)}"
            raise WorkflowTaskException(message, task=task, exception=exc) from exc

    def execute(self, task: Any, script: str, external_context: Mapping[str, Any] | None = None) -> Any:
        try:
            return self.environment.execute(script, task.data, external_context or {})
        except SpiffWorkflowException:
            raise
        except Exception as exc:
            line = exc.line if isinstance(exc, ScriptError) else script_line(exc)
            lines = (script or "").splitlines()
            error_line = lines[line - 1] if line and line <= len(lines) else ""
            message = describe_error(exc, line)
            raise WorkflowTaskException(
                message, task=task, exception=exc, line_number=line or 0, error_line=error_line
            ) from exc

    def call_service(self, task: Any, **kwargs: Any) -> Any:
        try:
            return self.environment.call_service(task.data, **kwargs)
        except Exception as exc:
            raise WorkflowTaskException(describe_error(exc), task=task, exception=exc) from exc


def create_script_engine(
    time_limit_seconds: float = 1.0, max_result_bytes: int = 1_000_000, *, sandbox: SandboxPool | None = None
) -> PythonScriptEngine:
    """The script engine workflows run with: restricted, time-limited and size-limited.

    With a ``sandbox`` (what the engine uses), scripts run in its worker processes, which are killed
    at the time limit whatever the script does; without, in this process (for tests of the evaluator).
    """
    if sandbox is None:
        environment: BasePythonScriptEngineEnvironment = RestrictedEnvironment(
            time_limit_seconds, max_result_bytes
        )
    else:
        environment = SandboxedEnvironment(sandbox, time_limit_seconds, max_result_bytes)
    return RestrictedScriptEngine(environment=environment)
