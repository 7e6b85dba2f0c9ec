"""device tracking: the devices users sign in from (store/sql/tables_devices.py)

Revision ID: 0015
Revises: 0014
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "user_devices",
        sa.Column("device_key", sa.String(length=55), nullable=False),
        sa.Column("pool_id", sa.String(length=55), nullable=False),
        sa.Column("username", sa.String(length=128), nullable=False),
        sa.Column("group_key", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=1024), nullable=True),
        sa.Column("salt", sa.Text(), nullable=True),
        sa.Column("verifier", sa.Text(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=True),
        sa.Column("created", sa.Float(), nullable=False),
        sa.Column("modified", sa.Float(), nullable=False),
        sa.Column("last_authenticated", sa.Float(), nullable=True),
        sa.ForeignKeyConstraint(["pool_id", "username"], ["users.pool_id", "users.username"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("device_key"),
    )
    op.create_index("ix_user_devices_user", "user_devices", ["pool_id", "username"])


def downgrade() -> None:
    op.drop_index("ix_user_devices_user", table_name="user_devices")
    op.drop_table("user_devices")
