"""Use cases behind the web console's dashboard: what is going on in an environment, and how to call it.

:func:`overview` counts the caller's visible instances, tasks, jobs, timers and incidents, and the
instances started and completed per UTC day; every figure is for the caller's environment and
applies the caller's visibility (an ``own`` caller counts only what its lists show it), so a
figure never reveals what a list would hide. :func:`api_access` describes the token service a
client talks to: the issuer, token lifetimes, the signing key, never a secret.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from flowport.errors import InvalidRequest
from flowport.persistence.db import read_transaction
from flowport.persistence.repositories import clients as client_repo
from flowport.persistence.repositories import environments as env_repo
from flowport.persistence.repositories import keys as key_repo
from flowport.persistence.repositories import statistics as repo
from flowport.services.context import Actor, Services
from flowport.services.environments import EnvironmentView
from flowport.services.keys import KeyView, current_kid
from flowport.states import InstanceStatus

MAX_DAYS = 366
# Timers due within this much from now count as "due soon".
SOON = timedelta(hours=1)


@dataclass(frozen=True)
class InstanceCounts:
    """Instances by status; ``with_incidents`` counts those (of any status) with an unresolved incident."""

    running: int
    suspended: int
    completed: int
    canceled: int
    with_incidents: int


@dataclass(frozen=True)
class TaskCounts:
    """User tasks waiting for a person (state READY), and how many of them nobody is assigned to."""

    waiting: int
    unassigned: int


@dataclass(frozen=True)
class JobCounts:
    """External jobs: ``waiting`` for a worker (no live lock, retries left), ``locked`` by one."""

    waiting: int
    locked: int


@dataclass(frozen=True)
class TimerCounts:
    """Instance timers already due but not fired (``overdue``), and due within the next hour."""

    overdue: int
    due_within_hour: int


@dataclass(frozen=True)
class DayCount:
    """One UTC day: instances started on it, and instances that reached COMPLETED on it."""

    day: date
    started: int
    completed: int


@dataclass(frozen=True)
class Overview:
    """The dashboard's figures for one environment at ``at``."""

    env: str
    at: datetime
    instances: InstanceCounts
    tasks: TaskCounts
    jobs: JobCounts
    timers: TimerCounts
    open_incidents: int
    days: tuple[DayCount, ...]  # oldest first, one per day, the day of ``at`` last


@dataclass(frozen=True)
class SigningKey:
    """The key new access tokens are signed with (public facts only)."""

    kid: str
    alg: str
    created_at: datetime
    age_days: int


@dataclass(frozen=True)
class ApiAccess:
    """How a client reaches the API: what the console shows beside its API explorer."""

    auth_mode: str
    issuer: str  # as the discovery document names it
    token_endpoint: str
    access_token_lifetime: int  # seconds (a client may have its own)
    refresh_token_lifetime: int  # seconds
    signing_key: SigningKey | None
    clients: int  # in the caller's environment
    enabled_clients: int  # of those, the ones that may get tokens
    static_token: bool  # whether a static bearer token is configured (never the token)
    environments: tuple[EnvironmentView, ...]  # by name, for the environment switcher


def overview(services: Services, actor: Actor, *, now: datetime | None = None, days: int = 14) -> Overview:
    """The figures of the caller's environment at ``now`` (default: the services' clock).

    ``days`` UTC days end with the day of ``now``; each appears, with zeros on a quiet day.
    """
    if not 1 <= days <= MAX_DAYS:
        raise InvalidRequest(f"days must be between 1 and {MAX_DAYS}, not {days}")
    at = (now or services.clock()).astimezone(UTC)
    first = at.date() - timedelta(days=days - 1)
    since = datetime.combine(first, time(), UTC)
    until = datetime.combine(at.date() + timedelta(days=1), time(), UTC)
    scope = actor.scope
    with read_transaction(services.db) as conn:
        statuses = repo.instances_by_status(conn, scope)
        incidents = repo.open_incidents(conn, scope)
        waiting_tasks = repo.ready_tasks(conn, scope)
        unassigned = repo.unassigned_ready_tasks(conn, scope)
        jobs = repo.job_tally(conn, scope, at)
        timers = repo.timer_tally(conn, scope, at, at + SOON)
        started = repo.started_per_day(conn, scope, since, until)
        completed = repo.completed_per_day(conn, scope, since, until)
    series = tuple(
        DayCount(day, started.get(day, 0), completed.get(day, 0))
        for day in (first + timedelta(days=i) for i in range(days))
    )
    return Overview(
        env=actor.env,
        at=at,
        instances=InstanceCounts(
            running=statuses.get(InstanceStatus.RUNNING, 0),
            suspended=statuses.get(InstanceStatus.SUSPENDED, 0),
            completed=statuses.get(InstanceStatus.COMPLETED, 0),
            canceled=statuses.get(InstanceStatus.CANCELED, 0),
            with_incidents=incidents.instances,
        ),
        tasks=TaskCounts(waiting_tasks, unassigned),
        jobs=JobCounts(jobs.waiting, jobs.locked),
        timers=TimerCounts(timers.overdue, timers.due_soon),
        open_incidents=incidents.open,
        days=series,
    )


def api_access(services: Services, actor: Actor) -> ApiAccess:
    """The token service as the caller's environment sees it: issuer, lifetimes, key, clients."""
    auth = services.settings.auth
    now = services.clock()
    with read_transaction(services.db) as conn:
        keys = key_repo.all_keys(conn)
        tally = client_repo.tally(conn, actor.env)
        environments = tuple(EnvironmentView.of_row(r) for r in env_repo.all_environments(conn))
    kid = current_kid(keys, now)
    active = next((KeyView.of_row(r, kid, now) for r in keys if r.kid == kid), None)
    return ApiAccess(
        auth_mode=auth.mode,
        issuer=services.auth.issuer,
        token_endpoint=services.auth.token_endpoint,
        access_token_lifetime=auth.token_lifetime,
        refresh_token_lifetime=auth.refresh_token_lifetime,
        signing_key=_signing_key(active, now),
        clients=tally.total,
        enabled_clients=tally.enabled,
        static_token=auth.static_token is not None,
        environments=environments,
    )


def _signing_key(key: KeyView | None, now: datetime) -> SigningKey | None:
    if key is None:
        return None
    return SigningKey(key.kid, key.alg, key.created_at, max(0, (now - key.created_at).days))
