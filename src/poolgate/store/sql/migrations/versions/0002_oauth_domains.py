"""oauth domains and resource servers (hosted UI)

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "user_pool_domains",
        sa.Column("domain", sa.String(length=63), nullable=False),
        sa.Column("pool_id", sa.String(length=55), nullable=False),
        sa.Column("account", sa.String(length=12), nullable=False),
        sa.Column("config", sa.JSON(), nullable=False),
        sa.Column("created", sa.Float(), nullable=False),
        sa.Column("modified", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(["pool_id"], ["user_pools.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("domain"),
        sa.UniqueConstraint("pool_id"),
    )
    op.create_table(
        "resource_servers",
        sa.Column("pool_id", sa.String(length=55), nullable=False),
        sa.Column("identifier", sa.String(length=256), nullable=False),
        sa.Column("name", sa.String(length=256), nullable=False),
        sa.Column("scopes", sa.JSON(), nullable=False),
        sa.Column("created", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(["pool_id"], ["user_pools.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("pool_id", "identifier"),
    )
    op.create_table(
        "ui_customizations",
        sa.Column("pool_id", sa.String(length=55), nullable=False),
        sa.Column("client_id", sa.String(length=128), nullable=False),
        sa.Column("css", sa.Text(), nullable=True),
        sa.Column("image", sa.LargeBinary(), nullable=True),
        sa.Column("image_type", sa.String(length=32), nullable=True),
        sa.Column("created", sa.Float(), nullable=False),
        sa.Column("modified", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(["pool_id"], ["user_pools.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("pool_id", "client_id"),
    )
    op.create_table(
        "oauth_codes",
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("pool_id", sa.String(length=55), nullable=False),
        sa.Column("client_id", sa.String(length=128), nullable=False),
        sa.Column("username", sa.String(length=128), nullable=False),
        sa.Column("redirect_uri", sa.Text(), nullable=False),
        sa.Column("scopes", sa.JSON(), nullable=False),
        sa.Column("nonce", sa.Text(), nullable=True),
        sa.Column("code_challenge", sa.String(length=128), nullable=True),
        sa.Column("code_challenge_method", sa.String(length=8), nullable=True),
        sa.Column("auth_time", sa.Float(), nullable=False),
        sa.Column("expires", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(["pool_id"], ["user_pools.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("code_hash"),
    )
    op.create_table(
        "oauth_grants",
        sa.Column("origin_jti", sa.String(length=36), nullable=False),
        sa.Column("pool_id", sa.String(length=55), nullable=False),
        sa.Column("scopes", sa.JSON(), nullable=False),
        sa.Column("expires", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(["pool_id"], ["user_pools.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("origin_jti"),
    )
    op.create_table(
        "server_secrets",
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column("created", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )


def downgrade() -> None:
    for table in ("server_secrets", "oauth_grants", "oauth_codes", "ui_customizations", "resource_servers",
                  "user_pool_domains"):
        op.drop_table(table)
