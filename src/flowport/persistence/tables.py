"""Database schema (SQLAlchemy Core). Every query a hot path runs is backed by an index here."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)


class UTCDateTime(TypeDecorator[datetime]):
    """Timestamps stored in UTC and always read back timezone-aware (SQLite drops the zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


ID = String(64)
ENV = String(64)

definitions = Table(
    "definitions",
    metadata,
    Column("id", ID, primary_key=True),
    Column("env", ENV, nullable=False),
    Column("key", String(255), nullable=False),
    Column("version", Integer, nullable=False),
    Column("name", String(255)),
    Column("xml_hash", String(64), nullable=False),
    Column("xml", LargeBinary, nullable=False),
    Column("spec", Text, nullable=False),
    Column("elements", JSON, nullable=False),
    Column("start_triggers", JSON, nullable=False),
    Column("deployed_at", UTCDateTime(), nullable=False),
    Column("deployed_by", String(255)),
    UniqueConstraint("env", "key", "version"),
    Index(None, "env", "key", "xml_hash"),
)

instances = Table(
    "instances",
    metadata,
    Column("id", ID, primary_key=True),
    Column("env", ENV, nullable=False),
    Column("definition_id", ID, ForeignKey("definitions.id"), nullable=False),
    Column("definition_key", String(255), nullable=False),
    Column("business_key", String(255)),
    Column("status", String(16), nullable=False),
    Column("version", Integer, nullable=False),
    Column("state", Text, nullable=False),
    Column("variables", JSON, nullable=False),
    Column("active_element_ids", JSON, nullable=False),
    Column("has_incidents", Boolean, nullable=False, default=False),
    Column("started_at", UTCDateTime(), nullable=False),
    Column("ended_at", UTCDateTime()),
    Column("started_by", String(255)),
    Index(None, "env", "started_at", "id"),
    Index(None, "env", "status", "started_at"),
    Index(None, "env", "status", "ended_at"),  # completions per day (the dashboard)
    Index(None, "env", "definition_key", "started_at"),
    Index(None, "env", "business_key"),
    Index(None, "definition_id", "status"),
)

tasks = Table(
    "tasks",
    metadata,
    Column("id", ID, primary_key=True),
    Column("env", ENV, nullable=False),
    Column("instance_id", ID, ForeignKey("instances.id", ondelete="CASCADE"), nullable=False),
    Column("definition_key", String(255), nullable=False),
    Column("element_id", String(255), nullable=False),
    Column("name", String(255)),
    Column("assignee", String(255)),
    Column("candidate_users", JSON, nullable=False),
    Column("candidate_groups", JSON, nullable=False),
    Column("state", String(16), nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("due_at", UTCDateTime()),
    Column("ended_at", UTCDateTime()),
    Column("completed_by", String(255)),
    Index(None, "env", "state", "created_at", "id"),
    Index(None, "instance_id", "state", "created_at", "id"),
    Index(None, "env", "assignee", "state"),
    Index(None, "env", "definition_key", "state"),
)

task_candidates = Table(
    "task_candidates",
    metadata,
    Column("task_id", ID, ForeignKey("tasks.id", ondelete="CASCADE"), primary_key=True),
    Column("kind", String(8), primary_key=True),  # "user" | "group"
    Column("value", String(255), primary_key=True),
    Index(None, "kind", "value"),
)

jobs = Table(
    "jobs",
    metadata,
    Column("id", ID, primary_key=True),
    Column("env", ENV, nullable=False),
    Column("instance_id", ID, ForeignKey("instances.id", ondelete="CASCADE"), nullable=False),
    Column("definition_key", String(255), nullable=False),
    Column("element_id", String(255), nullable=False),
    Column("topic", String(255), nullable=False),
    Column("retries", Integer),
    Column("worker_id", String(255)),
    Column("lock_expires_at", UTCDateTime()),
    Column("due_at", UTCDateTime(), nullable=False),
    Column("error_message", Text),
    Column("created_at", UTCDateTime(), nullable=False),
    Index(None, "env", "topic", "due_at"),
    Index(None, "instance_id"),
)

incidents = Table(
    "incidents",
    metadata,
    Column("id", ID, primary_key=True),
    Column("env", ENV, nullable=False),
    Column("instance_id", ID, ForeignKey("instances.id", ondelete="CASCADE"), nullable=False),
    Column("task_id", ID, nullable=False),
    Column("element_id", String(255), nullable=False),
    Column("kind", String(32), nullable=False),  # "failedJob" | "scriptError"
    Column("message", Text, nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("resolved_at", UTCDateTime()),
    Index(None, "env", "resolved_at", "created_at"),
    Index(None, "instance_id"),
)

timers = Table(
    "timers",
    metadata,
    Column("id", ID, primary_key=True),
    Column("env", ENV, nullable=False),
    Column("instance_id", ID, ForeignKey("instances.id", ondelete="CASCADE"), nullable=False),
    Column("element_id", String(255), nullable=False),
    Column("due_at", UTCDateTime(), nullable=False),
    Column("lease_owner", String(64)),
    Column("lease_expires_at", UTCDateTime()),
    Index(None, "due_at"),
    Index(None, "lease_expires_at"),
    Index(None, "instance_id"),
)

subscriptions = Table(
    "subscriptions",
    metadata,
    Column("id", ID, primary_key=True),
    Column("env", ENV, nullable=False),
    Column("instance_id", ID, ForeignKey("instances.id", ondelete="CASCADE"), nullable=False),
    Column("kind", String(16), nullable=False),  # "message" | "signal"
    Column("name", String(255), nullable=False),
    Column("element_id", String(255), nullable=False),
    Column("business_key", String(255)),
    Column("correlation_key", String(255)),
    Column("created_at", UTCDateTime(), nullable=False),
    Index(None, "env", "kind", "name"),
    Index(None, "instance_id"),
)

start_triggers = Table(
    "start_triggers",
    metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True),
    Column("env", ENV, nullable=False),
    Column("definition_id", ID, ForeignKey("definitions.id", ondelete="CASCADE"), nullable=False),
    Column("definition_key", String(255), nullable=False),
    Column("element_id", String(255), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("name", String(255), nullable=False),
    Index(None, "env", "kind", "name"),
)

start_timers = Table(
    # Scheduled starts of timer start events (BPMN 2.0 section 10.5.2): they belong to a definition,
    # not to an instance; the scheduler leases them like instance timers.
    "start_timers",
    metadata,
    Column("id", ID, primary_key=True),
    Column("env", ENV, nullable=False),
    Column("definition_id", ID, ForeignKey("definitions.id", ondelete="CASCADE"), nullable=False),
    Column("element_id", String(255), nullable=False),
    Column("expression", Text, nullable=False),  # "<timeDate|timeDuration|timeCycle>:<ISO 8601>"
    Column("due_at", UTCDateTime(), nullable=False),
    Column("remaining", Integer),  # starts left, the one at due_at included; NULL: a cycle without end
    Column("lease_owner", String(64)),
    Column("lease_expires_at", UTCDateTime()),
    Index(None, "due_at"),
    Index(None, "lease_expires_at"),
    Index(None, "definition_id"),
)

history = Table(
    "history",
    metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True),
    Column("env", ENV, nullable=False),
    Column("instance_id", ID, nullable=False),
    Column("at", UTCDateTime(), nullable=False),
    Column("element_id", String(255)),
    Column("element_name", String(255)),
    Column("element_type", String(64)),
    Column("event", String(32), nullable=False),
    Column("actor", String(255)),
    Column("details", JSON),
    Index(None, "instance_id", "id"),
)
