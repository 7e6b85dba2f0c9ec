"""The pool/client cache of the sign-in path: one read per expiry however many sign-ins miss at once."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from poolgate.clock import FakeClock
from poolgate.cognito import cache as cache_module
from poolgate.cognito.cache import RecordCache


class _Db:
    def read(self) -> Any:
        db = self

        class _Conn:
            async def __aenter__(self) -> object:
                await asyncio.sleep(0.01)  # a database round trip: other requests arrive meanwhile
                return db

            async def __aexit__(self, *exc: object) -> None:
                return None

        return _Conn()


class _Client:
    def __init__(self, client_id: str, version: int) -> None:
        self.client_id = client_id
        self.pool_id = "us-east-1_X"
        self.version = version


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    seen: list[str] = []

    async def get_client(conn: object, client_id: str) -> _Client:
        seen.append(client_id)
        if client_id == "missing":
            raise LookupError(client_id)
        return _Client(client_id, len(seen))

    monkeypatch.setattr(cache_module.repo, "get_client", get_client)
    return seen


def test_concurrent_misses_share_one_read(reads: list[str]) -> None:
    clock = FakeClock(1000.0)
    records = RecordCache(_Db(), clock, ttl=2.0)  # type: ignore[arg-type]

    async def run() -> None:
        first = await asyncio.gather(*(records.client("c1") for _ in range(16)))
        assert len(reads) == 1 and all(c is first[0] for c in first)
        clock.advance(3)  # expired: the next burst reads once more
        second = await asyncio.gather(*(records.client("c1") for _ in range(16)))
        assert len(reads) == 2 and all(c is second[0] for c in second) and second[0] is not first[0]

    asyncio.run(run())


def test_a_failed_read_reaches_every_waiter_and_is_not_kept(reads: list[str]) -> None:
    records = RecordCache(_Db(), FakeClock(1000.0))  # type: ignore[arg-type]

    async def run() -> None:
        results = await asyncio.gather(*(records.client("missing") for _ in range(4)), return_exceptions=True)
        assert all(isinstance(r, LookupError) for r in results) and len(reads) == 1
        with pytest.raises(LookupError):
            await records.client("missing")
        assert len(reads) == 2

    asyncio.run(run())


def test_an_invalidation_during_a_read_keeps_the_old_record_out(reads: list[str]) -> None:
    records = RecordCache(_Db(), FakeClock(1000.0))  # type: ignore[arg-type]

    async def run() -> None:
        stale = asyncio.ensure_future(records.client("c1"))
        await asyncio.sleep(0)  # the read has started
        records.forget_client("c1")  # e.g. UpdateUserPoolClient in this process
        assert (await stale).version == 1
        fresh = await records.client("c1")  # not the record read before the change
        assert fresh.version == 2 and len(reads) == 2

    asyncio.run(run())


def test_a_caller_that_goes_away_does_not_cancel_the_shared_read(reads: list[str]) -> None:
    records = RecordCache(_Db(), FakeClock(1000.0))  # type: ignore[arg-type]

    async def run() -> None:
        leaving = asyncio.ensure_future(records.client("c1"))
        staying = asyncio.ensure_future(records.client("c1"))
        await asyncio.sleep(0)
        leaving.cancel()
        assert (await staying).client_id == "c1" and len(reads) == 1

    asyncio.run(run())
