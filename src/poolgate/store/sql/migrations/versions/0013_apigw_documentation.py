"""apigateway documentation parts and documentation versions

Revision ID: 0013
Revises: 0012
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "apigw_documentation_parts",
        sa.Column("api_id", sa.String(length=64), nullable=False),
        sa.Column("id", sa.String(length=16), nullable=False),
        sa.Column("location_key", sa.String(length=1024), nullable=False),
        sa.Column("location", sa.JSON(), nullable=False),
        sa.Column("properties", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["api_id"], ["apigw_rest_apis.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("api_id", "id"),
        sa.UniqueConstraint("api_id", "location_key", name="uq_apigw_documentation_parts_location"),
    )
    op.create_table(
        "apigw_documentation_versions",
        sa.Column("api_id", sa.String(length=64), nullable=False),
        sa.Column("version", sa.String(length=64), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("parts", sa.JSON(), nullable=False),
        sa.Column("created", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(["api_id"], ["apigw_rest_apis.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("api_id", "version"),
    )


def downgrade() -> None:
    op.drop_table("apigw_documentation_versions")
    op.drop_table("apigw_documentation_parts")
