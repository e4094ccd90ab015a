"""Alembic environment: runs on the connection Flowport hands over (see persistence/migrate.py)."""

from __future__ import annotations

from alembic import context

import flowport.persistence.auth_tables  # noqa: F401  (registers the token service tables)
from flowport.persistence.tables import metadata

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("Run Flowport migrations through flowport.persistence.migrate")

context.configure(
    connection=connection,
    target_metadata=metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
