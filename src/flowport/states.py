"""The state vocabularies of Flowport: one ``StrEnum`` each, shared by every layer and edge.

This module imports nothing of Flowport, so persistence, the engine, the services and the edges
(API, CLI, product facades) all name states the same way. The values are what the database stores
and the native API shows; a product facade maps them to its own names.
"""

from __future__ import annotations

from enum import StrEnum
from typing import TypeVar


class InstanceStatus(StrEnum):
    """Where a process instance is in its life."""

    RUNNING = "RUNNING"
    SUSPENDED = "SUSPENDED"
    COMPLETED = "COMPLETED"
    CANCELED = "CANCELED"

    @property
    def ended(self) -> bool:
        """True once the instance accepts no more commands."""
        return self in _ENDED


_ENDED = frozenset({InstanceStatus.COMPLETED, InstanceStatus.CANCELED})
# Not ended: an instance that still holds its tokens (and may block deleting its definition).
OPEN_STATUSES = (InstanceStatus.RUNNING, InstanceStatus.SUSPENDED)


class TaskState(StrEnum):
    """Where a user task is: waiting for a person, or closed one way or the other."""

    READY = "READY"
    COMPLETED = "COMPLETED"
    CANCELED = "CANCELED"


class IncidentKind(StrEnum):
    """What failed: a job whose worker gave up, or a script (task or expression) that raised."""

    FAILED_JOB = "failedJob"
    SCRIPT_ERROR = "scriptError"


class Visibility(StrEnum):
    """What collections show a client or user: everything in its environment, or only what it started."""

    # The default first: CLI help lists the choices in this order.
    SHARED = "shared"
    OWN = "own"


E = TypeVar("E", bound=StrEnum)


def parse_state(vocabulary: type[E], value: str) -> E | None:
    """The member of ``vocabulary`` whose value is ``value``; None when there is none."""
    try:
        return vocabulary(value)
    except ValueError:
        return None
