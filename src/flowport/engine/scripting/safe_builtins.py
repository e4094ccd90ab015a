"""The builtins scripts see: data types and pure functions, with the ones that can run away guarded."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

from flowport.engine.scripting.errors import ScriptError
from flowport.engine.scripting.guards import guarded_int, guarded_round
from flowport.engine.scripting.policy import IMPORTS_REFUSED

_C_LEVEL_IMPORTS = frozenset({"time", "_strptime"})  # what the datetime module imports on its own


def _internal_import(
    name: str, globals: Any = None, locals: Any = None, fromlist: Any = (), level: int = 0
) -> Any:
    """``__import__`` for C code (``date.today()`` imports ``time``); scripts cannot name it themselves."""
    if level == 0 and not fromlist and name in _C_LEVEL_IMPORTS:
        return __import__(name)
    raise ScriptError(IMPORTS_REFUSED)


SAFE_BUILTINS: dict[str, Any] = {
    "__import__": _internal_import,
    "len": len,
    "min": min,
    "max": max,
    "abs": abs,
    "round": guarded_round,
    "divmod": divmod,
    "sorted": sorted,
    "reversed": reversed,
    "enumerate": enumerate,
    "zip": zip,
    "map": map,
    "filter": filter,
    "any": any,
    "all": all,
    "int": guarded_int,
    "float": float,
    "str": str,
    "bool": bool,
    "list": list,
    "dict": dict,
    "set": set,
    "frozenset": frozenset,
    "tuple": tuple,
    "chr": chr,
    "ord": ord,
    "datetime": datetime,
    "date": date,
    "timedelta": timedelta,
    "timezone": timezone,
    "Decimal": Decimal,
    "Exception": Exception,
    "ValueError": ValueError,
    "TypeError": TypeError,
    "KeyError": KeyError,
}
