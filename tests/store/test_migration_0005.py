"""Migration 0005 (``user_aliases``) on SQLite and PostgreSQL: existing users get the claims their pool's rules call
for, duplicates left by earlier versions' raced reads keep the claim with the user created first, and from then on
the database refuses a second claim of one value."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from sqlalchemy import insert, select, text
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from poolgate.store.db import Database, _alembic_config
from poolgate.store.sql.tables import user_aliases

from ..conftest import _require_postgres
from ..support import temporary_postgres_database

POOLS = {
    "us-east-1_byEmail": {"UsernameAttributes": ["email"]},
    "us-east-1_byEmailCi": {"UsernameAttributes": ["email", "phone_number"],
                            "UsernameConfiguration": {"CaseSensitive": False}},
    "us-east-1_aliases": {"AliasAttributes": ["email", "phone_number", "preferred_username"]},
    "us-east-1_plain": {},
}
USERS = [  # (pool, username, created, attributes)
    ("us-east-1_byEmail", "sub-2", 2.0, {"email": "dup@example.com"}),
    ("us-east-1_byEmail", "sub-1", 1.0, {"email": "dup@example.com"}),  # created first: keeps the claim
    ("us-east-1_byEmail", "sub-3", 3.0, {"email": "Dup@example.com"}),  # case-sensitive pool: another value
    ("us-east-1_byEmailCi", "sub-4", 4.0, {"email": "Ci@Example.com", "phone_number": "+15550100"}),
    ("us-east-1_byEmailCi", "sub-5", 5.0, {"email": "ci@example.com"}),  # the same address, folded
    ("us-east-1_aliases", "ann", 6.0, {"email": "a@example.com", "email_verified": "true",
                                       "phone_number": "+15550101", "phone_number_verified": "false",
                                       "preferred_username": "Annie"}),
    ("us-east-1_aliases", "bob", 7.0, {"email": "a@example.com"}),  # unverified: no alias
    ("us-east-1_plain", "cid", 8.0, {"email": "a@example.com", "email_verified": "true"}),
]
EXPECTED = {
    ("us-east-1_byEmail", "email", "dup@example.com", "sub-1"),
    ("us-east-1_byEmail", "email", "Dup@example.com", "sub-3"),
    ("us-east-1_byEmailCi", "email", "ci@example.com", "sub-4"),
    ("us-east-1_byEmailCi", "phone_number", "+15550100", "sub-4"),
    ("us-east-1_aliases", "email", "a@example.com", "ann"),
    ("us-east-1_aliases", "preferred_username", "Annie", "ann"),
}


def _seed(conn: Connection) -> None:
    command.upgrade(_alembic_config(conn), "0004")
    for pool_id, config in POOLS.items():
        conn.execute(text("INSERT INTO user_pools (id, region, account, name, config, created, modified) "
                          "VALUES (:id, 'us-east-1', '000000000000', :id, :config, 0, 0)"),
                     {"id": pool_id, "config": json.dumps(config)})
    for n, (pool_id, username, created, attributes) in enumerate(USERS):
        conn.execute(text("INSERT INTO users (pool_id, username, username_key, sub, status, enabled, attributes, "
                          "failed_attempts, locked_until, tokens_valid_after, created, modified) VALUES (:pool, :name, "
                          ":name, :sub, 'CONFIRMED', true, :attributes, 0, 0, 0, :created, :created)"),
                     {"pool": pool_id, "name": username, "sub": f"00000000-0000-0000-0000-{n:012d}",
                      "attributes": json.dumps(attributes), "created": created})


def _upgrade_and_claims(url: str) -> tuple[set[tuple[str, str, str, str]], bool]:
    db = Database(url)

    async def run() -> tuple[set[tuple[str, str, str, str]], bool]:
        async with db.engine.begin() as conn:
            await conn.run_sync(_seed)
        await db.migrate()
        async with db.read() as conn:
            rows = (await conn.execute(select(user_aliases.c.pool_id, user_aliases.c.kind,
                                              user_aliases.c.value_key, user_aliases.c.username))).all()
        refused = False
        try:
            async with db.begin() as conn:
                await conn.execute(insert(user_aliases).values(pool_id="us-east-1_byEmail", kind="email",
                                                               value_key="dup@example.com", username="sub-2"))
        except IntegrityError:
            refused = True
        await db.close()
        return {(r[0], r[1], r[2], r[3]) for r in rows}, refused

    return asyncio.run(run())


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'poolgate.db'}"
        return
    _require_postgres()
    with temporary_postgres_database() as url:
        yield url


def test_existing_users_get_their_claims_and_the_first_of_duplicates_keeps_it(database_url: str) -> None:
    claims, refused = _upgrade_and_claims(database_url)
    assert claims == EXPECTED
    assert refused, "a second claim of one value must fail in the database"


def test_the_revision_goes_down_and_up_again(database_url: str) -> None:
    db = Database(database_url)

    def down_and_up(conn: Connection) -> Any:
        command.downgrade(_alembic_config(conn), "0004")
        command.upgrade(_alembic_config(conn), "head")

    async def run() -> None:
        await db.migrate()
        async with db.engine.begin() as conn:
            await conn.run_sync(down_and_up)
        await db.close()

    asyncio.run(run())
