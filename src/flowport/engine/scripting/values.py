"""What a script may leave in task data: JSON values, the same ones the instance has after a restore.

Instance state is stored as JSON (the engine state and the ``instances.variables`` column) and read
back from JSON. A value that JSON cannot hold either fails to be stored (a ``date``, a ``Decimal``)
or comes back as something else (a ``set`` as a list), so a later gateway could take another path
depending on whether the instance happened to be saved and loaded in between. When a script ends,
its variables are therefore turned into their JSON form where that form is exact, and refused,
naming the variable, where it would lose data.
"""

from __future__ import annotations

import math
import reprlib
from collections.abc import Iterable, Mapping
from datetime import date, time, timedelta
from decimal import Decimal
from typing import Any, NoReturn

from flowport.engine.scripting.errors import ScriptError
from flowport.limits import MAX_DATA_DEPTH

Path = tuple[object, ...]  # a variable name, then the keys and indexes down to a nested value

# Levels of lists and dicts that stored data may have: readers of the stored JSON (serializers,
# drivers, API responses) recurse per level, and some fail far below Python's recursion limit.

# JSON already, whatever their value; checked before building a path, as most values are these.
_PLAIN_TYPES = frozenset({str, int, bool, type(None)})


def to_json_value(name: str, value: Any) -> Any:
    """The JSON form of a variable a script leaves in task data; ScriptError when it has no exact one.

    Tuples become lists and integer keys strings, as JSON makes them anyway; sets become sorted lists;
    dates, datetimes and times become ISO 8601 strings and timedeltas ISO 8601 durations (the text
    BPMN timers read); a Decimal becomes a number when that number, as written in JSON, is exactly
    the Decimal's value. Values that are JSON already are returned as they are, not copied.
    """
    try:
        return _convert(value, (name,), set())
    except RecursionError:
        raise ScriptError(f"Variable '{name}' is nested too deeply to be stored") from None


