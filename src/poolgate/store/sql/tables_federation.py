"""User-pool identity providers and the federated identities linked to users (migration 0014).

Kept out of ``tables.py`` (one module per area); importing this module adds its tables to ``ALL_TABLES``, so a
reset and DeleteUserPool empty them too.
"""

from __future__ import annotations

from sqlalchemy import JSON, Column, Float, ForeignKey, ForeignKeyConstraint, Index, String, Table

from .tables import ALL_TABLES, metadata

identity_providers = Table(
    "identity_providers", metadata,
    Column("pool_id", String(55), ForeignKey("user_pools.id", ondelete="CASCADE"), primary_key=True),
    Column("name", String(32), primary_key=True),
    Column("type", String(32), nullable=False),
    Column("details", JSON, nullable=False),
    Column("attribute_mapping", JSON, nullable=False),
    Column("identifiers", JSON, nullable=False),  # IdpIdentifiers in the order given (unique: the table below)
    Column("created", Float, nullable=False),
    Column("modified", Float, nullable=False),
)

identity_provider_identifiers = Table(
    "identity_provider_identifiers", metadata,
    Column("pool_id", String(55), primary_key=True),
    Column("identifier", String(40), primary_key=True),
    Column("provider_name", String(32), nullable=False),
    ForeignKeyConstraint(["pool_id", "provider_name"], ["identity_providers.pool_id", "identity_providers.name"],
                         ondelete="CASCADE"),
)
"""An IdpIdentifier names one provider of a pool: the primary key makes a second claim fail in the database."""

user_identities = Table(
    "user_identities", metadata,
    Column("pool_id", String(55), primary_key=True),
    Column("provider_name", String(32), primary_key=True),
    Column("provider_user_id", String(256), primary_key=True),
    Column("username", String(128), nullable=False),
    Column("created", Float, nullable=False),
    ForeignKeyConstraint(["pool_id", "username"], ["users.pool_id", "users.username"], ondelete="CASCADE"),
    Index("ix_user_identities_user", "pool_id", "username"),
)
"""Which user a provider's subject signs in as: its own ``{ProviderName}_{sub}`` user, or the native user
AdminLinkProviderForUser linked it to. One row per (provider, subject), so two sign-ins racing make one user."""

ALL_TABLES[:0] = [user_identities, identity_provider_identifiers, identity_providers]
