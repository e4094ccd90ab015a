"""A page of results plus the cursor for the next one."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Generic, TypeVar

from flowport.persistence.paging import encode_cursor

T = TypeVar("T")


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    next_cursor: str | None


def make_page(rows: list[T], limit: int, key: Callable[[T], tuple[datetime, str]]) -> Page[T]:
    """Rows were fetched with ``limit + 1``: the extra row only tells that more exist."""
    if len(rows) <= limit:
        return Page(rows, None)
    items = rows[:limit]
    at, row_id = key(items[-1])
    return Page(items, encode_cursor(at, row_id))
