"""SpiffWorkflow integration: the script environment and engine every Flowport workflow runs with."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from types import CodeType
from typing import Any

from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine
from SpiffWorkflow.bpmn.script_engine.python_environment import BasePythonScriptEngineEnvironment
from SpiffWorkflow.exceptions import SpiffWorkflowException

from flowport.engine.scripting.errors import ScriptError, describe_error
from flowport.engine.scripting.guards import DEFAULT_MEMORY_LIMIT_BYTES, RunGuards
from flowport.engine.scripting.limits import run_with_deadline, script_line
from flowport.engine.scripting.policy import compile_script
from flowport.engine.scripting.safe_builtins import SAFE_BUILTINS
from flowport.engine.scripting.values import (
    UNENCODABLE,
    deeper_than,
    refuse_non_data,
    refuse_unencodable,
    to_json_value,
)
from flowport.limits import MAX_DATA_DEPTH


def is_variable(name: object) -> bool:
    """Task data keys a script can see: underscore names are unreachable and stay untouched."""
    return isinstance(name, str) and not name.startswith("_")


class RestrictedEnvironment(BasePythonScriptEngineEnvironment):  # type: ignore[misc]
    """Runs BPMN scripts and conditions on task data with RestrictedPython, a deadline and size limits."""

    def __init__(
        self,
        time_limit_seconds: float = 1.0,
        max_result_bytes: int = 1_000_000,
        memory_limit_bytes: int = DEFAULT_MEMORY_LIMIT_BYTES,
        environment_globals: Mapping[str, Any] | None = None,
    ) -> None:
        if time_limit_seconds <= 0 or max_result_bytes <= 0 or memory_limit_bytes <= 0:
            raise ValueError("Script limits must be positive")
        extra = dict(environment_globals or {})
        if not all(is_variable(name) for name in extra):
            raise ValueError("Names given to scripts must not start with '_'")
        super().__init__(extra)
        self.time_limit_seconds = time_limit_seconds
        self.max_result_bytes = max_result_bytes
        self.memory_limit_bytes = memory_limit_bytes
        self._builtins = {**SAFE_BUILTINS, **extra}

    def evaluate(
        self, expression: str, context: dict[str, Any], external_context: Mapping[str, Any] | None = None
    ) -> Any:
        """Value of a Python expression over the task data (a condition, a timer, a cardinality...)."""
        if expression is None or not str(expression).strip():
            raise ScriptError("The expression is empty")
        code = compile_script(expression, "eval")
        namespace = self._namespace(context, external_context)
        result = run_with_deadline(code, namespace, self.time_limit_seconds, "Expression")
        if deeper_than(result, MAX_DATA_DEPTH):
            raise ScriptError(f"The expression result is nested more than {MAX_DATA_DEPTH} levels deep")
        self._check_size(result, "The expression result", str)
        return result

    def execute(
        self, script: str, context: dict[str, Any], external_context: Mapping[str, Any] | None = None
    ) -> bool:
        """Run a script task's statements; the variables it assigns or deletes update ``context`` in place.

        What the script leaves is stored in its JSON form (see :mod:`.values`), so the next task sees
        the same data whether or not the instance is saved and restored in between.
        """
        code = compile_script(script or "", "exec")
        namespace = self._namespace(context, external_context)
        self._run_script(code, namespace)
        hidden = set(external_context or ()) - set(context)
        updates = {
            name: to_json_value(name, value)
            for name, value in namespace.items()
            if is_variable(name) and name not in hidden and not callable(value)
        }
        removed = {name for name in context if is_variable(name) and name not in updates}
        kept = {name: value for name, value in context.items() if name not in removed}
        self._check_size(
            {**kept, **updates}, "The task data after the script", refuse_non_data, variables=True
        )
        for name in removed:
            del context[name]
        context.update(updates)
        return True

    def call_service(self, context: dict[str, Any], **kwargs: Any) -> Any:
        """Service tasks are jobs for external workers in Flowport, never calls made from the engine."""
        raise NotImplementedError("Service calls are not available in scripts")

    def _namespace(
        self, context: Mapping[str, Any], external_context: Mapping[str, Any] | None
    ) -> dict[str, Any]:
        # Task data shadows builtins (a variable called `date` wins), but never the guards.
        guards = RunGuards(self.memory_limit_bytes)
        namespace = {name: value for name, value in (external_context or {}).items() if is_variable(name)}
        namespace.update((name, value) for name, value in context.items() if is_variable(name))
        namespace.update(guards.names())
        namespace["__builtins__"] = {**self._builtins, **guards.builtins()}
        return namespace

    def _run_script(self, code: CodeType, namespace: dict[str, Any]) -> None:
        """Run script statements; a rule broken at run time gets the line of the script that broke it."""
        try:
            run_with_deadline(code, namespace, self.time_limit_seconds, "Script")
        except ScriptError as exc:
            line = script_line(exc) if exc.line is None else None
            if line is not None:
                exc.line = line
                exc.args = (f"{exc.args[0]} (line {line})",)
            raise

    def _check_size(
        self, value: Any, what: str, default: Callable[[Any], Any], *, variables: bool = False
    ) -> None:
        try:
            text = json.dumps(value, default=default, skipkeys=True, ensure_ascii=False)
            size = len(text.encode("utf-8"))
        except UnicodeEncodeError:
            if variables:
                refuse_unencodable(value)
            raise ScriptError(f"{what} cannot be stored as JSON: {UNENCODABLE}") from None
        except (ValueError, RecursionError) as exc:
            raise ScriptError(f"{what} cannot be stored as JSON: {exc}") from None
        if size > self.max_result_bytes:
            raise ScriptError(f"{what} is {size} bytes as JSON; the limit is {self.max_result_bytes} bytes")


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
