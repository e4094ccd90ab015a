"""index audit events by subject and by event, in id order

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02 10:00:00.000000

The audit log is filtered by who (``subject``: a client id or username) and by kind (``event``),
newest first by ``id``, a page at a time. Without these indexes both filters read the whole table
(SQLite: ``SCAN audit_events``; PostgreSQL: a sequential scan, or the primary key read backwards
until enough rare events turn up). The time range already has ``ix_audit_events_at`` and
``ix_audit_events_env_at``.
"""

from __future__ import annotations

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_events_subject_id"), ["subject", "id"], unique=False)
        batch_op.create_index(batch_op.f("ix_audit_events_event_id"), ["event", "id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_events_event_id"))
        batch_op.drop_index(batch_op.f("ix_audit_events_subject_id"))
