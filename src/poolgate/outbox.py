"""``poolgate codes``: the confirmation, invitation, reset and MFA codes a server "sent" (its outbox).

The database is found as ``serve`` finds it (``runtime.locate_database``); ``--user`` is a username or any
name the user signs in with (e-mail, phone number, preferred_username), as in the pool's sign-in.
"""

from __future__ import annotations

import sys
from typing import TextIO

from sqlalchemy import RowMapping, select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection

from .cognito import repo
from .runtime import shown
from .store.db import Database
from .store.sql.tables import outbox


async def outbox_rows(conn: AsyncConnection, pool_id: str, username: str | None = None,
                      newest: int | None = None) -> list[RowMapping]:
    """The pool's outbox (of ``username``, the user's own name, when given), oldest first; only the ``newest``
    rows when given. Also read by the console's user page."""
    query = select(outbox).where(outbox.c.pool_id == pool_id)
    if username is not None:
        query = query.where(outbox.c.username == username)
    if newest is not None:
        query = query.order_by(outbox.c.id.desc()).limit(newest)
        return list(reversed((await conn.execute(query)).mappings().all()))
    return list((await conn.execute(query.order_by(outbox.c.id))).mappings().all())


async def print_codes(database_url: str, pool_id: str, user: str | None, out: TextIO = sys.stdout,
                      err: TextIO = sys.stderr) -> int:
    """Print the pool's codes (of ``user`` when given), oldest first: purpose, username, medium and
    destination, code. 0 when there were some; 1, saying why, when there were none or nothing to read."""
    db = Database(database_url)
    try:
        async with db.read() as conn:
            pool = await repo.find_pool(conn, pool_id)
            if pool is None:
                print(f"poolgate: user pool {pool_id} does not exist in {shown(database_url)}", file=err)
                return 1
            username = None
            if user:
                found = await repo.find_user(conn, pool, user)
                username = found.username if found is not None else user
            rows = await outbox_rows(conn, pool.id, username)
    except DBAPIError as exc:  # a database, but not one a poolgate server has set up
        print(f"poolgate: {shown(database_url)} holds no poolgate state ({type(exc.orig).__name__}): pass the "
              "--data-dir or --database-url that `poolgate serve` prints at start", file=err)
        return 1
    finally:
        await db.close()
    if not rows:
        whose = f" for {user}" if user else ""
        print(f"poolgate: no codes{whose} in the outbox of user pool {pool_id} (codes appear here when the "
              "pool sends one: sign-up, invitation, forgotten password, attribute verification, MFA)", file=err)
        return 1
    for row in rows:
        print(f"{row['purpose']}\t{row['username']}\t{row['medium']} {row['destination']}\t{row['code']}", file=out)
    return 0
