"""index instances by environment, status and end time

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01 15:10:00.000000

The dashboard counts the instances completed per day of the last weeks: a range on ``ended_at``
within one environment and status. Without this index that query reads every completed instance.
"""

from __future__ import annotations

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("instances", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_instances_env_status_ended_at"), ["env", "status", "ended_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("instances", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_instances_env_status_ended_at"))
