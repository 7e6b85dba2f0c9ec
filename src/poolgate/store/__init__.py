"""Storage: SQLAlchemy Core tables with Alembic migrations (SQLite default, PostgreSQL for shared state)."""
