"""Report schedules: send day and run state (next/last run, period, status, error).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22 23:45:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

_COLUMNS = (
    ("day", sa.Integer()),
    ("next_run_at", sa.DateTime()),
    ("last_run_at", sa.DateTime()),
    ("last_period", sa.String(length=16)),
    ("last_status", sa.String(length=16)),
    ("last_error", sa.Text()),
)


def upgrade() -> None:
    # batch mode: SQLite cannot ALTER most things in place; Alembic copies the table there.
    with op.batch_alter_table("report_schedules") as batch:
        for name, type_ in _COLUMNS:
            batch.add_column(sa.Column(name, type_, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("report_schedules") as batch:
        for name, _ in reversed(_COLUMNS):
            batch.drop_column(name)
