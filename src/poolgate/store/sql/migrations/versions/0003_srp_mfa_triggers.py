"""srp verifiers, mfa and auth triggers

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

_COLUMNS = ("srp_salt", "srp_verifier", "mfa", "totp_last_step")


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("srp_salt", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("srp_verifier", sa.Text(), nullable=True))
        batch.add_column(sa.Column("mfa", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("totp_last_step", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("users") as batch:
        for name in reversed(_COLUMNS):
            batch.drop_column(name)