def deeper_than(value: Any, levels: int) -> bool:
    """Whether the lists, tuples and dicts of ``value`` nest more than ``levels`` deep (iteratively)."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children: Iterable[Any] = item.values()
        elif isinstance(item, list | tuple):
            children = item
        else:
            continue
        if depth > levels:
            return True
        stack.extend((child, depth + 1) for child in children if type(child) not in _PLAIN_TYPES)
    return False


def refuse_unencodable(variables: Mapping[str, Any]) -> NoReturn:
    """ScriptError naming the variable, and where in it, that holds text UTF-8 cannot write.

    Python strings may hold lone surrogates (``chr(0xd800)``); no stored form (UTF-8 JSON, the
    database's text) can, so such data would be refused by every later read.
    """
    for name, value in variables.items():
        path = _unencodable_path(value, (name,)) if _encodable(name) else (name,)
        if path is not None:
            _refuse(path, UNENCODABLE)
    raise ScriptError(f"Task data cannot be stored as JSON: {UNENCODABLE}")


UNENCODABLE = "it holds a lone surrogate character (U+D800 to U+DFFF), which UTF-8 cannot write"


def _unencodable_path(value: Any, path: Path) -> Path | None:
    stack: list[tuple[Any, Path]] = [(value, path)]
    while stack:
        item, where = stack.pop()
        if isinstance(item, str) and not _encodable(item):
            return where
        if isinstance(item, dict):
            for key, child in item.items():
                if isinstance(key, str) and not _encodable(key):
                    return where
                stack.append((child, (*where, key)))
        elif isinstance(item, list | tuple):
            stack.extend((child, (*where, index)) for index, child in enumerate(item))
    return None


def _encodable(text: object) -> bool:
    try:
        str(text).encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def refuse_non_data(value: Any) -> NoReturn:
    """``json.dumps`` fallback for task data a script cannot reach: nothing but JSON is stored."""
    raise ScriptError(f"Task data can only hold data, {_not_data(value)}")


def _convert(value: Any, path: Path, containing: set[int]) -> Any:
    if type(value) in _PLAIN_TYPES:
        return value
    if isinstance(value, float):
        if math.isfinite(value):
            return value
        _refuse(path, f"{value!r} is not a JSON number")
    if isinstance(value, date | time):  # a datetime is a date
        return value.isoformat()
    if isinstance(value, timedelta):
        return _iso_duration(value)
    if isinstance(value, Decimal):
        return _decimal_number(value, path)
    if not isinstance(value, dict | list | tuple | set | frozenset):
        _refuse(path, f"task data can only hold data, {_not_data(value)}")
    if id(value) in containing:  # then its parent holds itself: json.dumps would not say where
        _refuse(path[:-1] or path, "it contains itself")
    if len(path) > MAX_DATA_DEPTH:  # the variable's own list or dict is level 1
        _refuse(path[:1], f"it is nested more than {MAX_DATA_DEPTH} levels deep")
    containing.add(id(value))
    try:
        if isinstance(value, dict):
            return _convert_dict(value, path, containing)
        if isinstance(value, set | frozenset):
            return _sorted_members(value, path, containing)
        items = [
            item if type(item) in _PLAIN_TYPES else _convert(item, (*path, index), containing)
            for index, item in enumerate(value)
        ]
    finally:
        containing.discard(id(value))
    if type(value) is list and all(new is old for new, old in zip(items, value, strict=True)):
        return value
    return items


def _convert_dict(value: dict[Any, Any], path: Path, containing: set[int]) -> dict[str, Any]:
    converted: dict[str, Any] = {}
    for key, item in value.items():
        text = _key_text(key, path)
        if text in converted:
            _refuse(path, f"two of its keys would both be stored as {reprlib.repr(text)}")
        converted[text] = item if type(item) in _PLAIN_TYPES else _convert(item, (*path, key), containing)
    unchanged = type(value) is dict and all(
        type(key) is str and converted[key] is item for key, item in value.items()
    )
    return value if unchanged else converted


def _key_text(key: Any, path: Path) -> str:
    """A key as JSON writes it; keys whose text would be ambiguous (True, 1.0, None) are refused."""
    if isinstance(key, str):
        return key
    if isinstance(key, int) and not isinstance(key, bool):
        try:
            return str(key)
        except ValueError:  # more digits than Python will print (sys.get_int_max_str_digits)
            _refuse(path, "it has an integer key too long to be written")
    if isinstance(key, date | time):
        return key.isoformat()
    _refuse(path, f"it has a key of type '{type(key).__name__}'; keys must be strings, integers or dates")


def _sorted_members(value: set[Any] | frozenset[Any], path: Path, containing: set[int]) -> list[Any]:
    """A set as a list: JSON has no sets, and sorting makes the stored order the same on every run."""
    members = [_convert(member, path, containing) for member in value]
    try:
        return sorted(members)
    except TypeError:
        _refuse(path, "it is a set whose members cannot be put in order (make it a list with sorted())")


def _decimal_number(value: Decimal, path: Path) -> float:
    """A Decimal as a JSON number, only when the number written (the float's repr) is its exact value."""
    if not value.is_finite():
        _refuse(path, f"Decimal('{value}') is not a JSON number")
    number = float(value)
    if Decimal(repr(number)) != value:
        _refuse(
            path,
            "the Decimal has more digits than a JSON number keeps "
            "(store str() of it to keep every digit, or round() it)",
        )
    return number


def _iso_duration(value: timedelta) -> str:
    """ISO 8601 duration such as ``P1DT2H30M``; a negative one gets XML Schema's leading '-'."""
    sign = "-" if value < timedelta(0) else ""
    value = abs(value)
    minutes, seconds = divmod(value.seconds, 60)
    hours, minutes = divmod(minutes, 60)
    clock = "".join(f"{amount}{unit}" for amount, unit in ((hours, "H"), (minutes, "M")) if amount)
    if seconds or value.microseconds:
        clock += f"{seconds}.{value.microseconds:06d}".rstrip("0").rstrip(".") + "S"
    days = f"{value.days}D" if value.days else ""
    if not days and not clock:
        return "PT0S"
    return f"{sign}P{days}{'T' + clock if clock else ''}"


def _not_data(value: Any) -> str:
    kind = type(value).__name__
    hint = " (convert it with .decode())" if isinstance(value, bytes | bytearray) else ""
    if not hint and isinstance(value, Iterable):
        hint = " (convert it with list())"
    return f"not a value of type '{kind}'{hint}"


def _refuse(path: Path, reason: str) -> NoReturn:
    name, *keys = path
    where = f" (at {''.join(f'[{reprlib.repr(key)}]' for key in keys)})" if keys else ""
    raise ScriptError(f"Variable '{name}'{where} cannot be stored as JSON: {reason}")
