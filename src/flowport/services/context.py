"""What every use case needs: the database, the engine facade, settings, metrics and the caller."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from flowport.auth.runtime import AuthRuntime
from flowport.config import DEFAULT_ENV, Settings
from flowport.engine.runtime import Engine as BpmnEngine
from flowport.persistence.db import Database, WakeUp
from flowport.persistence.scope import Scope
from flowport.services.metrics import Metrics
from flowport.states import Visibility


@dataclass(frozen=True)
class Actor:
    """Who is calling and where: the environment scopes all data; visibility narrows collections."""

    env: str = DEFAULT_ENV
    subject: str | None = None
    groups: tuple[str, ...] = ()
    # As a token claims it: a Visibility value (anything else is read as shared).
    visibility: str = Visibility.SHARED

    @property
    def sees_only_own(self) -> bool:
        return self.visibility == Visibility.OWN and self.subject is not None

    @property
    def scope(self) -> Scope:
        """The rows this caller may address (see :mod:`flowport.persistence.scope`)."""
        return Scope(self.env, self.subject if self.sees_only_own else None, self.groups)


SYSTEM = Actor(subject="system")


def utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass
class Services:
    """Long-lived collaborators, built once per app or CLI command by :func:`build_services`."""

    settings: Settings
    db: Database
    engine: BpmnEngine
    auth: AuthRuntime  # built in every mode: in ``open`` mode nobody asks it for a token
    metrics: Metrics = field(default_factory=Metrics)
    clock: Callable[[], datetime] = utcnow

    @property
    def timers_changed(self) -> WakeUp:
        """Set after commits that create timers, so the scheduler re-plans its sleep at once."""
        return self.db.changes.timers

    def close(self) -> None:
        """Flush the token service's queued writes, stop the script sandbox, close the database."""
        try:
            self.auth.close()
            self.engine.close()
        finally:
            self.db.dispose()
