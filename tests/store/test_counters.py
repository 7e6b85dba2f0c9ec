"""Counters: the same tests on the in-process backend and on Redis (127.0.0.1:6379; never skipped with CI=true)."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

from poolgate.store.counters import (
    Bucket,
    Counters,
    MemoryCounters,
    Quota,
    QuotaPeriod,
    make_counters,
    period_bounds,
)

from ..support import IN_CI, REDIS_URL, redis_available

Scenario = Callable[[Counters], Awaitable[None]]


def ts(text: str) -> float:
    return datetime.fromisoformat(text).replace(tzinfo=UTC).timestamp()


class Backend:
    """Runs a scenario in a fresh event loop against a fresh counters object (Redis: a unique key prefix)."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.prefix = f"pgtest:{uuid.uuid4().hex}:"

    def make(self) -> Counters:
        return make_counters(REDIS_URL if self.name == "redis" else None, prefix=self.prefix)

    def run(self, scenario: Scenario) -> None:
        async def main() -> None:
            counters = self.make()
            try:
                await scenario(counters)
            finally:
                if self.name == "redis":
                    import redis.asyncio as aioredis

                    client = aioredis.Redis.from_url(REDIS_URL)
                    keys = [k async for k in client.scan_iter(match=f"{self.prefix}*")]
                    if keys:
                        await client.delete(*keys)
                    await client.aclose()
                await counters.close()

        asyncio.run(main())


def _require_redis() -> None:
    if not redis_available():
        if IN_CI:
            pytest.fail("Redis is not reachable on 127.0.0.1:6379 and CI=true")
        pytest.skip("Redis not reachable on 127.0.0.1:6379")


@pytest.fixture(params=["memory", "redis"])
def backend(request: pytest.FixtureRequest) -> Iterator[Backend]:
    if request.param == "redis":
        _require_redis()
    yield Backend(str(request.param))


@pytest.fixture
def redis_backend() -> Iterator[Backend]:
    _require_redis()
    yield Backend("redis")


def test_make_counters_picks_the_backend() -> None:
    assert isinstance(make_counters(None), MemoryCounters)
    assert type(make_counters("redis://127.0.0.1:6379/0")).__name__ == "RedisCounters"


def test_bucket_allows_the_burst_then_throttles_then_refills(backend: Backend) -> None:
    async def scenario(c: Counters) -> None:
        t = 1_000.0
        assert [await c.take("k", rate=2, burst=5, now=t) for _ in range(6)] == [True] * 5 + [False]
        assert await c.take("k", 2, 5, t + 0.25) is False  # half a token
        assert await c.take("k", 2, 5, t + 0.5) is True  # one token after 0.5 s at 2/s
        assert await c.take("k", 2, 5, t + 0.5) is False
        # a long pause refills only up to the burst
        assert [await c.take("k", 2, 5, t + 100) for _ in range(6)] == [True] * 5 + [False]
        # buckets are independent per key
        assert await c.take("other", 2, 5, t + 100) is True

    backend.run(scenario)


def test_bucket_with_fractional_rate_and_zero_burst(backend: Backend) -> None:
    async def scenario(c: Counters) -> None:
        assert await c.take("slow", rate=0.1, burst=1, now=50.0) is True
        assert await c.take("slow", 0.1, 1, 55.0) is False
        assert await c.take("slow", 0.1, 1, 60.0) is True
        assert await c.take("none", rate=100, burst=0, now=50.0) is False

    backend.run(scenario)


def test_time_going_backwards_never_adds_tokens(backend: Backend) -> None:
    async def scenario(c: Counters) -> None:
        assert await c.take("k", 1, 1, 100.0) is True
        assert await c.take("k", 1, 1, 90.0) is False  # another node's clock lags: no refill
        assert await c.take("k", 1, 1, 101.0) is True

    backend.run(scenario)


def test_concurrent_takes_never_exceed_the_burst(backend: Backend) -> None:
    async def scenario(c: Counters) -> None:
        results = await asyncio.gather(*(c.take("hot", rate=1, burst=20, now=500.0) for _ in range(200)))
        assert sum(results) == 20
        more = await asyncio.gather(*(c.take("hot", rate=1, burst=20, now=505.0) for _ in range(50)))
        assert sum(more) == 5

    backend.run(scenario)


