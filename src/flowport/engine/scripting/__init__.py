"""Restricted evaluator for BPMN ``scriptTask`` scripts and ``conditionExpression`` conditions.

Scripts are Python, compiled by RestrictedPython plus Flowport's own rules (:mod:`.policy`), run
against the task data with a deadline enforced by a trace function (:mod:`.limits`), and with the
operators that can allocate without bound (``*``, ``**``, ``<<``, ``+``, ``%``, f-string widths, a
few ``str`` methods) routed through guards (:mod:`.guards`, :mod:`.safe_builtins`). What a script
leaves in task data is stored as JSON (:mod:`.values`); :mod:`.environment` plugs it all into
SpiffWorkflow, and :mod:`.script_engine` builds the engine workflows run with.

The engine runs all of that in a sandbox: worker processes (:mod:`.worker`) in a pool
(:mod:`.pool`) that kills a worker whose script overruns, which no trace function can guarantee;
:mod:`.sandbox` is the environment that sends code there, except expressions that are provably
cheap (:mod:`.fast_path`).
"""

from __future__ import annotations

from flowport.engine.scripting.environment import RestrictedEnvironment, RestrictedScriptEngine
from flowport.engine.scripting.errors import ScriptError
from flowport.engine.scripting.policy import validate_script
from flowport.engine.scripting.pool import SandboxPool
from flowport.engine.scripting.sandbox import SandboxedEnvironment
from flowport.engine.scripting.script_engine import create_script_engine
from flowport.limits import MAX_DATA_DEPTH

__all__ = [
    "MAX_DATA_DEPTH",
    "RestrictedEnvironment",
    "RestrictedScriptEngine",
    "SandboxPool",
    "SandboxedEnvironment",
    "ScriptError",
    "create_script_engine",
    "validate_script",
]
