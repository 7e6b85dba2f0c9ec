"""user-pool identity providers, their IdpIdentifiers and federated identities of users

Revision ID: 0014
Revises: 0013
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "identity_providers",
        sa.Column("pool_id", sa.String(length=55), nullable=False),
        sa.Column("name", sa.String(length=32), nullable=False),
        sa.Column("type", sa.String(length=32), nullable=False),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.Column("attribute_mapping", sa.JSON(), nullable=False),
        sa.Column("identifiers", sa.JSON(), nullable=False),
        sa.Column("created", sa.Float(), nullable=False),
        sa.Column("modified", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(["pool_id"], ["user_pools.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("pool_id", "name"),
    )
    op.create_table(
        "identity_provider_identifiers",
        sa.Column("pool_id", sa.String(length=55), nullable=False),
        sa.Column("identifier", sa.String(length=40), nullable=False),
        sa.Column("provider_name", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(["pool_id", "provider_name"], ["identity_providers.pool_id", "identity_providers.name"],
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("pool_id", "identifier"),
    )
    op.create_table(
        "user_identities",
        sa.Column("pool_id", sa.String(length=55), nullable=False),
        sa.Column("provider_name", sa.String(length=32), nullable=False),
        sa.Column("provider_user_id", sa.String(length=256), nullable=False),
        sa.Column("username", sa.String(length=128), nullable=False),
        sa.Column("created", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(["pool_id", "username"], ["users.pool_id", "users.username"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("pool_id", "provider_name", "provider_user_id"),
    )
    op.create_index("ix_user_identities_user", "user_identities", ["pool_id", "username"])


def downgrade() -> None:
    op.drop_index("ix_user_identities_user", table_name="user_identities")
    op.drop_table("user_identities")
    op.drop_table("identity_provider_identifiers")
    op.drop_table("identity_providers")
