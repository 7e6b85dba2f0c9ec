"""Confirmation and reset codes against the store with a fake clock: expiry, mismatch, attempt limit.

The server has no fake clock, so a code's 24 h / 1 h lifetime is checked here, on ``repo.check_code`` with an
in-memory SQLite database (the black-box tests cover wrong codes and codes replaced by a resend).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import pytest

from poolgate.clock import FakeClock
from poolgate.cognito import repo
from poolgate.cognito.delivery import RESET_CODE_TTL, SIGNUP_CODE_TTL
from poolgate.errors import ServiceError
from poolgate.store.db import Database
from poolgate.store.sql.tables import user_pools

POOL = "us-east-1_codetests"
EXPIRED = ("ExpiredCodeException", "Invalid code provided, please request a code again.")
MISMATCH = ("CodeMismatchException", "Invalid verification code provided, please try again.")
LIMIT = ("LimitExceededException", "Attempt limit exceeded, please try after some time.")


def _run(scenario: Callable[[Database, FakeClock], Awaitable[None]]) -> None:
    async def main() -> None:
        db = Database("sqlite+aiosqlite:///:memory:")
        try:
            await db.migrate()
            async with db.begin() as conn:
                await conn.execute(user_pools.insert().values(id=POOL, region="us-east-1", account="0" * 12,
                                                              name="codes", config={}, created=0.0, modified=0.0))
            await scenario(db, FakeClock())
        finally:
            await db.close()

    asyncio.run(main())


async def _put(db: Database, clock: FakeClock, code: str, purpose: str = "signup", ttl: float = SIGNUP_CODE_TTL
               ) -> None:
    async with db.begin() as conn:
        await repo.put_code(conn, POOL, "alice", purpose, code, clock.now(), ttl)


async def _check(db: Database, clock: FakeClock, given: str, purpose: str = "signup") -> tuple[str, str] | None:
    async with db.begin() as conn:
        failure: ServiceError | None = await repo.check_code(conn, POOL, "alice", purpose, given, clock.now())
    return None if failure is None else (failure.code, failure.message)


@pytest.mark.parametrize(("purpose", "ttl"), [("signup", SIGNUP_CODE_TTL), ("forgot", RESET_CODE_TTL)])
def test_code_expires_after_its_lifetime(purpose: str, ttl: float) -> None:
    assert (SIGNUP_CODE_TTL, RESET_CODE_TTL) == (24 * 3600, 3600)  # CogDG: 24 h to confirm, 1 h to reset

    async def scenario(db: Database, clock: FakeClock) -> None:
        await _put(db, clock, "123456", purpose, ttl)
        clock.advance(ttl - 1)
        await _put(db, clock, "654321", purpose, ttl)  # a fresh code starts a fresh lifetime
        clock.advance(ttl - 1)
        assert await _check(db, clock, "654321", purpose) is None
        await _put(db, clock, "111111", purpose, ttl)
        clock.advance(ttl)
        assert await _check(db, clock, "111111", purpose) == EXPIRED

    _run(scenario)


def test_code_is_single_use_and_replaced_by_a_new_one() -> None:
    async def scenario(db: Database, clock: FakeClock) -> None:
        await _put(db, clock, "123456")
        await _put(db, clock, "222222")  # resend: the old code no longer matches
        assert await _check(db, clock, "123456") == MISMATCH
        assert await _check(db, clock, "222222") is None
        assert await _check(db, clock, "222222") == EXPIRED  # consumed
        assert await _check(db, clock, "222222", "forgot") == EXPIRED  # never requested

    _run(scenario)


def test_too_many_wrong_codes() -> None:
    async def scenario(db: Database, clock: FakeClock) -> None:
        await _put(db, clock, "123456")
        for _ in range(repo.MAX_CODE_ATTEMPTS):
            assert await _check(db, clock, "000000") == MISMATCH
        assert await _check(db, clock, "123456") == LIMIT
        await _put(db, clock, "333333")  # a new code resets the count
        assert await _check(db, clock, "333333") is None

    _run(scenario)
