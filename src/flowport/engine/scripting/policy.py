"""What scripts may contain: Flowport's AST checks and the RestrictedPython policy that compiles them.

Compilation rewrites the operators that can allocate without bound (``*``, ``**``, ``<<``, ``+``,
``%``, f-string widths) into calls to the guards of :mod:`.guards`, and caches the code per source.
"""

from __future__ import annotations

import ast
import re
import textwrap
from functools import lru_cache
from types import CodeType
from typing import Any, Literal, cast

from RestrictedPython.compile import compile_restricted_eval, compile_restricted_exec
from RestrictedPython.transformer import INSPECT_ATTRIBUTES, IOPERATOR_TO_STR, RestrictingNodeTransformer

from flowport.engine.scripting.errors import ScriptError

Mode = Literal["exec", "eval"]

SCRIPT_FILENAME = "<script>"
MAX_SOURCE_CHARS = 100_000
IMPORTS_REFUSED = "Imports are not allowed in scripts"

_FORBIDDEN_NODES: dict[type[ast.AST], str] = {
    ast.Import: IMPORTS_REFUSED,
    ast.ImportFrom: IMPORTS_REFUSED,
    # A script that can catch exceptions can swallow the time-limit interrupt, after which
    # CPython has switched tracing off: so no try, and no with (context managers can suppress).
    ast.Try: "try/except is not allowed in scripts",
    ast.TryStar: "try/except is not allowed in scripts",
    ast.With: "with statements are not allowed in scripts",
    ast.AsyncWith: "with statements are not allowed in scripts",
    ast.ClassDef: "Class definitions are not allowed in scripts",
}
_FORBIDDEN_CALLS = frozenset(
    {"open", "eval", "exec", "compile", "getattr", "setattr", "delattr", "hasattr", "globals", "locals"}
    | {"vars", "dir", "input", "breakpoint", "help", "print", "type", "super", "object", "memoryview"}
    | {"bytearray", "exit", "quit", "id"}
)
# format() reads attributes by name ('{0.__class__}'); the others build huge ints or bytes in C.
BLOCKED_ATTRIBUTES = frozenset({"format", "format_map", "mro", "to_bytes", "from_bytes", "as_integer_ratio"})
BLOCKED_ATTRIBUTES |= INSPECT_ATTRIBUTES
_BINOP_HELPERS: dict[type[ast.operator], str] = {
    ast.Add: "_add_",
    ast.Mult: "_mul_",
    ast.Pow: "_pow_",
    ast.LShift: "_lshift_",
    ast.Mod: "_mod_",
}
_RESTRICTED_ERROR = re.compile(r"^Line (\d+|None): (.*)$", re.DOTALL)


def validate_script(source: str, mode: Mode = "exec") -> None:
    """Check a script (or, with ``mode="eval"``, an expression) without running it; raise ScriptError."""
    compile_script(source, mode)


@lru_cache(maxsize=512)  # a pure function of its arguments: conditions are evaluated over and over
def compile_script(source: str, mode: Mode) -> CodeType:
    """Parse, check and compile a script; every rejection is a ScriptError naming the line."""
    if len(source) > MAX_SOURCE_CHARS:
        raise ScriptError(f"Scripts are limited to {MAX_SOURCE_CHARS} characters")
    text = source.strip() if mode == "eval" else textwrap.dedent(source)
    compiler = compile_restricted_eval if mode == "eval" else compile_restricted_exec
    try:
        tree = cast(ast.Module | ast.Expression, ast.parse(text, SCRIPT_FILENAME, mode))
        _check_policy(tree)
        result = compiler(tree, filename=SCRIPT_FILENAME, policy=_GuardingPolicy)
    except SyntaxError as exc:
        raise ScriptError(f"Syntax error: {exc.msg} (line {exc.lineno})", exc.lineno) from None
    except (RecursionError, MemoryError):
        raise ScriptError("Script is nested too deeply") from None
    if result.errors or result.code is None:
        raise _restricted_error(result.errors[0] if result.errors else "The script could not be compiled")
    return result.code


def _check_policy(tree: ast.AST) -> None:
    """Reject the first (in source order) construct that Flowport does not allow in scripts."""
    found = []
    for node in ast.walk(tree):  # iterative: deep trees cannot overflow the stack here
        message = _violation(node)
        if message is not None:
            start = (getattr(node, "lineno", 0), getattr(node, "col_offset", 0))
            end = (getattr(node, "end_lineno", 0) or 0, getattr(node, "end_col_offset", 0) or 0)
            found.append((start, end, message))
    if found:
        (line, _), _, message = min(found)
        raise ScriptError(f"{message} (line {line})", line)


