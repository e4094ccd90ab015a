"""String and value literals for the languages the API page generates code in.

Every value a user types (ids, variables, header values) reaches generated code through one of
these functions, so a quote, backslash, newline, ``$`` or backtick in it stays data.
"""

from __future__ import annotations

import json
from typing import Any


def shell(value: str) -> str:
    """A POSIX shell word in single quotes: nothing inside is expanded (``'`` becomes ``'"'"'``)."""
    if value and all(ch.isalnum() or ch in "@%+=:,./-_" for ch in value) and value.isascii():
        return value
    return "'" + value.replace("'", "'\"'\"'") + "'"


def python_str(value: str) -> str:
    """A double-quoted Python string literal (JSON's escapes are Python's too)."""
    return json.dumps(value, ensure_ascii=False)


def python_value(value: Any, indent: int = 0) -> str:
    """A Python expression for a JSON value (``True``/``False``/``None``), indented from ``indent``."""
    pad, inner = " " * indent, " " * (indent + 4)
    if isinstance(value, str):
        return python_str(value)
    if value is None or isinstance(value, bool):
        return {None: "None", True: "True", False: "False"}[value]
    if isinstance(value, int | float):
        return json.dumps(value)
    if isinstance(value, dict):
        if not value:
            return "{}"
        rows = [f"{inner}{python_str(str(k))}: {python_value(v, indent + 4)}," for k, v in value.items()]
        return "{\n" + "\n".join(rows) + f"\n{pad}}}"
    if isinstance(value, list | tuple):
        if not value:
            return "[]"
        rows = [f"{inner}{python_value(item, indent + 4)}," for item in value]
        return "[\n" + "\n".join(rows) + f"\n{pad}]"
    raise TypeError(f"not a JSON value: {type(value).__name__}")


def js_str(value: str) -> str:
    """A double-quoted JavaScript string literal."""
    return _js_safe(json.dumps(value, ensure_ascii=False))


def js_value(value: Any, indent: int = 0) -> str:
    """A JavaScript expression for a JSON value: JSON text is one (with U+2028/U+2029 escaped)."""
    text = json.dumps(value, ensure_ascii=False, indent=2)
    return _js_safe(text).replace("\n", "\n" + " " * indent)


def _js_safe(text: str) -> str:
    # Line and paragraph separators end a line in JavaScript before ES2019; escape them everywhere.
    return text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


_CS_ESCAPES = {'"': '\\"', "\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t", "\0": "\\0"}


def csharp_str(value: str) -> str:
    """A regular C# string literal; control and line-separator characters as ``\\uXXXX``."""
    out = []
    for ch in value:
        if ch in _CS_ESCAPES:
            out.append(_CS_ESCAPES[ch])
        elif ord(ch) < 0x20 or ch in "\x7f\u0085\u2028\u2029":
            out.append(f"\\u{ord(ch):04x}")
        elif ord(ch) > 0xFFFF:
            code = ord(ch) - 0x10000
            out.append(f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def csharp_raw(text: str, indent: int = 0) -> str:
    """A C# 11 raw string literal of several lines (a delimiter longer than any run of quotes inside)."""
    longest = run = 0
    for ch in text:
        run = run + 1 if ch == '"' else 0
        longest = max(longest, run)
    quotes = '"' * max(3, longest + 1)
    pad = " " * indent
    body = "\n".join(pad + line if line else line for line in text.split("\n"))
    return f"{quotes}\n{body}\n{pad}{quotes}"


def json_text(value: Any) -> str:
    """The JSON body as sent: readable (indented), non-ASCII kept as is (the body is UTF-8).

    The characters some languages read as a line break (U+0085, U+2028, U+2029) are escaped.
    """
    text = json.dumps(value, ensure_ascii=False, indent=2)
    return _js_safe(text).replace("\u0085", "\\u0085")
