"""The database handle: an async SQLAlchemy engine, migrations at start, one transaction per write."""

from __future__ import annotations

import asyncio
import fcntl
import os
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine, event, make_url, text
from sqlalchemy.engine import Connection, Engine, RowMapping
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine
from sqlalchemy.sql.base import Executable

from .sql.tables import ALL_TABLES

_SQL_DIR = Path(__file__).parent / "sql"


def _alembic_config(connection: Connection) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(_SQL_DIR / "migrations"))
    cfg.attributes["connection"] = connection
    return cfg


def _upgrade(connection: Connection) -> None:
    command.upgrade(_alembic_config(connection), "head")


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


def _create_private(url: str) -> None:
    """Create a SQLite file readable by its owner only: it holds password hashes and SRP verifiers."""
    path = make_url(url).database
    if not path or path == ":memory:" or os.path.exists(path):
        return
    os.makedirs(os.path.dirname(os.path.abspath(path)), mode=0o700, exist_ok=True)
    os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))


_STARTUP_LOCK_KEY = 0x706F6F6C67617465  # "poolgate"


class Database:
    """Owns the engine. ``begin()`` is one transaction: committed on success, rolled back on error."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.is_sqlite = url.startswith("sqlite")
        kwargs: dict[str, Any] = {}
        if self.is_sqlite:
            kwargs["connect_args"] = {"timeout": 10}
            _create_private(url)
        else:
            kwargs.update(pool_size=10, max_overflow=10, pool_pre_ping=True)
        self.engine: AsyncEngine = create_async_engine(url, **kwargs)
        self._sync: Engine | None = None
        if self.is_sqlite:
            event.listen(self.engine.sync_engine, "connect", _sqlite_pragmas)

    @asynccontextmanager
    async def startup_lock(self) -> AsyncIterator[None]:
        """Held while a process migrates and applies its config, so that workers and nodes starting together
        on one database take turns: a PostgreSQL advisory lock, or a file lock beside the SQLite file."""
        if not self.is_sqlite:
            async with self.engine.connect() as conn:
                await conn.execute(text("SELECT pg_advisory_lock(:key)"), {"key": _STARTUP_LOCK_KEY})
                try:
                    yield
                finally:
                    await conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": _STARTUP_LOCK_KEY})
            return
        path = make_url(self.url).database
        if not path or path == ":memory:":
            yield
            return
        fd = os.open(f"{path}.startup-lock", os.O_CREAT | os.O_RDWR, 0o600)
        try:
            await asyncio.to_thread(fcntl.flock, fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)  # closing the descriptor releases the lock

    async def write(self, statement: Executable, params: Mapping[str, Any] | None = None) -> None:
        """Run one statement in a transaction of its own, for writes on hot paths (a sign-in's refresh token).

        On SQLite it runs on a synchronous connection in a single thread hop: aiosqlite hops threads for every
        cursor call, which cost ~1.5 ms of CPU per sign-in (bench/RESULTS.md). PostgreSQL's driver has no hops.
        """
        if not self.is_sqlite:
            async with self.engine.begin() as conn:
                await conn.execute(statement, params)
            return
        await asyncio.to_thread(self._write_now, statement, params)

    async def rows(self, statement: Executable, params: Mapping[str, Any] | None = None) -> Sequence[RowMapping]:
        """The rows of one query, for reads on hot paths; on SQLite in a single thread hop, as ``write``.

        Hot paths pass a statement built once with ``bindparam``s and its values in ``params``: building the
        statement per call cost more than running it (bench/RESULTS.md, sign-in)."""
        if not self.is_sqlite:
            async with self.engine.connect() as conn:
                return (await conn.execute(statement, params)).mappings().all()
        return await asyncio.to_thread(self._rows_now, statement, params)

    def _sync_engine(self) -> Engine:
        if self._sync is None:
            self._sync = create_engine(self.url.replace("+aiosqlite", "", 1), connect_args={"timeout": 10})
            event.listen(self._sync, "connect", _sqlite_pragmas)
        return self._sync

    def _write_now(self, statement: Executable, params: Mapping[str, Any] | None) -> None:
        with self._sync_engine().begin() as conn:
            conn.execute(statement, params)

    def _rows_now(self, statement: Executable, params: Mapping[str, Any] | None) -> Sequence[RowMapping]:
        with self._sync_engine().connect() as conn:
            return conn.execute(statement, params).mappings().all()

    async def migrate(self) -> None:
        async with self.engine.begin() as conn:
            await conn.run_sync(_upgrade)

    @asynccontextmanager
    async def begin(self) -> AsyncIterator[AsyncConnection]:
        async with self.engine.begin() as conn:
            yield conn

    @asynccontextmanager
    async def read(self) -> AsyncIterator[AsyncConnection]:
        async with self.engine.connect() as conn:
            yield conn

    async def reset(self) -> None:
        """Wipe every row of every table in one transaction (``POST /_poolgate/reset``)."""
        async with self.engine.begin() as conn:
            for table in ALL_TABLES:
                await conn.execute(table.delete())

    async def close(self) -> None:
        await self.engine.dispose()
        if self._sync is not None:
            self._sync.dispose()
