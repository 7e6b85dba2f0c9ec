"""IAM users, their access keys and inline policies, managed policies and their attachments to users and roles,
made through the IAM API (migration 0017; ``iamapi/users.py``, ``iamapi/policies.py``).

Names are unique per account ignoring case, as IAM's are: the primary keys hold them lower-cased (``*_key``).
Attachments and access keys refer to their user, role and policy without cascading, so a delete that races an
attach or a CreateAccessKey fails in the database (DeleteConflict) instead of leaving a dangling row.
"""

from __future__ import annotations

from sqlalchemy import JSON, Column, Float, ForeignKeyConstraint, Integer, String, Table, UniqueConstraint

from .tables import ALL_TABLES, metadata

iam_users = Table(
    "iam_users", metadata,
    Column("account", String(12), primary_key=True),
    Column("name_key", String(64), primary_key=True),
    Column("name", String(64), nullable=False),
    Column("path", String(512), nullable=False),
    Column("user_id", String(32), nullable=False),
    Column("created", Float, nullable=False),
)

iam_user_policies = Table(
    "iam_user_policies", metadata,
    Column("account", String(12), primary_key=True),
    Column("user_key", String(64), primary_key=True),
    Column("name", String(128), primary_key=True),
    Column("document", JSON, nullable=False),
    ForeignKeyConstraint(["account", "user_key"], ["iam_users.account", "iam_users.name_key"]),
)

iam_access_keys = Table(
    "iam_access_keys", metadata,
    Column("access_key_id", String(32), primary_key=True),
    Column("secret", String(64), nullable=False),
    Column("account", String(12), nullable=False),
    Column("user_key", String(64), nullable=False),
    Column("slot", Integer, nullable=False),  # 0 or 1: IAM's two keys per user, held by the database
    Column("status", String(8), nullable=False),  # Active | Inactive
    Column("created", Float, nullable=False),
    ForeignKeyConstraint(["account", "user_key"], ["iam_users.account", "iam_users.name_key"]),
    UniqueConstraint("account", "user_key", "slot", name="uq_iam_access_keys_slot"),
)

iam_policies = Table(
    "iam_policies", metadata,
    Column("account", String(12), primary_key=True),
    Column("name_key", String(128), primary_key=True),
    Column("name", String(128), nullable=False),
    Column("path", String(512), nullable=False),
    Column("policy_id", String(32), nullable=False),
    Column("description", String(1000)),
    Column("document", JSON, nullable=False),  # the default version's document: what is evaluated
    Column("default_version", String(8), nullable=False),
    Column("versions", JSON, nullable=False),  # {"v1": {"document": …, "created": epoch}, …}: at most five
    Column("revision", Integer, nullable=False),  # bumped by every change of the versions (optimistic locking)
    Column("created", Float, nullable=False),
)

iam_role_attachments = Table(
    "iam_role_attachments", metadata,
    Column("account", String(12), primary_key=True),
    Column("role_key", String(64), primary_key=True),
    Column("policy_key", String(128), primary_key=True),
    ForeignKeyConstraint(["account", "role_key"], ["iam_roles.account", "iam_roles.name_key"]),
    ForeignKeyConstraint(["account", "policy_key"], ["iam_policies.account", "iam_policies.name_key"]),
)

iam_user_attachments = Table(
    "iam_user_attachments", metadata,
    Column("account", String(12), primary_key=True),
    Column("user_key", String(64), primary_key=True),
    Column("policy_key", String(128), primary_key=True),
    ForeignKeyConstraint(["account", "user_key"], ["iam_users.account", "iam_users.name_key"]),
    ForeignKeyConstraint(["account", "policy_key"], ["iam_policies.account", "iam_policies.name_key"]),
)

ALL_TABLES[:0] = [iam_role_attachments, iam_user_attachments, iam_access_keys, iam_user_policies, iam_users,
                  iam_policies]
