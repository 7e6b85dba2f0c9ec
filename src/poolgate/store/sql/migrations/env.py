"""Alembic environment: migrations run on the connection poolgate hands over at start."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from poolgate.store.sql.tables import metadata

config = context.config
connection = config.attributes.get("connection")

if connection is None:
    # Command-line use (``alembic revision --autogenerate``): a URL from the ini file.
    engine = create_engine(config.get_main_option("sqlalchemy.url") or "sqlite://")
    with engine.connect() as conn:
        context.configure(connection=conn, target_metadata=metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()
else:
    context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()
