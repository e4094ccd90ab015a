"""Apply (or inspect) the Alembic migrations that ship inside the package."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from flowport.persistence.db import WRITE, Database

_SCRIPTS = Path(__file__).with_name("migrations")


def _config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(_SCRIPTS))
    return config


def upgrade(db: Database) -> None:
    """Bring the schema to the newest revision (idempotent; safe for several processes on PostgreSQL)."""
    config = _config()
    # A write transaction from the start: on SQLite, BEGIN IMMEDIATE makes a second process starting
    # at the same moment wait for the first one's migration instead of failing with "locked".
    with db.engine.connect().execution_options(**WRITE) as conn, conn.begin():
        if conn.dialect.name == "postgresql":
            # Several servers may start at once: one migrates, the others wait for it.
            conn.exec_driver_sql("SELECT pg_advisory_xact_lock(7077001)")
        config.attributes["connection"] = conn
        command.upgrade(config, "head")


def current_revision(db: Database) -> str | None:
    """The revision the database is at (None before the first migration)."""
    with db.connect() as conn:
        revision: str | None = MigrationContext.configure(conn).get_current_revision()
        return revision


def head_revision() -> str | None:
    """The newest revision the package ships."""
    return ScriptDirectory.from_config(_config()).get_current_head()


def is_current(db: Database) -> bool:
    """Whether the database is at the newest revision."""
    return current_revision(db) == head_revision()


def autogenerate(db: Database, message: str) -> None:
    """Developer helper: write a new revision from the difference between tables.py and ``db``."""
    config = _config()
    with db.engine.begin() as conn:
        config.attributes["connection"] = conn
        command.revision(config, message=message, autogenerate=True)