def _violation(node: ast.AST) -> str | None:
    """Why ``node`` is not allowed in a script, or None when it is."""
    message = _FORBIDDEN_NODES.get(type(node))
    if message is not None:
        return message
    name: str | None = None
    if isinstance(node, ast.Name):
        if node.id == "__import__":
            return IMPORTS_REFUSED
        name = node.id
    elif isinstance(node, ast.Attribute):
        if node.attr in ("format", "format_map"):
            return "str.format() is not allowed in scripts; use an f-string instead"
        if node.attr in BLOCKED_ATTRIBUTES:
            return f"Attribute '{node.attr}' is not allowed in scripts"
        name = node.attr
    elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
        name = node.name
    elif isinstance(node, ast.arg):
        name = node.arg
    elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in _FORBIDDEN_CALLS:
        return f"{node.func.id}() is not allowed in scripts"
    if name is not None and name.startswith("_") and name != "_":
        return f"Names starting with '_' are not allowed: {name}"
    return None


def _restricted_error(error: str) -> ScriptError:
    """Turn RestrictedPython's 'Line 3: X is not allowed.' into Flowport's message style."""
    match = _RESTRICTED_ERROR.match(error)
    if match is None:
        return ScriptError(error)
    message = match.group(2).rstrip(".")
    if not match.group(1).isdigit():
        return ScriptError(message)
    return ScriptError(f"{message} (line {match.group(1)})", int(match.group(1)))


def _call(name: str, *args: ast.expr) -> ast.Call:
    return ast.Call(func=ast.Name(name, ast.Load()), args=list(args), keywords=[])


def _located(new: ast.AST, old: ast.AST) -> Any:
    ast.copy_location(new, old)
    return ast.fix_missing_locations(new)


class _GuardingPolicy(RestrictingNodeTransformer):
    """RestrictedPython's policy, plus guarded operators and augmented assignment to items."""

    def visit_Name(self, node: ast.Name) -> Any:
        # RestrictedPython reserves these for its print collector; calls to print() are refused by
        # _check_policy, so here they are ordinary variable names (a task variable `printed`).
        if node.id in ("print", "printed"):
            return node
        return super().visit_Name(node)

    def visit_BinOp(self, node: ast.BinOp) -> ast.AST:
        node = self.node_contents_visit(node)
        helper = _BINOP_HELPERS.get(type(node.op))
        if helper is None:
            return node
        located: ast.AST = _located(_call(helper, node.left, node.right), node)
        return located

    def visit_FormattedValue(self, node: ast.FormattedValue) -> ast.AST:
        node = self.node_contents_visit(node)
        if node.format_spec is None:
            return node
        value = _call("_format_", node.value, ast.Constant(node.conversion), node.format_spec)
        located: ast.AST = _located(ast.FormattedValue(value=value, conversion=-1, format_spec=None), node)
        return located

    def visit_AugAssign(self, node: ast.AugAssign) -> Any:
        # RestrictedPython refuses `totals[k] += x`, a common idiom in scripts: rewrite it to
        # `t1 = totals; t2 = k; _write_(t1)[t2] = _inplacevar_('+=', _getitem_(t1, t2), x)`.
        target = node.target
        if not isinstance(target, ast.Subscript) or isinstance(target.slice, ast.Slice):
            return super().visit_AugAssign(node)
        container, key = self.gen_tmp_name(), self.gen_tmp_name()
        current = _call("_getitem_", ast.Name(container, ast.Load()), ast.Name(key, ast.Load()))
        operation = ast.Constant(IOPERATOR_TO_STR[type(node.op)])
        value = _call("_inplacevar_", operation, current, self.visit(node.value))
        writable = _call("_write_", ast.Name(container, ast.Load()))
        store = ast.Subscript(writable, ast.Name(key, ast.Load()), ast.Store())
        statements = [
            ast.Assign(targets=[ast.Name(container, ast.Store())], value=self.visit(target.value)),
            ast.Assign(targets=[ast.Name(key, ast.Store())], value=self.visit(target.slice)),
            ast.Assign(targets=[store], value=value),
        ]
        return [_located(statement, node) for statement in statements]
