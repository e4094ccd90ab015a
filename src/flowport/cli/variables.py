"""Process variables from the command line: ``--var name=value`` pairs and ``--vars-json '{...}'``."""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer

VarsOption = Annotated[
    list[str] | None,
    typer.Option("--var", metavar="NAME=VALUE", help="A variable; VALUE is JSON when it parses, else text."),
]
VarsJsonOption = Annotated[
    str | None, typer.Option("--vars-json", metavar="JSON", help="Variables as one JSON object.")
]


def parse(pairs: list[str] | None, vars_json: str | None) -> dict[str, Any]:
    """Merge ``--vars-json`` with ``--var`` pairs (pairs win); values are JSON when they parse, else text."""
    variables: dict[str, Any] = {}
    if vars_json:
        try:
            loaded = json.loads(vars_json, parse_constant=_reject)
        except ValueError as exc:
            raise typer.BadParameter(f"not valid JSON: {exc}", param_hint="--vars-json") from None
        if not isinstance(loaded, dict):
            raise typer.BadParameter("must be a JSON object such as '{\"a\": 1}'", param_hint="--vars-json")
        variables.update(loaded)
    for pair in pairs or []:
        name, sep, raw = pair.partition("=")
        if not sep or not name.strip():
            raise typer.BadParameter(f"'{pair}' is not NAME=VALUE", param_hint="--var")
        variables[name.strip()] = value(raw)
    return variables


def value(raw: str) -> Any:
    """``42`` is a number, ``true`` a boolean, ``{"a": 1}`` an object; anything else stays a string."""
    try:
        return json.loads(raw, parse_constant=_reject)
    except ValueError:
        return raw


def _reject(constant: str) -> Any:
    raise ValueError(f"{constant} is not valid JSON")
