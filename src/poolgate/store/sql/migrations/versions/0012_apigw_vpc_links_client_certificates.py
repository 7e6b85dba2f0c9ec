"""apigateway VPC links and client certificates (stored and returned; no network effect)

Revision ID: 0012
Revises: 0011
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    for table in ("apigw_vpc_links", "apigw_client_certificates"):
        op.create_table(
            table,
            sa.Column("id", sa.String(length=16), nullable=False),
            sa.Column("account", sa.String(length=12), nullable=False),
            sa.Column("region", sa.String(length=32), nullable=False),
            sa.Column("config", sa.JSON(), nullable=False),
            sa.Column("created", sa.Float(), nullable=False),
            sa.PrimaryKeyConstraint("id"),
        )


def downgrade() -> None:
    op.drop_table("apigw_client_certificates")
    op.drop_table("apigw_vpc_links")
