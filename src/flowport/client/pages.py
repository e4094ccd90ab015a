"""Cursor paging (``items`` + ``nextCursor``): lazy iterators over every item, or one page at a time."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from typing import Generic, TypeVar

from flowport.client.models import Page
from flowport.client.operations import Operation

T = TypeVar("T")
PageRequest = Callable[[str | None], Operation[Page[T]]]


class Pages(Generic[T]):
    """Iterate to get every item (the next page is fetched when the previous one is used up)."""

    def __init__(self, run: Callable[[Operation[Page[T]]], Page[T]], request: PageRequest[T]) -> None:
        self._run = run
        self._request = request

    def page(self, cursor: str | None = None) -> Page[T]:
        """One page: the first, or the one ``cursor`` (a previous page's ``next_cursor``) points to."""
        return self._run(self._request(cursor))

    def pages(self) -> Iterator[Page[T]]:
        cursor: str | None = None
        while True:
            page = self.page(cursor)
            yield page
            if not page.next_cursor:
                return
            cursor = page.next_cursor

    def __iter__(self) -> Iterator[T]:
        for page in self.pages():
            yield from page.items


class AsyncPages(Generic[T]):
    """``async for`` gets every item (the next page is fetched when the previous one is used up)."""

    def __init__(
        self, run: Callable[[Operation[Page[T]]], Awaitable[Page[T]]], request: PageRequest[T]
    ) -> None:
        self._run = run
        self._request = request

    async def page(self, cursor: str | None = None) -> Page[T]:
        """One page: the first, or the one ``cursor`` (a previous page's ``next_cursor``) points to."""
        return await self._run(self._request(cursor))

    async def pages(self) -> AsyncIterator[Page[T]]:
        cursor: str | None = None
        while True:
            page = await self.page(cursor)
            yield page
            if not page.next_cursor:
                return
            cursor = page.next_cursor

    async def __aiter__(self) -> AsyncIterator[T]:
        async for page in self.pages():
            for item in page.items:
                yield item

    async def all(self) -> list[T]:
        """Every item in a list (mind the size of what you ask for)."""
        return [item async for item in self]
