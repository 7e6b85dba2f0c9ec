"""apigateway API keys, usage plans and usage plan keys made through the API

Revision ID: 0010
Revises: 0009
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "apigw_api_keys",
        sa.Column("id", sa.String(length=16), nullable=False),
        sa.Column("account", sa.String(length=12), nullable=False),
        sa.Column("region", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=1024), nullable=False),
        sa.Column("value", sa.String(length=128), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("config", sa.JSON(), nullable=False),
        sa.Column("created", sa.Float(), nullable=False),
        sa.Column("modified", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("account", "region", "value", name="uq_apigw_api_keys_value"),
    )
    op.create_table(
        "apigw_usage_plans",
        sa.Column("id", sa.String(length=16), nullable=False),
        sa.Column("account", sa.String(length=12), nullable=False),
        sa.Column("region", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=1024), nullable=False),
        sa.Column("config", sa.JSON(), nullable=False),
        sa.Column("created", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "apigw_usage_plan_keys",
        sa.Column("plan_id", sa.String(length=16), nullable=False),
        sa.Column("key_id", sa.String(length=16), nullable=False),
        sa.ForeignKeyConstraint(["plan_id"], ["apigw_usage_plans.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["key_id"], ["apigw_api_keys.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("plan_id", "key_id"),
    )


def downgrade() -> None:
    for table in ("apigw_usage_plan_keys", "apigw_usage_plans", "apigw_api_keys"):
        op.drop_table(table)
