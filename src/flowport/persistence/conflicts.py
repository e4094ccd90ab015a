"""Constraint violations as a domain error: services never handle SQLAlchemy's IntegrityError."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.exc import IntegrityError

from flowport.errors import Conflict


class ConstraintViolated(Conflict):
    """The database refused a row: a unique key taken (often by a concurrent request) or a parent gone.

    A :class:`Conflict`, so one that no service turns into a better message still answers 409.
    """


@contextmanager
def violations_as_conflict(what: str) -> Iterator[None]:
    """Raise :class:`ConstraintViolated` instead of IntegrityError for the statements inside."""
    try:
        yield
    except IntegrityError as exc:
        raise ConstraintViolated(f"{what} conflicts with stored data") from exc