def test_concurrent_takes_from_several_redis_clients_share_one_bucket(redis_backend: Backend) -> None:
    """Several counters objects (as several workers/nodes would have) against one Redis."""
    backend = redis_backend

    async def scenario(c: Counters) -> None:
        others = [backend.make() for _ in range(3)]
        try:
            calls = [counters.take("shared", 1, 30, 10.0) for counters in [c, *others] for _ in range(25)]
            assert sum(await asyncio.gather(*calls)) == 30
        finally:
            for other in others:
                await other.close()

    backend.run(scenario)


def test_quota_is_exhausted_then_rolls_over_at_midnight_utc(backend: Backend) -> None:
    async def scenario(c: Counters) -> None:
        day = ts("2024-03-05T10:00:00")
        results = [await c.consume("key1", limit=3, period=QuotaPeriod.DAY, offset=0, now=day) for _ in range(4)]
        assert [(r.allowed, r.remaining) for r in results] == [(True, 2), (True, 1), (True, 0), (False, 0)]
        assert (await c.consume("key1", 3, "DAY", 0, ts("2024-03-05T23:59:59"))).allowed is False
        rolled = await c.consume("key1", 3, "DAY", 0, ts("2024-03-06T00:00:00"))
        assert (rolled.allowed, rolled.remaining) == (True, 2)

    backend.run(scenario)


def test_quota_offset_reduces_only_the_initial_period(backend: Backend) -> None:
    async def scenario(c: Counters) -> None:
        first = ts("2024-01-20T08:00:00")  # the initial month
        got = [await c.consume("k", limit=5, period="MONTH", offset=3, now=first) for _ in range(3)]
        assert [(r.allowed, r.remaining) for r in got] == [(True, 1), (True, 0), (False, 0)]
        feb = ts("2024-02-01T00:00:00")
        got = [await c.consume("k", 5, "MONTH", 3, feb) for _ in range(6)]
        assert [r.allowed for r in got] == [True] * 5 + [False]

    backend.run(scenario)


def test_quota_initial_period_can_be_pinned_to_the_plan_start(backend: Backend) -> None:
    async def scenario(c: Counters) -> None:
        created = ts("2024-01-31T23:00:00")
        later = ts("2024-02-10T00:00:00")
        got = [await c.consume("k", 2, "MONTH", 1, later, started_at=created) for _ in range(3)]
        assert [r.allowed for r in got] == [True, True, False]  # February is not the initial period

    backend.run(scenario)


def test_quota_week_window(backend: Backend) -> None:
    async def scenario(c: Counters) -> None:
        saturday = ts("2024-03-09T23:59:59")  # a Saturday
        assert (await c.consume("w", 1, "WEEK", 0, saturday)).allowed is True
        assert (await c.consume("w", 1, "WEEK", 0, saturday)).allowed is False
        assert (await c.consume("w", 1, "WEEK", 0, ts("2024-03-10T00:00:00"))).allowed is True  # Sunday

    backend.run(scenario)


def test_concurrent_quota_consumers_never_exceed_the_limit(backend: Backend) -> None:
    async def scenario(c: Counters) -> None:
        now = ts("2024-05-01T12:00:00")
        results = await asyncio.gather(*(c.consume("q", 25, "DAY", 0, now) for _ in range(100)))
        assert sum(r.allowed for r in results) == 25
        assert sorted(r.remaining for r in results if r.allowed) == list(range(25))

    backend.run(scenario)


def test_cache_returns_values_until_their_ttl(backend: Backend) -> None:
    async def scenario(c: Counters) -> None:
        value: dict[str, Any] = {"principalId": "u1", "policy": {"Statement": [{"Effect": "Allow"}]}, "n": 1.5}
        await c.cache_set("auth:tok", value, ttl=300, now=1_000.0)
        assert await c.cache_get("auth:tok", 1_299.0) == value
        assert await c.cache_get("auth:tok", 1_300.0) is None
        assert await c.cache_get("missing", 1_000.0) is None
        await c.cache_set("off", value, ttl=0, now=1_000.0)
        assert await c.cache_get("off", 1_000.0) is None

    backend.run(scenario)


