"""A page of results plus the cursor for the next one."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Generic, TypeVar

from flowport.errors import InvalidRequest
from flowport.persistence.paging import encode_cursor

T = TypeVar("T")
U = TypeVar("U")
_ROW_ID_MAX = 2**63 - 1


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    next_cursor: str | None

    def map(self, view: Callable[[T], U]) -> Page[U]:
        """The same page with each item mapped (a row to the view the services hand out)."""
        return Page([view(item) for item in self.items], self.next_cursor)


def make_page(rows: list[T], limit: int, key: Callable[[T], tuple[datetime, str]]) -> Page[T]:
    """Rows were fetched with ``limit + 1``: the extra row only tells that more exist."""
    if len(rows) <= limit:
        return Page(rows, None)
    items = rows[:limit]
    at, row_id = key(items[-1])
    return Page(items, encode_cursor(at, row_id))


def decode_id_cursor(cursor: str | None) -> int | None:
    """A cursor that is a row id: ASCII digits within BIGINT, else a 400 (not a driver overflow, a 500).

    ``str.isdigit`` alone is not enough: it also takes '²', which ``int`` refuses.
    """
    if not cursor:
        return None
    digits = cursor.isascii() and cursor.isdigit() and len(cursor) <= len(str(_ROW_ID_MAX))
    if not digits or int(cursor) > _ROW_ID_MAX:
        raise InvalidRequest("The cursor is not valid; use nextCursor from a previous page")
    return int(cursor)
