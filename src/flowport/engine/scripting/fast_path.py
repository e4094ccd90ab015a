"""Which expressions may skip the sandbox: those whose cost is bounded by their size and the data's.

Gateways evaluate their conditions on every pass, and a round trip to a worker process costs far
more than ``amount > 1000`` itself. An expression runs in the server's own process (still in the
restricted evaluator, with its guards and deadline) only when the syntax tree shows it cannot run
long; otherwise, or when in doubt, it goes to the sandbox. The rule:

- Only these expression nodes: names, constants, comparisons (``==``, ``<``, ``in``, ``is``, ...),
  ``and`` / ``or`` / ``not``, unary ``-`` and ``+``, subscripts with a plain index (``order['total']``,
  ``items[0]``; no slices) and tuple, list and set displays of such operands.
- So no calls (every long C-level call is a call), no attribute access (methods are calls), no
  loops, comprehensions, lambdas or conditional expressions, and no arithmetic (``*``, ``**`` and
  ``<<`` amplify their operands; which operand is a number only the data knows).
- At most :data:`MAX_FAST_NODES` expression nodes.

Without loops or calls the code is straight-line and evaluates each node once. Each node does one
comparison, lookup or display: work at most linear in the size of the task data, which creates
nothing new beyond a display of at most :data:`MAX_FAST_NODES` items. The whole expression is
therefore bounded by MAX_FAST_NODES passes over the data, far below any time limit.
"""

from __future__ import annotations

import ast
from functools import lru_cache

MAX_FAST_NODES = 32

_OPERAND_NODES: tuple[type[ast.AST], ...] = (
    ast.Name,
    ast.Constant,
    ast.Compare,
    ast.BoolOp,
    ast.UnaryOp,
    ast.Subscript,
    ast.Tuple,
    ast.List,
    ast.Set,
)
_UNARY_OPERATORS = (ast.Not, ast.USub, ast.UAdd)


@lru_cache(maxsize=1024)  # a pure function of the text, asked again on every pass of a gateway
def is_cheap_expression(source: str) -> bool:
    """Whether ``source`` may be evaluated in process: see the module docstring for the rule."""
    if not isinstance(source, str) or len(source) > 10_000:
        return False
    try:
        tree = ast.parse(source.strip(), mode="eval")
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return False  # the sandbox reports the error
    count = 0
    for node in ast.walk(tree):
        if not isinstance(node, ast.expr):
            continue
        count += 1
        if count > MAX_FAST_NODES or not _allowed(node):
            return False
    return True


def _allowed(node: ast.expr) -> bool:
    if not isinstance(node, _OPERAND_NODES):
        return False
    if isinstance(node, ast.UnaryOp):
        return isinstance(node.op, _UNARY_OPERATORS)
    if isinstance(node, ast.Subscript):
        return not isinstance(node.slice, ast.Slice)
    return True
