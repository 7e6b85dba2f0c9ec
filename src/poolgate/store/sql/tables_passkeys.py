"""Passkey (WebAuthn) tables, migration 0016: the credentials users registered and the registration challenges
StartWebAuthnRegistration handed out. Both belong to a user and go with it (ON DELETE CASCADE from ``users``)."""

from __future__ import annotations

from sqlalchemy import JSON, Column, Float, ForeignKeyConstraint, Index, Integer, LargeBinary, String, Table

from .tables import metadata

webauthn_credentials = Table(
    "webauthn_credentials", metadata,
    Column("pool_id", String(55), primary_key=True),
    Column("credential_id", String(1400), primary_key=True),
    # base64url of the raw credential id: one credential belongs to one user of a pool (the primary key)
    Column("username", String(128), nullable=False),
    Column("public_key", LargeBinary, nullable=False),
    Column("sign_count", Integer, nullable=False),
    Column("rp_id", String(127), nullable=False),
    Column("name", String(256), nullable=False),
    Column("attachment", String(32)),
    Column("transports", JSON, nullable=False),
    Column("created", Float, nullable=False),
    ForeignKeyConstraint(["pool_id", "username"], ["users.pool_id", "users.username"], ondelete="CASCADE"),
    Index("ix_webauthn_credentials_user", "pool_id", "username"),
)

webauthn_registrations = Table(
    "webauthn_registrations", metadata,
    Column("challenge", String(64), primary_key=True),
    # base64url of the random challenge StartWebAuthnRegistration issued; deleted by the one Complete that uses it
    Column("pool_id", String(55), nullable=False),
    Column("username", String(128), nullable=False),
    Column("client_id", String(128), nullable=False),
    Column("rp_id", String(127), nullable=False),
    Column("user_verification", String(16), nullable=False),
    Column("expires", Float, nullable=False),
    ForeignKeyConstraint(["pool_id", "username"], ["users.pool_id", "users.username"], ondelete="CASCADE"),
)
