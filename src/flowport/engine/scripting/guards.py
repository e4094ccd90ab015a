"""Run-time guards that RestrictedPython's rewritten code calls instead of raw operations.

They refuse what could run away inside C code, where no trace function can interrupt it: huge
integers, huge format widths, and sequences and strings charged against a per-run memory budget
before they are built.
"""

from __future__ import annotations

import operator
import re
import sys
from collections.abc import Callable, Iterable, Mapping, Sized
from decimal import Decimal
from typing import Any

from RestrictedPython.Guards import guarded_iter_unpack_sequence, guarded_unpack_sequence

from flowport.engine.scripting.errors import ScriptError
from flowport.engine.scripting.policy import BLOCKED_ATTRIBUTES

MAX_RANGE_ITEMS = 1_000_000
MAX_INT_BITS = 65_536
MAX_FORMAT_WIDTH = 10_000
DEFAULT_MEMORY_LIMIT_BYTES = 64 * 2**20
_MAX_INT_DIGITS = 19_728  # decimal digits of a MAX_INT_BITS integer
_MAX_MODPOW_BITS = 4_096  # pow(a, b, m) runs in C for bits(b) squarings of bits(m)-sized numbers
_POINTER_BYTES = 8
_SEQUENCES = (str, bytes, list, tuple)
_INPLACE_OPERATORS: dict[str, Callable[[Any, Any], Any]] = {
    "+=": operator.iadd,
    "-=": operator.isub,
    "*=": operator.imul,
    "/=": operator.itruediv,
    "//=": operator.ifloordiv,
    "%=": operator.imod,
    "**=": operator.ipow,
    "<<=": operator.ilshift,
    ">>=": operator.irshift,
    "|=": operator.ior,
    "^=": operator.ixor,
    "&=": operator.iand,
    "@=": operator.imatmul,
}
_PERCENT_SPEC = re.compile(r"%%|%(?:\([^)]*\))?[-#0 +]*(\*|\d+)?(?:\.(\*|\d+))?")


def _footprint(value: object, length: int) -> int:
    """Rough bytes of a str/bytes/list/tuple of ``length`` items: enough to stop runaway allocations."""
    return length if isinstance(value, str | bytes) else length * _POINTER_BYTES


def _describe_bytes(nbytes: int) -> str:
    return f"{nbytes // 2**20} MiB" if nbytes % 2**20 == 0 else f"{nbytes} bytes"


def _check_bits(bits: int) -> None:
    if bits > MAX_INT_BITS:
        raise ScriptError(f"Script exceeded the integer size limit of {MAX_INT_BITS} bits")


def check_decimal(value: object) -> None:
    # int(Decimal('1e999999')) is quadratic C work that no trace function can interrupt.
    if isinstance(value, Decimal) and value.is_finite() and value.adjusted() > _MAX_INT_DIGITS:
        raise ScriptError(f"Script exceeded the integer size limit of {MAX_INT_BITS} bits")


def _check_width(digits: str) -> None:
    if len(digits) > len(str(MAX_FORMAT_WIDTH)) or int(digits) > MAX_FORMAT_WIDTH:
        raise ScriptError(f"Format widths and precisions above {MAX_FORMAT_WIDTH} are not allowed")


def _check_percent_format(template: str | bytes, args: Any) -> None:
    text = template.decode("latin-1") if isinstance(template, bytes) else template
    for match in _PERCENT_SPEC.finditer(text):
        for number in match.groups():
            if number == "*":
                raise ScriptError("'*' widths are not allowed in % formatting")
            if number:
                _check_width(number)
    values = args.values() if isinstance(args, dict) else args if isinstance(args, tuple) else (args,)
    for value in values:
        check_decimal(value)


def _format_value(value: Any, conversion: int, spec: str) -> str:
    """What an f-string field with a format spec does, after checking the widths in the spec."""
    if conversion == ord("r"):
        value = repr(value)
    elif conversion == ord("s"):
        value = str(value)
    elif conversion == ord("a"):
        value = ascii(value)
    for digits in re.findall(r"\d+", spec):
        _check_width(digits)
    return format(value, spec)


def guarded_int(value: Any = 0, *args: Any, **kwargs: Any) -> int:
    check_decimal(value)
    result = int(value, *args, **kwargs)
    _check_bits(result.bit_length())
    return result


def guarded_round(number: Any, ndigits: Any = None) -> Any:
    if ndigits is None:
        check_decimal(number)
        return round(number)
    return round(number, ndigits)


def _int_arg(args: tuple[Any, ...], kwargs: Mapping[str, Any], index: int, name: str, default: int) -> int:
    value = args[index] if len(args) > index else kwargs.get(name, default)
    return value if isinstance(value, int) else default


