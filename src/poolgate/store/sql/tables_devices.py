"""Device tracking (migration 0015): the devices a user signed in from, each with its key, the user's device
group key and, once ConfirmDevice registered it, the device's SRP salt and verifier. A device belongs to a user and
goes with it (ON DELETE CASCADE from ``users``); importing this module adds the table to ``ALL_TABLES``, so a reset
and DeleteUserPool empty it too."""

from __future__ import annotations

from sqlalchemy import Column, Float, ForeignKeyConstraint, Index, String, Table, Text

from .tables import ALL_TABLES, metadata

user_devices = Table(
    "user_devices", metadata,
    Column("device_key", String(55), primary_key=True),  # "{region}_{uuid}", unique across pools
    Column("pool_id", String(55), nullable=False),
    Column("username", String(128), nullable=False),
    Column("group_key", String(64), nullable=False),
    Column("name", String(1024)),
    Column("salt", Text),  # hex of the salt bytes ConfirmDevice was given; NULL until confirmed
    Column("verifier", Text),  # hex of the verifier bytes; NULL until confirmed
    Column("status", String(16)),  # remembered | not_remembered; NULL until confirmed
    Column("created", Float, nullable=False),
    Column("modified", Float, nullable=False),
    Column("last_authenticated", Float),
    ForeignKeyConstraint(["pool_id", "username"], ["users.pool_id", "users.username"], ondelete="CASCADE"),
    Index("ix_user_devices_user", "pool_id", "username"),
)

ALL_TABLES[:0] = [user_devices]
