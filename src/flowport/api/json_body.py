"""The one strict JSON parser of every request body (RFC 8259, with the I-JSON rules of RFC 7493).

Python's ``json.loads`` accepts more than JSON: ``NaN`` and ``Infinity``, numbers that overflow to
infinity, lone surrogates (``"\\ud800"``: not Unicode, so every later read of the stored value fails),
repeated keys (the last one silently wins: ``client_id`` twice authenticates as the second client) and
nesting deep enough to exhaust the interpreter's stack. :func:`loads` refuses all of them with a
:class:`JsonBodyError` naming the fault; it knows nothing about HTTP.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any, Literal

from flowport.limits import MAX_DATA_DEPTH

MAX_DEPTH = MAX_DATA_DEPTH
Fault = Literal[
    "invalid-utf8", "invalid-json", "non-finite-number", "lone-surrogate", "duplicate-key", "too-deep"
]

# A \u escape of a UTF-16 surrogate: the only way a JSON text can carry one (strict UTF-8 cannot).
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")
_SURROGATE = re.compile("[\ud800-\udfff]")


class JsonBodyError(ValueError):
    """A body that is not strict JSON; ``fault`` says which rule it broke, ``detail`` says it to people."""

    def __init__(self, fault: Fault, detail: str, **extra: Any) -> None:
        super().__init__(detail)
        self.fault = fault
        self.detail = detail
        self.extra = extra


def loads(raw: bytes | str, *, max_depth: int = MAX_DEPTH) -> Any:
    """Parse ``raw`` as strict JSON: UTF-8 (RFC 8259 section 8.1), finite numbers, unique keys."""
    if isinstance(raw, bytes):
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise JsonBodyError(
                "invalid-utf8", f"The body is not valid UTF-8 (byte {exc.start})", position=exc.start
            ) from None
    else:
        text = raw
    try:
        value = json.loads(
            text, object_pairs_hook=_unique_keys, parse_constant=_no_constant, parse_float=_finite
        )
    except JsonBodyError:
        raise
    except RecursionError:
        raise _too_deep(max_depth) from None
    except json.JSONDecodeError as exc:
        raise JsonBodyError(
            "invalid-json",
            f"The body is not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})",
            line=exc.lineno,
            column=exc.colno,
        ) from None
    except ValueError as exc:  # e.g. an integer of more digits than int() converts
        raise JsonBodyError("invalid-json", f"The body is not valid JSON: {exc}") from None
    # Both walks are skipped for ordinary bodies: nesting can only exceed the bound when the text
    # holds that many brackets, and a surrogate only arrives as a \uD800-\uDFFF escape.
    if text.count("[") + text.count("{") > max_depth:
        _check_depth(value, max_depth)
    if "\\u" in text and _SURROGATE_ESCAPE.search(text) is not None:
        _check_surrogates(value)
    return value


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """RFC 8259 section 4: names SHOULD be unique; RFC 7493 section 2.3 makes it a MUST."""
    obj = dict(pairs)
    if len(obj) != len(pairs):
        seen: set[str] = set()
        for name, _ in pairs:
            if name in seen:
                shown = _SURROGATE.sub("\ufffd", name)
                raise JsonBodyError("duplicate-key", f"The JSON object repeats the key '{shown}'", key=shown)
            seen.add(name)
    return obj


def _no_constant(name: str) -> Any:
    """``NaN``, ``Infinity`` and ``-Infinity`` are not JSON numbers (RFC 8259 section 6)."""
    raise JsonBodyError("non-finite-number", f"{name} is not a JSON number (RFC 8259 section 6)")


def _finite(literal: str) -> float:
    value = float(literal)
    if math.isinf(value):  # RFC 7493 section 2.2: numbers beyond IEEE 754 double precision
        shown = literal if len(literal) <= 32 else f"{literal[:29]}..."
        raise JsonBodyError(
            "non-finite-number", f"The number {shown} is out of range (it overflows a double)"
        )
    return value


def _check_depth(value: Any, max_depth: int) -> None:
    """Descend one level at a time (no recursion: the value may be deeper than the stack allows)."""
    level = [value] if isinstance(value, dict | list) else []
    depth = 0
    while level:
        depth += 1
        if depth > max_depth:
            raise _too_deep(max_depth)
        children: list[Any] = []
        for container in level:
            children.extend(container.values() if isinstance(container, dict) else container)
        level = [child for child in children if isinstance(child, dict | list)]


def _check_surrogates(value: Any) -> None:
    """A lone surrogate left in a key or string: a valid pair was already joined by the decoder."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            _no_surrogate(item, "string")
        elif isinstance(item, dict):
            for key in item:
                _no_surrogate(key, "key")
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)


def _no_surrogate(text: str, where: str) -> None:
    """RFC 8259 section 8.2: a lone surrogate is not a Unicode character; RFC 7493 section 2.1 refuses it."""
    found = _SURROGATE.search(text)
    if found is not None:
        raise JsonBodyError(
            "lone-surrogate",
            f"A JSON {where} holds a lone surrogate (\\u{ord(found.group()):04x}), which is not Unicode text",
        )


def _too_deep(max_depth: int) -> JsonBodyError:
    return JsonBodyError(
        "too-deep",
        f"The JSON body nests arrays and objects deeper than {max_depth} levels",
        maxDepth=max_depth,
    )