def _padded_size(text: Any, args: tuple[Any, ...], kwargs: Mapping[str, Any]) -> int:
    return max(len(text), _int_arg(args, kwargs, 0, "width", 0))


def _expanded_size(text: Any, args: tuple[Any, ...], kwargs: Mapping[str, Any]) -> int:
    tabs = text.count(b"\t" if isinstance(text, bytes) else "\t")
    return int(len(text) + tabs * max(_int_arg(args, kwargs, 0, "tabsize", 8), 0))


def _replaced_size(text: Any, args: tuple[Any, ...], kwargs: Mapping[str, Any]) -> int:
    old = args[0] if args else kwargs.get("old")
    new = args[1] if len(args) > 1 else kwargs.get("new")
    if not isinstance(old, type(text)) or not isinstance(new, type(text)):
        return len(text)  # the call itself will raise TypeError
    hits = text.count(old)
    count = _int_arg(args, kwargs, 2, "count", -1)
    if count >= 0:
        hits = min(hits, count)
    return int(len(text) + hits * max(len(new) - len(old), 0))


def _translated_size(text: Any, args: tuple[Any, ...], kwargs: Mapping[str, Any]) -> int:
    table = args[0] if args else kwargs.get("table")
    values = table.values() if isinstance(table, dict) else table if isinstance(table, list | tuple) else ()
    longest = max((len(v) for v in values if isinstance(v, str)), default=1) if isinstance(text, str) else 1
    return len(text) * max(longest, 1)


_TEXT_RESULT_SIZE: dict[str, Callable[[Any, tuple[Any, ...], Mapping[str, Any]], int]] = {
    "center": _padded_size,
    "ljust": _padded_size,
    "rjust": _padded_size,
    "zfill": _padded_size,
    "expandtabs": _expanded_size,
    "replace": _replaced_size,
    "translate": _translated_size,
}


def _getitem(container: Any, key: Any) -> Any:
    return container[key]


def _getiter(iterable: Any) -> Any:
    return iterable


