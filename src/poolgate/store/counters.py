"""The gateway's shared counters: throttling token buckets, usage-plan quotas, and a small TTL cache.

One interface (``Counters``), two backends: ``MemoryCounters`` (default, one process) and
``RedisCounters`` (``counters_redis.py``; shared by every worker and node, atomic through Lua scripts).
``make_counters(redis_url)`` picks one. Every operation takes ``now`` (seconds since the epoch) from the
injected clock, so tests move time instead of sleeping and all nodes agree on windows.

AWS semantics (ApiDG "Throttle API requests for better throughput", "Usage plans"; API reference
``ThrottleSettings``, ``QuotaSettings``):

- throttling is a token bucket: capacity ``burstLimit`` tokens, refilled at ``rateLimit`` tokens per second,
  starting full; a request takes one token or is throttled (429 ``Too Many Requests``);
- a quota allows ``limit`` requests per period (``DAY``, ``WEEK``, ``MONTH``); ``offset`` is "the number of
  requests subtracted from the given limit in the initial time period" (QuotaSettings; CloudFormation adds:
  "When you first implement a usage plan, the plan might start in the middle of the week or month").
  Periods are calendar windows in UTC: a DAY runs from 00:00 UTC (a usage plan "1000/day" means 1000 from
  12 am to 11:59 pm UTC), a MONTH from the 1st at 00:00 UTC. The start of a WEEK is UNCONFIRMED: older
  SDK docs described ``offset`` as "the day that a time period starts … with WEEK, an offset of 0 starts on
  Sunday", so weeks start on Sunday 00:00 UTC here (``WEEK_STARTS_ON``).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any, Protocol

from .quotas import WEEK_STARTS_ON, Bucket, Quota, QuotaPeriod, QuotaResult, period_bounds

__all__ = ["WEEK_STARTS_ON", "Bucket", "Counters", "MemoryCounters", "Quota", "QuotaPeriod", "QuotaResult",
           "make_counters", "period_bounds", "quota_allowance", "refill"]


class Counters(Protocol):
    """Shared counters for the data plane. Implementations must be safe under concurrent callers: every
    operation on one key is atomic (within a process for memory, across nodes for Redis)."""

    async def take(self, key: str, rate: float, burst: int, now: float) -> bool:
        """Take one token from the bucket ``key`` (capacity ``burst``, refilled at ``rate`` tokens/s, full at
        first use); False means throttle."""
        ...

    async def consume(self, key: str, limit: int, period: QuotaPeriod | str, offset: int, now: float, *,
                      started_at: float | None = None) -> QuotaResult:
        """Count one request against quota ``key``: ``limit`` per ``period``, minus ``offset`` in the initial
        period — the period containing ``started_at`` (e.g. when the usage plan was created) or, if None,
        the period of the first request this counter ever saw for ``key``. Denied requests are not counted."""
        ...

    async def used(self, key: str, period: QuotaPeriod | str, now: float) -> int:
        """How many requests quota ``key`` counted in the period containing ``now`` (0 if none: GetUsage)."""
        ...

    async def admit(self, steps: Sequence[Bucket | Quota], now: float) -> int:
        """Run ``steps`` in order as one atomic operation (one round trip on Redis), stopping at the first
        that refuses: -1 when all admit, else the index of the refusing step. A refused step changes nothing;
        steps before it have already taken their token or counted their request."""
        ...

    async def cache_get(self, key: str, now: float) -> dict[str, Any] | None:
        """A cached JSON-serialisable dict, or None if absent or expired at ``now``."""
        ...

    async def cache_set(self, key: str, value: dict[str, Any], ttl: float, now: float) -> None:
        """Cache ``value`` for ``ttl`` seconds from ``now``; ``ttl <= 0`` stores nothing. A value that is not
        JSON-serialisable raises ``TypeError``."""
        ...

    async def clear(self) -> None:
        """Forget every bucket, quota and cached entry under this counter set (``POST /_poolgate/reset``)."""
        ...

    async def close(self) -> None:
        """Release connections (no-op for memory)."""
        ...


def refill(tokens: float, last: float, rate: float, burst: int, now: float) -> tuple[float, float]:
    """The bucket after refilling from ``last`` to ``now`` (time never runs backwards for a bucket)."""
    if now <= last:
        return tokens, last
    return min(float(burst), tokens + (now - last) * rate), now


def quota_allowance(limit: int, offset: int, window: int, first_window: int) -> int:
    return limit - offset if window == first_window else limit


class MemoryCounters:
    """In-process counters: the default for a single poolgate process (asyncio makes each call atomic)."""

    _CACHE_SWEEP = 4096

    def __init__(self) -> None:
        self._buckets: dict[str, tuple[float, float]] = {}
        self._quotas: dict[str, tuple[int, int, int]] = {}  # key -> (first window, current window, count)
        self._cache: dict[str, tuple[float, str]] = {}  # stored as JSON, like Redis: no aliasing

    async def take(self, key: str, rate: float, burst: int, now: float) -> bool:
        tokens, last = self._buckets.get(key, (float(burst), now))
        tokens, last = refill(tokens, last, rate, burst, now)
        allowed = tokens >= 1
        self._buckets[key] = (tokens - 1 if allowed else tokens, last)
        return allowed

    async def consume(self, key: str, limit: int, period: QuotaPeriod | str, offset: int, now: float, *,
                      started_at: float | None = None) -> QuotaResult:
        window = period_bounds(period, now)[0]
        hint = period_bounds(period, started_at)[0] if started_at is not None else window
        first, current, count = self._quotas.get(key, (hint, window, 0))
        if window > current:
            current, count = window, 0
        allowance = quota_allowance(limit, offset, current, first)
        if count < allowance:
            count += 1
            self._quotas[key] = (first, current, count)
            return QuotaResult(True, allowance - count)
        self._quotas[key] = (first, current, count)
        return QuotaResult(False, max(0, allowance - count))

    async def used(self, key: str, period: QuotaPeriod | str, now: float) -> int:
        state = self._quotas.get(key)
        return state[2] if state is not None and state[1] == period_bounds(period, now)[0] else 0

    async def admit(self, steps: Sequence[Bucket | Quota], now: float) -> int:
        for index, step in enumerate(steps):
            if isinstance(step, Bucket):
                allowed = await self.take(step.key, step.rate, step.burst, now)
            else:
                allowed = (await self.consume(step.key, step.limit, step.period, step.offset, now,
                                              started_at=step.started_at)).allowed
            if not allowed:
                return index
        return -1

    async def cache_get(self, key: str, now: float) -> dict[str, Any] | None:
        entry = self._cache.get(key)
        if entry is None:
            return None
        if entry[0] <= now:
            del self._cache[key]
            return None
        value: dict[str, Any] = json.loads(entry[1])
        return value

    async def cache_set(self, key: str, value: dict[str, Any], ttl: float, now: float) -> None:
        text = json.dumps(value)
        if ttl <= 0:
            return
        if len(self._cache) >= self._CACHE_SWEEP:
            self._cache = {k: v for k, v in self._cache.items() if v[0] > now}
        self._cache[key] = (now + ttl, text)

    async def clear(self) -> None:
        self._buckets.clear()
        self._quotas.clear()
        self._cache.clear()

    async def close(self) -> None:
        return None


def make_counters(redis_url: str | None, *, prefix: str = "poolgate:") -> Counters:
    """``RedisCounters`` when a Redis URL is given (``--redis-url``), else ``MemoryCounters``. Redis keys
    start with ``prefix``."""
    if redis_url:
        from .counters_redis import RedisCounters

        return RedisCounters(redis_url, prefix=prefix)
    return MemoryCounters()
