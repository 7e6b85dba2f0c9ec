"""IAM users, access keys, user inline policies, managed policies and their attachments (IAM API)

Revision ID: 0017
Revises: 0016
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "iam_users",
        sa.Column("account", sa.String(length=12), nullable=False),
        sa.Column("name_key", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("path", sa.String(length=512), nullable=False),
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("created", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("account", "name_key"),
    )
    op.create_table(
        "iam_user_policies",
        sa.Column("account", sa.String(length=12), nullable=False),
        sa.Column("user_key", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("document", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["account", "user_key"], ["iam_users.account", "iam_users.name_key"]),
        sa.PrimaryKeyConstraint("account", "user_key", "name"),
    )
    op.create_table(
        "iam_access_keys",
        sa.Column("access_key_id", sa.String(length=32), nullable=False),
        sa.Column("secret", sa.String(length=64), nullable=False),
        sa.Column("account", sa.String(length=12), nullable=False),
        sa.Column("user_key", sa.String(length=64), nullable=False),
        sa.Column("slot", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=8), nullable=False),
        sa.Column("created", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(["account", "user_key"], ["iam_users.account", "iam_users.name_key"]),
        sa.PrimaryKeyConstraint("access_key_id"),
        sa.UniqueConstraint("account", "user_key", "slot", name="uq_iam_access_keys_slot"),
    )
    op.create_table(
        "iam_policies",
        sa.Column("account", sa.String(length=12), nullable=False),
        sa.Column("name_key", sa.String(length=128), nullable=False),
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("path", sa.String(length=512), nullable=False),
        sa.Column("policy_id", sa.String(length=32), nullable=False),
        sa.Column("description", sa.String(length=1000), nullable=True),
        sa.Column("document", sa.JSON(), nullable=False),
        sa.Column("default_version", sa.String(length=8), nullable=False),
        sa.Column("versions", sa.JSON(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("created", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("account", "name_key"),
    )
    for owner, table, key in (("role", "iam_roles", "role_key"), ("user", "iam_users", "user_key")):
        op.create_table(
            f"iam_{owner}_attachments",
            sa.Column("account", sa.String(length=12), nullable=False),
            sa.Column(key, sa.String(length=64), nullable=False),
            sa.Column("policy_key", sa.String(length=128), nullable=False),
            sa.ForeignKeyConstraint(["account", key], [f"{table}.account", f"{table}.name_key"]),
            sa.ForeignKeyConstraint(["account", "policy_key"], ["iam_policies.account", "iam_policies.name_key"]),
            sa.PrimaryKeyConstraint("account", key, "policy_key"),
        )


def downgrade() -> None:
    for table in ("iam_user_attachments", "iam_role_attachments", "iam_policies", "iam_access_keys",
                  "iam_user_policies", "iam_users"):
        op.drop_table(table)