def _apply(function: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    return function(*args, **kwargs)


def _write(target: Any) -> Any:
    """Guard for ``x[k] = v``, ``del x[k]`` and ``x.a = v``: only dict and list contents may change."""
    if isinstance(target, dict | list):
        return target
    kind = type(target).__name__
    raise ScriptError(f"Scripts can only change dict and list items, not values of type '{kind}'")


class RunGuards:
    """Guards for one script run: RestrictedPython's rewritten code calls these instead of raw operations."""

    def __init__(self, memory_limit_bytes: int) -> None:
        self._limit = memory_limit_bytes
        self._left = memory_limit_bytes

    def charge(self, nbytes: int) -> None:
        """Count an allocation against the run's budget, before it is made."""
        self._left -= nbytes
        if self._left < 0:
            raise ScriptError(f"Script exceeded the memory limit of {_describe_bytes(self._limit)}")

    def names(self) -> dict[str, Any]:
        """The guard functions RestrictedPython's rewritten code refers to by name."""
        return {
            "_getattr_": self.guarded_getattr,
            "_getitem_": _getitem,
            "_getiter_": _getiter,
            "_write_": _write,
            "_apply_": _apply,
            "_unpack_sequence_": guarded_unpack_sequence,
            "_iter_unpack_sequence_": guarded_iter_unpack_sequence,
            "_inplacevar_": self.inplace,
            "_add_": self.add,
            "_mul_": self.mul,
            "_pow_": self.guarded_pow,
            "_lshift_": self.lshift,
            "_mod_": self.mod,
            "_format_": _format_value,
        }

    def builtins(self) -> dict[str, Any]:
        """Builtins that need this run's memory budget."""
        return {
            "range": self.guarded_range,
            "sum": self.guarded_sum,
            "pow": self.guarded_pow,
            "isinstance": self.guarded_isinstance,
        }

    # operators

    def check_add(self, a: Any, b: Any) -> None:
        if isinstance(a, _SEQUENCES) and isinstance(b, _SEQUENCES):
            self.charge(_footprint(a, len(a) + len(b)))

    def check_mul(self, a: Any, b: Any) -> None:
        if isinstance(b, _SEQUENCES):
            a, b = b, a
        if isinstance(a, _SEQUENCES) and isinstance(b, int):
            self.charge(_footprint(a, len(a) * max(b, 0)))
        elif isinstance(a, int) and isinstance(b, int):
            _check_bits(a.bit_length() + b.bit_length())

    def check_pow(self, a: Any, b: Any, modulus: Any = None) -> None:
        if not (isinstance(a, int) and isinstance(b, int)):
            return
        if modulus is not None:
            if max(abs(x).bit_length() for x in (a, b, modulus) if isinstance(x, int)) > _MAX_MODPOW_BITS:
                raise ScriptError(f"pow() with a modulus is limited to {_MAX_MODPOW_BITS}-bit numbers")
        elif b > 0 and abs(a) > 1:
            _check_bits(a.bit_length() * b)

    def check_lshift(self, a: Any, b: Any) -> None:
        if isinstance(a, int) and isinstance(b, int) and a != 0 and b > 0:
            _check_bits(a.bit_length() + b)

    def check_mod(self, a: Any, b: Any) -> None:
        if isinstance(a, str | bytes):
            _check_percent_format(a, b)

    def add(self, a: Any, b: Any) -> Any:
        self.check_add(a, b)
        return a + b

    def mul(self, a: Any, b: Any) -> Any:
        self.check_mul(a, b)
        return a * b

    def lshift(self, a: Any, b: Any) -> Any:
        self.check_lshift(a, b)
        return a << b

    def mod(self, a: Any, b: Any) -> Any:
        self.check_mod(a, b)
        return a % b

    def guarded_pow(self, base: Any, exponent: Any, modulus: Any = None) -> Any:
        self.check_pow(base, exponent, modulus)
        return base**exponent if modulus is None else pow(base, exponent, modulus)

    def inplace(self, op: str, a: Any, b: Any) -> Any:
        check = _INPLACE_CHECKS.get(op)
        if check is not None:
            check(self, a, b)
        return _INPLACE_OPERATORS[op](a, b)

    # attribute access and builtins

    def guarded_getattr(self, obj: Any, name: str) -> Any:
        if not isinstance(name, str) or name.startswith("_") or name in BLOCKED_ATTRIBUTES:
            raise ScriptError(f"Attribute '{name}' is not allowed in scripts")
        value = getattr(obj, name)
        # Closures rather than functools.partial: a partial would hand its .func (a guard) to the script.
        if name in _TEXT_RESULT_SIZE or name == "join":
            if isinstance(obj, str | bytes):
                return lambda *args, **kwargs: self.text_method(name, obj, *args, **kwargs)
            if obj is str or obj is bytes:
                return lambda text, *args, **kwargs: self.text_method(name, text, *args, **kwargs)
        if name == "extend":
            if isinstance(obj, list):
                return lambda items: self.extend(obj, items)
            if obj is list:
                return lambda target, items: self.extend(target, items)
        return value

    def text_method(self, name: str, text: Any, /, *args: Any, **kwargs: Any) -> Any:
        """Call a str/bytes method whose result can be far larger than its inputs, after charging it."""
        if not isinstance(text, str | bytes):
            raise TypeError(f"{name}() needs a str or bytes, not {type(text).__name__}")
        if name == "join":
            items = list(args[0]) if args else []
            parts = sum(len(item) for item in items if isinstance(item, str | bytes))
            self.charge(_footprint(text, parts + len(text) * max(len(items) - 1, 0)))
            return text.join(items)
        self.charge(_footprint(text, _TEXT_RESULT_SIZE[name](text, args, kwargs)))
        return getattr(text, name)(*args, **kwargs)

    def extend(self, target: list[Any], items: Iterable[Any], /) -> None:
        if isinstance(items, Sized):
            self.charge(len(items) * _POINTER_BYTES)
        target.extend(items)

    def guarded_range(self, *args: Any) -> range:
        numbers = range(*args)
        try:
            count = len(numbers)
        except OverflowError:
            count = sys.maxsize
        if count > MAX_RANGE_ITEMS:
            raise ScriptError(f"range() is limited to {MAX_RANGE_ITEMS} items")
        self.charge(count * _POINTER_BYTES)
        return numbers

    def guarded_sum(self, items: Iterable[Any], /, start: Any = 0) -> Any:
        if not isinstance(start, _SEQUENCES):
            return sum(items, start)
        total = start
        for item in items:  # concatenating sequences: charge every intermediate result
            total = self.add(total, item)
        return total

    def guarded_isinstance(self, obj: Any, classinfo: Any) -> bool:
        return isinstance(obj, self._real_types(classinfo))

    def _real_types(self, classinfo: Any) -> Any:
        if isinstance(classinfo, tuple):
            return tuple(self._real_types(item) for item in classinfo)
        if classinfo is guarded_int:
            return int
        if classinfo == self.guarded_range:
            return range
        return classinfo


_INPLACE_CHECKS: dict[str, Callable[[RunGuards, Any, Any], None]] = {
    "+=": RunGuards.check_add,
    "*=": RunGuards.check_mul,
    "**=": RunGuards.check_pow,
    "<<=": RunGuards.check_lshift,
    "%=": RunGuards.check_mod,
}
