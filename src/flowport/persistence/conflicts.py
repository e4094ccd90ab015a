"""What the database refuses, as domain errors: services never handle SQLAlchemy's exceptions.

A constraint violation is a :class:`ConstraintViolated` (409); a value the database cannot store or
compare (PostgreSQL refuses a NUL character in text, an integer beyond its column) is a
:class:`ValueRefused` (400), never a 500.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.exc import DataError, IntegrityError

from flowport.errors import Conflict, InvalidRequest


class ConstraintViolated(Conflict):
    """The database refused a row: a unique key taken (often by a concurrent request) or a parent gone.

    A :class:`Conflict`, so one that no service turns into a better message still answers 409.
    """


class ValueRefused(InvalidRequest):
    """A value of the request that the database cannot hold (e.g. a NUL character on PostgreSQL)."""


@contextmanager
def violations_as_conflict(what: str) -> Iterator[None]:
    """Raise domain errors instead of IntegrityError and DataError for the statements inside."""
    try:
        yield
    except IntegrityError as exc:
        raise ConstraintViolated(f"{what} conflicts with stored data") from exc
    except DataError as exc:
        raise _refused(exc) from exc


@contextmanager
def refused_values() -> Iterator[None]:
    """Raise :class:`ValueRefused` instead of DataError (for reads, where nothing can conflict)."""
    try:
        yield
    except DataError as exc:
        raise _refused(exc) from exc


def _refused(exc: DataError) -> ValueRefused:
    reason = str(exc.orig).strip().splitlines()[0] if exc.orig is not None else "invalid value"
    return ValueRefused(f"A value of the request cannot be stored or looked up: {reason}")
