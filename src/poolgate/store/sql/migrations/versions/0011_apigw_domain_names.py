"""apigateway custom domain names and base path mappings (stored and returned; no network effect)

Revision ID: 0011
Revises: 0010
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "apigw_domain_names",
        sa.Column("account", sa.String(length=12), nullable=False),
        sa.Column("region", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=512), nullable=False),
        sa.Column("config", sa.JSON(), nullable=False),
        sa.Column("created", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("account", "region", "name"),
    )
    op.create_table(
        "apigw_base_path_mappings",
        sa.Column("account", sa.String(length=12), nullable=False),
        sa.Column("region", sa.String(length=32), nullable=False),
        sa.Column("domain", sa.String(length=512), nullable=False),
        sa.Column("base_path", sa.String(length=512), nullable=False),
        sa.Column("api_id", sa.String(length=64), nullable=False),
        sa.Column("stage", sa.String(length=128), nullable=True),
        sa.ForeignKeyConstraint(["account", "region", "domain"], ["apigw_domain_names.account",
                                "apigw_domain_names.region", "apigw_domain_names.name"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("account", "region", "domain", "base_path"),
    )


def downgrade() -> None:
    op.drop_table("apigw_base_path_mappings")
    op.drop_table("apigw_domain_names")
