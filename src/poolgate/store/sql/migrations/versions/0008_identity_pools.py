"""identity pools (cognito-identity): pools, identities, their logins and temporary credentials (also STS's)

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "identity_pools",
        sa.Column("id", sa.String(length=55), nullable=False),
        sa.Column("account", sa.String(length=12), nullable=False),
        sa.Column("region", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("config", sa.JSON(), nullable=False),
        sa.Column("roles", sa.JSON(), nullable=False),
        sa.Column("created", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "identity_pool_identities",
        sa.Column("id", sa.String(length=55), nullable=False),
        sa.Column("pool_id", sa.String(length=55), nullable=False),
        sa.Column("logins", sa.JSON(), nullable=False),
        sa.Column("created", sa.Float(), nullable=False),
        sa.Column("modified", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(["pool_id"], ["identity_pools.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_identity_pool_identities_pool_id", "identity_pool_identities", ["pool_id"])
    op.create_table(
        "identity_logins",
        sa.Column("pool_id", sa.String(length=55), nullable=False),
        sa.Column("provider", sa.String(length=256), nullable=False),
        sa.Column("subject", sa.String(length=256), nullable=False),
        sa.Column("identity_id", sa.String(length=55), nullable=False),
        sa.ForeignKeyConstraint(["pool_id"], ["identity_pools.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["identity_id"], ["identity_pool_identities.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("pool_id", "provider", "subject"),
    )
    op.create_index("ix_identity_logins_identity_id", "identity_logins", ["identity_id"])
    op.create_table(
        "identity_credentials",
        sa.Column("access_key_id", sa.String(length=32), nullable=False),
        sa.Column("secret", sa.String(length=64), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("identity_id", sa.String(length=55), nullable=True),
        sa.Column("pool_id", sa.String(length=55), nullable=True),
        sa.Column("role_arn", sa.String(length=2048), nullable=False),
        sa.Column("session_name", sa.String(length=64), nullable=False),
        sa.Column("auth_type", sa.String(length=16), nullable=False),
        sa.Column("provider", sa.String(length=2048), nullable=True),
        sa.Column("expiration", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("access_key_id"),
    )
    op.create_index("ix_identity_credentials_expiration", "identity_credentials", ["expiration"])


def downgrade() -> None:
    op.drop_table("identity_credentials")
    op.drop_table("identity_logins")
    op.drop_table("identity_pool_identities")
    op.drop_table("identity_pools")
