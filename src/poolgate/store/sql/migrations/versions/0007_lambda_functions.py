"""lambda functions made through the lambda API (their code lives under the data directory)

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "lambda_functions",
        sa.Column("account", sa.String(length=12), nullable=False),
        sa.Column("region", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("config", sa.JSON(), nullable=False),
        sa.Column("code_sha256", sa.String(length=64), nullable=False),
        sa.Column("created", sa.Float(), nullable=False),
        sa.Column("modified", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("account", "region", "name"),
    )


def downgrade() -> None:
    op.drop_table("lambda_functions")
