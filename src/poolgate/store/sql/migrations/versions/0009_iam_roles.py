"""IAM roles and their inline policies made through the IAM API

Revision ID: 0009
Revises: 0008
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "iam_roles",
        sa.Column("account", sa.String(length=12), nullable=False),
        sa.Column("name_key", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("path", sa.String(length=512), nullable=False),
        sa.Column("role_id", sa.String(length=32), nullable=False),
        sa.Column("trust", sa.JSON(), nullable=False),
        sa.Column("description", sa.String(length=1000), nullable=True),
        sa.Column("max_session", sa.Integer(), nullable=False),
        sa.Column("created", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("account", "name_key"),
    )
    op.create_table(
        "iam_role_policies",
        sa.Column("account", sa.String(length=12), nullable=False),
        sa.Column("role_key", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("document", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["account", "role_key"], ["iam_roles.account", "iam_roles.name_key"],
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("account", "role_key", "name"),
    )


def downgrade() -> None:
    op.drop_table("iam_role_policies")
    op.drop_table("iam_roles")
