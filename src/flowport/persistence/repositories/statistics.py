"""Counts for the dashboard: instances, tasks, jobs, timers and incidents, counted in SQL.

Each count is one ``COUNT``/``GROUP BY`` query on an index (no rows are loaded to be counted),
filtered by the caller's :class:`Scope`, so a count never includes what the caller's lists hide.
Days are UTC calendar days, computed by the database (SQLite stores naive UTC timestamps;
PostgreSQL converts its ``timestamptz`` to UTC whatever the session's time zone).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import ColumnElement, Connection, and_, case, func, literal_column, or_, select

from flowport.persistence.scope import Scope, instance_visible, of_visible_instance, task_visible
from flowport.persistence.tables import incidents, instances, jobs, tasks, timers
from flowport.states import InstanceStatus, TaskState


@dataclass(frozen=True)
class IncidentTally:
    """Unresolved incidents, and the instances they are on."""

    open: int
    instances: int


@dataclass(frozen=True)
class JobTally:
    """Jobs no worker holds that have retries left, and jobs whose lock has not expired."""

    waiting: int
    locked: int


@dataclass(frozen=True)
class TimerTally:
    """Timers already due (not fired yet), and timers due from now until ``soon``."""

    overdue: int
    due_soon: int


def instances_by_status(conn: Connection, scope: Scope) -> dict[InstanceStatus, int]:
    """How many visible instances are in each status (statuses without any are left out)."""
    query = (
        select(instances.c.status, func.count()).where(instance_visible(scope)).group_by(instances.c.status)
    )
    return {InstanceStatus(status): int(n) for status, n in conn.execute(query)}


def open_incidents(conn: Connection, scope: Scope) -> IncidentTally:
    """Unresolved incidents of visible instances (``ix_incidents_env_resolved_at_created_at``)."""
    query = select(func.count(), func.count(incidents.c.instance_id.distinct())).where(
        of_visible_instance(scope, incidents.c.env, incidents.c.instance_id),
        incidents.c.resolved_at.is_(None),
    )
    total, on_instances = conn.execute(query).one()
    return IncidentTally(int(total), int(on_instances))


def ready_tasks(conn: Connection, scope: Scope) -> int:
    """Visible user tasks waiting for a person (``ix_tasks_env_state_created_at_id``)."""
    ready = tasks.c.state == TaskState.READY
    query = select(func.count()).select_from(tasks).where(task_visible(scope), ready)
    return int(conn.execute(query).scalar_one())


def unassigned_ready_tasks(conn: Connection, scope: Scope) -> int:
    """Visible ready tasks nobody is assigned to (``ix_tasks_env_assignee_state``)."""
    query = (
        select(func.count())
        .select_from(tasks)
        .where(task_visible(scope), tasks.c.assignee.is_(None), tasks.c.state == TaskState.READY)
    )
    return int(conn.execute(query).scalar_one())


def job_tally(conn: Connection, scope: Scope, now: datetime) -> JobTally:
    """Jobs of visible instances: waiting for a worker, and locked by one (lock not expired at ``now``).

    A job whose retries ran out is neither: it waits for its incident to be resolved. The jobs
    table holds live jobs only (a completed job's row is deleted), read through its ``env`` index.
    """
    locked = and_(jobs.c.lock_expires_at.is_not(None), jobs.c.lock_expires_at >= now)
    retries_left = or_(jobs.c.retries.is_(None), jobs.c.retries > 0)
    query = select(
        func.coalesce(func.sum(case((and_(~locked, retries_left), 1), else_=0)), 0),
        func.coalesce(func.sum(case((locked, 1), else_=0)), 0),
    ).where(of_visible_instance(scope, jobs.c.env, jobs.c.instance_id))
    waiting, held = conn.execute(query).one()
    return JobTally(int(waiting), int(held))


def timer_tally(conn: Connection, scope: Scope, now: datetime, soon: datetime) -> TimerTally:
    """Timers of visible instances due before ``now`` (overdue) and from ``now`` until ``soon``.

    The range on ``ix_timers_due_at`` reads only timers due before ``soon``, whatever the environment.
    """
    query = select(
        func.coalesce(func.sum(case((timers.c.due_at < now, 1), else_=0)), 0),
        func.coalesce(func.sum(case((timers.c.due_at >= now, 1), else_=0)), 0),
    ).where(timers.c.due_at < soon, of_visible_instance(scope, timers.c.env, timers.c.instance_id))
    overdue, due_soon = conn.execute(query).one()
    return TimerTally(int(overdue), int(due_soon))


def started_per_day(conn: Connection, scope: Scope, since: datetime, until: datetime) -> dict[date, int]:
    """Visible instances started in ``[since, until)``, by UTC day (``ix_instances_env_started_at_id``)."""
    day = _utc_day(conn, instances.c.started_at)
    query = (
        select(day, func.count())
        .where(instance_visible(scope), instances.c.started_at >= since, instances.c.started_at < until)
        .group_by(day)
    )
    return {date.fromisoformat(d): int(n) for d, n in conn.execute(query)}


def completed_per_day(conn: Connection, scope: Scope, since: datetime, until: datetime) -> dict[date, int]:
    """Visible instances that completed in ``[since, until)``, by UTC day of their end.

    Canceled instances are not counted. Served by ``ix_instances_env_status_ended_at``.
    """
    day = _utc_day(conn, instances.c.ended_at)
    query = (
        select(day, func.count())
        .where(
            instance_visible(scope),
            instances.c.status == InstanceStatus.COMPLETED,
            instances.c.ended_at >= since,
            instances.c.ended_at < until,
        )
        .group_by(day)
    )
    return {date.fromisoformat(d): int(n) for d, n in conn.execute(query)}


def _utc_day(conn: Connection, column: ColumnElement[datetime]) -> ColumnElement[str]:
    """``YYYY-MM-DD`` of a timestamp's UTC day.

    Literals, not bound parameters: PostgreSQL accepts the expression in GROUP BY only when it is
    the very one selected, and two renderings of one bound value are two different parameters.
    """
    if conn.dialect.name == "postgresql":
        utc = func.timezone(literal_column("'UTC'"), column)
        return func.to_char(utc, literal_column("'YYYY-MM-DD'"))
    return func.date(column)  # SQLite keeps UTC timestamps as ISO text without a zone
