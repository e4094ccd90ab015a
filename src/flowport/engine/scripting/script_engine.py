"""The script engine every Flowport workflow runs with: the restricted environment, in a sandbox or not."""

from __future__ import annotations

from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine
from SpiffWorkflow.bpmn.script_engine.python_environment import BasePythonScriptEngineEnvironment

from flowport.engine.scripting.environment import RestrictedEnvironment, RestrictedScriptEngine
from flowport.engine.scripting.pool import SandboxPool
from flowport.engine.scripting.sandbox import SandboxedEnvironment


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
