"""Per-server secrets: random keys created once per database (so every worker and node shares them) and kept in
``server_secrets`` under a name of their use."""

from __future__ import annotations

import secrets

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ..clock import Clock
from .db import Database
from .sql.tables import server_secrets


async def server_secret(db: Database, clock: Clock, name: str) -> bytes:
    """The 32-byte secret called ``name``, created on first use."""
    for _ in range(2):
        try:
            async with db.begin() as conn:
                value = (await conn.execute(select(server_secrets.c.value)
                                            .where(server_secrets.c.name == name))).scalar()
                if value is None:
                    value = secrets.token_hex(32)
                    await conn.execute(server_secrets.insert().values(name=name, value=value, created=clock.now()))
            return bytes.fromhex(value)
        except IntegrityError:
            continue  # another server of the same database created it first: read theirs
    raise RuntimeError(f"could not create the server secret {name}")


async def stored_text(db: Database, clock: Clock, name: str, candidate: str) -> str:
    """The text kept under ``name``: ``candidate`` if nothing is kept yet (then kept), else what is kept. Every
    worker and node of one database agrees on it, as for ``server_secret``."""
    for _ in range(2):
        try:
            async with db.begin() as conn:
                value = (await conn.execute(select(server_secrets.c.value)
                                            .where(server_secrets.c.name == name))).scalar()
                if value is None:
                    value = candidate
                    await conn.execute(server_secrets.insert().values(name=name, value=value, created=clock.now()))
            return str(value)
        except IntegrityError:
            continue  # another server of the same database kept one first: read theirs
    raise RuntimeError(f"could not keep {name}")
