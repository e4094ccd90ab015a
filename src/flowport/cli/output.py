"""Rich output the commands share: consoles, tables, timestamps and one-line error messages."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any, Protocol

import typer
from rich.console import Console
from rich.json import JSON
from rich.table import Table
from rich.text import Text

from flowport.errors import FlowportError


class Record(Protocol):
    """A resource as the native API sent it (the SDK's models keep that JSON in ``raw``)."""

    @property
    def raw(self) -> Mapping[str, Any]: ...


# Piped output (scripts, grep, tests) is not cut at 80 columns, so ids stay whole on one line.
_PIPE_WIDTH = 200


def console(*, stderr: bool = False) -> Console:
    """A console on stdout (or stderr), created per call so redirected streams are honoured."""
    probe = Console(stderr=stderr)
    if probe.is_terminal:
        return probe
    return Console(stderr=stderr, width=max(probe.width, _PIPE_WIDTH))


def error(message: str) -> None:
    """One red line on stderr; user text is never read as rich markup."""
    console(stderr=True).print(Text(message, style="bold red"), soft_wrap=True)


def success(message: str) -> None:
    console().print(Text(message, style="green"), soft_wrap=True)


def line(message: str, style: str = "") -> None:
    console().print(Text(message, style=style), soft_wrap=True)


def problem(exc: FlowportError) -> str:
    """The detail of a domain error plus the fields that help to act on it (line, element, ...)."""
    extra = dict(exc.extra)
    hints: list[str] = []
    if "line" in extra:
        hints.append(f"line {extra.pop('line')}")
    if "elementId" in extra:
        hints.append(f"element {extra.pop('elementId')}")
    hints.extend(f"{name} {value}" for name, value in extra.items())
    suffix = f" ({', '.join(hints)})" if hints else ""
    return f"{exc.title}: {exc.detail}{suffix}"


def when(value: datetime | None) -> str:
    """A timestamp in UTC to the second; naive values are taken as UTC."""
    if value is None:
        return ""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%SZ")


def table(*columns: str, title: str | None = None) -> Table:
    grid = Table(title=title, title_justify="left", title_style="bold", header_style="bold")
    for column in columns:
        grid.add_column(column, overflow="fold")
    return grid


def add_row(grid: Table, *values: object) -> None:
    """Add a row of plain text (values such as names may contain brackets that rich would parse)."""
    grid.add_row(*(Text("" if v is None else str(v)) for v in values))


def show(grid: Table, empty: str) -> None:
    """Print ``grid``, or ``empty`` when it has no rows."""
    if grid.row_count == 0:
        line(empty, "dim")
    else:
        console().print(grid)


def details(rows: list[tuple[str, object]], title: str) -> None:
    """A two-column label/value block."""
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold")
    grid.add_column(overflow="fold")
    for label, value in rows:
        grid.add_row(label, Text("" if value is None else str(value)))
    console().print(Text(title, style="bold"))
    console().print(grid)


def json_block(data: Any) -> None:
    console().print(JSON.from_data(data, default=str))


def json_plain(data: Any) -> None:
    """JSON for machines: no colours, no wrapping."""
    typer.echo(json.dumps(data, indent=2, default=str))


def records(items: Iterable[Record]) -> None:
    """``--json`` of a list: the API's JSON objects in one array."""
    json_plain([dict(item.raw) for item in items])


def record(item: Record, **extra: Any) -> None:
    """``--json`` of one resource: the API's JSON object (plus ``extra`` fields)."""
    json_plain({**item.raw, **extra})


def done(message: str, as_json: bool, **fields: Any) -> None:
    """An action that answers nothing (a delete): a green line, or ``fields`` as the JSON document."""
    if as_json:
        json_plain(fields)
    else:
        success(message)


def more(next_cursor: str | None, limit: int) -> None:
    if next_cursor:
        line(
            f"Showing the first {limit}; raise --limit (up to 1000) or narrow the filters to see more.", "dim"
        )
