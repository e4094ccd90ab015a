"""A page read by offset, with the total count when the caller asked for it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

from flowport.errors import InvalidRequest

T = TypeVar("T")
U = TypeVar("U")

MAX_TOP = 1000
MAX_SKIP = 4000  # offsets cost more the further they reach; beyond this, narrow the filters


@dataclass(frozen=True)
class OffsetPage:
    """Which slice to read: skip ``skip`` rows, read ``top``; ``with_total`` also counts all matches."""

    skip: int = 0
    top: int = 100
    with_total: bool = False

    def __post_init__(self) -> None:
        if not 0 <= self.skip <= MAX_SKIP:
            raise InvalidRequest(f"$skip must be between 0 and {MAX_SKIP}, not {self.skip}")
        if not 1 <= self.top <= MAX_TOP:
            raise InvalidRequest(f"$top must be between 1 and {MAX_TOP}, not {self.top}")


@dataclass(frozen=True)
class Counted(Generic[T]):
    """The items of one slice; ``total`` counts every match (None unless it was asked for)."""

    items: list[T]
    total: int | None = None

    def map(self, view: Callable[[T], U]) -> Counted[U]:
        return Counted([view(item) for item in self.items], self.total)