def test_cache_values_are_copies_and_must_be_json(backend: Backend) -> None:
    async def scenario(c: Counters) -> None:
        value: dict[str, Any] = {"context": {"a": "b"}}
        await c.cache_set("k", value, 60, 0.0)
        value["context"]["a"] = "mutated"
        got = await c.cache_get("k", 1.0)
        assert got == {"context": {"a": "b"}}
        with pytest.raises(TypeError):
            await c.cache_set("bad", {"x": object()}, 60, 0.0)

    backend.run(scenario)


@pytest.mark.parametrize(("period", "now", "start", "end"), [
    ("DAY", "2024-03-05T10:00:00", "2024-03-05T00:00:00", "2024-03-06T00:00:00"),
    ("WEEK", "2024-03-06T10:00:00", "2024-03-03T00:00:00", "2024-03-10T00:00:00"),
    ("WEEK", "2024-03-03T00:00:00", "2024-03-03T00:00:00", "2024-03-10T00:00:00"),
    ("MONTH", "2024-02-29T23:59:59", "2024-02-01T00:00:00", "2024-03-01T00:00:00"),
    ("MONTH", "2024-12-31T12:00:00", "2024-12-01T00:00:00", "2025-01-01T00:00:00"),
])
def test_period_bounds_are_utc_calendar_windows(period: str, now: str, start: str, end: str) -> None:
    assert period_bounds(period, ts(now)) == (int(ts(start)), int(ts(end)))


def test_clear_forgets_buckets_quotas_and_cache_of_this_prefix_only(backend: Backend) -> None:
    async def scenario(c: Counters) -> None:
        t = 2_000.0
        assert await c.take("k", rate=0.001, burst=1, now=t) is True
        assert await c.take("k", 0.001, 1, t) is False
        assert (await c.consume("q", 1, "DAY", 0, t)).allowed
        assert not (await c.consume("q", 1, "DAY", 0, t)).allowed
        await c.cache_set("c", {"v": 1}, 60, t)
        await c.clear()
        assert await c.take("k", 0.001, 1, t) is True
        assert (await c.consume("q", 1, "DAY", 0, t)).allowed
        assert await c.cache_get("c", t) is None
        if backend.name == "redis":  # another prefix's keys are not this counter set's to clear
            other = make_counters(REDIS_URL, prefix=backend.prefix.rstrip(":") + "-other:")
            await other.cache_set("kept", {"v": 3}, 60, t)
            await c.clear()
            assert await other.cache_get("kept", t) == {"v": 3}
            await other.clear()
            await other.close()

    backend.run(scenario)


def test_admit_runs_steps_in_order_and_stops_at_the_first_refusal(backend: Backend) -> None:
    async def scenario(c: Counters) -> None:
        t = 3_000.0
        plan, stage = Bucket("plan", rate=0.001, burst=2), Bucket("stage", rate=0.001, burst=10)
        quota = Quota("quota", limit=1, period="DAY", offset=0)
        assert await c.admit([plan, quota, stage], t) == -1
        # the quota refuses: the stage bucket after it is not touched
        assert await c.admit([plan, quota, stage], t) == 1
        assert [await c.take("stage", 0.001, 10, t) for _ in range(9)] == [True] * 9
        assert await c.take("stage", 0.001, 10, t) is False  # 1 (admit) + 1 + 8 = 10 tokens used
        # the plan bucket is empty now (two admits took its two tokens): it refuses first, nothing is counted
        assert await c.admit([plan, quota], t) == 0
        assert await c.admit([], t) == -1

    backend.run(scenario)


def test_admit_is_atomic_under_concurrency(backend: Backend) -> None:
    async def scenario(c: Counters) -> None:
        steps = [Bucket("b", rate=0.0001, burst=30), Quota("q", limit=20, period="DAY", offset=0)]
        results = await asyncio.gather(*(c.admit(steps, 5_000.0) for _ in range(60)))
        assert results.count(-1) == 20 and results.count(1) == 10 and results.count(0) == 30

    backend.run(scenario)
