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
