"""user aliases: the e-mail, phone and alias claims that make them unique in the database

Revision ID: 0005
Revises: 0004

Existing users get the claims their attributes call for (the rules of ``poolgate.cognito.identifiers``, copied
here as they stood, so that this revision never changes with that module). Where earlier versions let two users
hold one value (a read before the insert, raced), the user created first keeps the claim, as sign-in found that
user first; the others keep the attribute but no longer sign in by it.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

_KINDS = ("email", "phone_number", "preferred_username")


def _claims(config: dict[str, Any], attributes: dict[str, Any]) -> list[tuple[str, str]]:
    by_username = config.get("UsernameAttributes") or []
    by_alias = config.get("AliasAttributes") or []
    case_sensitive = bool((config.get("UsernameConfiguration") or {}).get("CaseSensitive", True))
    claims = []
    for kind in _KINDS:
        value = attributes.get(kind)
        if not value:
            continue
        verified = str(attributes.get(f"{kind}_verified", "false")).lower() == "true"
        if kind in by_username or (kind in by_alias and (kind == "preferred_username" or verified)):
            value = str(value)
            claims.append((kind, value if kind == "phone_number" or case_sensitive else value.lower()))
    return claims


def upgrade() -> None:
    aliases = op.create_table(
        "user_aliases",
        sa.Column("pool_id", sa.String(length=55), nullable=False),
        sa.Column("value_key", sa.String(length=2048), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("username", sa.String(length=128), nullable=False),
        sa.ForeignKeyConstraint(["pool_id", "username"], ["users.pool_id", "users.username"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("pool_id", "value_key", "kind"),
    )
    op.create_index("ix_user_aliases_user", "user_aliases", ["pool_id", "username"])

    pools = sa.table("user_pools", sa.column("id", sa.String), sa.column("config", sa.JSON))
    users = sa.table("users", sa.column("pool_id", sa.String), sa.column("username", sa.String),
                     sa.column("attributes", sa.JSON), sa.column("created", sa.Float))
    conn = op.get_bind()
    configs = {row.id: row.config or {} for row in conn.execute(sa.select(pools.c.id, pools.c.config))}
    taken: set[tuple[str, str, str]] = set()
    rows: list[dict[str, str]] = []
    ordered = sa.select(users.c.pool_id, users.c.username, users.c.attributes).order_by(
        users.c.pool_id, users.c.created, users.c.username)
    for user in conn.execute(ordered):
        for kind, key in _claims(configs.get(user.pool_id, {}), user.attributes or {}):
            if (user.pool_id, kind, key) not in taken:
                taken.add((user.pool_id, kind, key))
                rows.append({"pool_id": user.pool_id, "value_key": key, "kind": kind, "username": user.username})
    if rows:
        op.bulk_insert(aliases, rows)


def downgrade() -> None:
    op.drop_index("ix_user_aliases_user", table_name="user_aliases")
    op.drop_table("user_aliases")
