"""The SQLite store is private to its owner: it holds password hashes and SRP verifiers."""

from __future__ import annotations

import asyncio
import os
import stat
from pathlib import Path

from poolgate.store.db import Database


def test_new_sqlite_database_is_readable_by_its_owner_only(tmp_path: Path) -> None:
    path = tmp_path / "data" / "poolgate.db"
    db = Database(f"sqlite+aiosqlite:///{path}")

    async def run() -> None:
        await db.migrate()
        await db.close()

    asyncio.run(run())
    for file in path.parent.iterdir():
        assert stat.S_IMODE(os.stat(file).st_mode) == 0o600, file.name
    assert stat.S_IMODE(os.stat(path.parent).st_mode) & 0o077 == 0


def test_write_commits_one_statement_visible_to_the_async_engine(tmp_path: Path) -> None:
    from sqlalchemy import select

    from poolgate.store.sql.tables import revoked_origins

    db = Database(f"sqlite+aiosqlite:///{tmp_path / 'poolgate.db'}")

    async def run() -> list[str]:
        await db.migrate()
        await db.write(revoked_origins.insert().values(origin_jti="o-1", pool_id="p", revoked=1.0, expires=2.0))
        async with db.read() as conn:
            rows = (await conn.execute(select(revoked_origins.c.origin_jti))).scalars().all()
        await db.close()
        return list(rows)

    assert asyncio.run(run()) == ["o-1"]
