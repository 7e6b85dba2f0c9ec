"""passkeys: WebAuthn credentials and registration challenges

Revision ID: 0016
Revises: 0015
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "webauthn_credentials",
        sa.Column("pool_id", sa.String(length=55), nullable=False),
        sa.Column("credential_id", sa.String(length=1400), nullable=False),
        sa.Column("username", sa.String(length=128), nullable=False),
        sa.Column("public_key", sa.LargeBinary(), nullable=False),
        sa.Column("sign_count", sa.Integer(), nullable=False),
        sa.Column("rp_id", sa.String(length=127), nullable=False),
        sa.Column("name", sa.String(length=256), nullable=False),
        sa.Column("attachment", sa.String(length=32), nullable=True),
        sa.Column("transports", sa.JSON(), nullable=False),
        sa.Column("created", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(["pool_id", "username"], ["users.pool_id", "users.username"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("pool_id", "credential_id"),
    )
    op.create_index("ix_webauthn_credentials_user", "webauthn_credentials", ["pool_id", "username"])
    op.create_table(
        "webauthn_registrations",
        sa.Column("challenge", sa.String(length=64), nullable=False),
        sa.Column("pool_id", sa.String(length=55), nullable=False),
        sa.Column("username", sa.String(length=128), nullable=False),
        sa.Column("client_id", sa.String(length=128), nullable=False),
        sa.Column("rp_id", sa.String(length=127), nullable=False),
        sa.Column("user_verification", sa.String(length=16), nullable=False),
        sa.Column("expires", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(["pool_id", "username"], ["users.pool_id", "users.username"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("challenge"),
    )


def downgrade() -> None:
    op.drop_table("webauthn_registrations")
    op.drop_index("ix_webauthn_credentials_user", table_name="webauthn_credentials")
    op.drop_table("webauthn_credentials")
