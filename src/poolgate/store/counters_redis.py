"""Redis backend of ``Counters``: shared by every worker and node; each operation is one Lua script, so it is
atomic in Redis. Scripts are registered once per client (EVALSHA, reloaded by redis-py if Redis forgets them).

Time comes from the caller (``now``), not from Redis, so windows agree with the injected clock; Redis
expiry (real time) only reclaims memory.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from typing import Any

import redis.asyncio as aioredis

from .quotas import Bucket, Quota, QuotaPeriod, QuotaResult, period_bounds

_FUNCTIONS = """
local function take(key, rate, burst, now, ttl)
  local state = redis.call('HMGET', key, 'tokens', 'ts')
  local tokens = tonumber(state[1])
  local ts = tonumber(state[2])
  if tokens == nil or ts == nil then
    tokens = burst
    ts = now
  end
  if now > ts then
    tokens = math.min(burst, tokens + (now - ts) * rate)
    ts = now
  end
  local allowed = 0
  if tokens >= 1 then
    tokens = tokens - 1
    allowed = 1
  end
  redis.call('HSET', key, 'tokens', string.format('%.17g', tokens), 'ts', string.format('%.17g', ts))
  redis.call('EXPIRE', key, ttl)
  return allowed
end

local function consume(key, limit, offset, window, hint)
  local first = tonumber(redis.call('HGET', key, 'first'))
  if first == nil then
    first = tonumber(hint)
    redis.call('HSET', key, 'first', hint)
  end
  local current = tonumber(redis.call('HGET', key, 'window'))
  local count = tonumber(redis.call('HGET', key, 'count')) or 0
  if current == nil or tonumber(window) > current then
    current = tonumber(window)
    count = 0
    redis.call('HSET', key, 'window', window, 'count', 0)
  end
  local allowance = limit
  if current == first then
    allowance = limit - offset
  end
  if count < allowance then
    count = redis.call('HINCRBY', key, 'count', 1)
    return {1, allowance - count}
  end
  return {0, math.max(0, allowance - count)}
end
"""

_TAKE = _FUNCTIONS + """
return take(KEYS[1], tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4]))
"""

_CONSUME = _FUNCTIONS + """
return consume(KEYS[1], tonumber(ARGV[1]), tonumber(ARGV[2]), ARGV[3], ARGV[4])
"""

_ADMIT = _FUNCTIONS + """
local a = 1
for i, key in ipairs(KEYS) do
  local allowed
  if ARGV[a] == 'b' then
    allowed = take(key, tonumber(ARGV[a + 1]), tonumber(ARGV[a + 2]), tonumber(ARGV[a + 3]), tonumber(ARGV[a + 4]))
  else
    allowed = consume(key, tonumber(ARGV[a + 1]), tonumber(ARGV[a + 2]), ARGV[a + 3], ARGV[a + 4])[1]
  end
  if allowed == 0 then
    return i - 1
  end
  a = a + 5
end
return -1
"""


def _bucket_ttl(rate: float, burst: int) -> int:
    """Keep a bucket until it would be full again anyway (then a fresh one is identical)."""
    return max(1, math.ceil(burst / rate) + 1) if rate > 0 else 86_400


class RedisCounters:
    """``Counters`` on Redis (redis-py asyncio). Keys: ``{prefix}tb:{key}`` (token bucket hash),
    ``{prefix}q:{key}`` (quota hash: first window, current window, count), ``{prefix}c:{key}`` (cache)."""

    def __init__(self, url: str, *, prefix: str = "poolgate:", client: aioredis.Redis | None = None,
                 max_connections: int = 32) -> None:
        self.prefix = prefix
        if client is None:
            # A blocking pool: a burst of concurrent requests waits for a connection instead of failing.
            pool = aioredis.BlockingConnectionPool.from_url(url, max_connections=max_connections, timeout=10)
            client = aioredis.Redis(connection_pool=pool)
        self._redis: aioredis.Redis = client
        self._take = self._redis.register_script(_TAKE)
        self._consume = self._redis.register_script(_CONSUME)
        self._admit = self._redis.register_script(_ADMIT)

    async def take(self, key: str, rate: float, burst: int, now: float) -> bool:
        ttl = _bucket_ttl(rate, burst)
        allowed = await self._take(keys=[f"{self.prefix}tb:{key}"], args=[repr(float(rate)), burst, repr(now), ttl])
        return bool(int(allowed))

    async def consume(self, key: str, limit: int, period: QuotaPeriod | str, offset: int, now: float, *,
                      started_at: float | None = None) -> QuotaResult:
        window = period_bounds(period, now)[0]
        hint = period_bounds(period, started_at)[0] if started_at is not None else window
        allowed, remaining = await self._consume(keys=[f"{self.prefix}q:{key}"], args=[limit, offset, window, hint])
        return QuotaResult(bool(int(allowed)), int(remaining))

    async def used(self, key: str, period: QuotaPeriod | str, now: float) -> int:
        window, count = await self._redis.hmget(f"{self.prefix}q:{key}", ["window", "count"])
        if window is None or int(window) != period_bounds(period, now)[0]:
            return 0
        return int(count or 0)

    async def admit(self, steps: Sequence[Bucket | Quota], now: float) -> int:
        keys: list[str] = []
        args: list[Any] = []
        for step in steps:
            if isinstance(step, Bucket):
                keys.append(f"{self.prefix}tb:{step.key}")
                args += ["b", repr(float(step.rate)), step.burst, repr(now), _bucket_ttl(step.rate, step.burst)]
            else:
                window = period_bounds(step.period, now)[0]
                hint = period_bounds(step.period, step.started_at)[0] if step.started_at is not None else window
                keys.append(f"{self.prefix}q:{step.key}")
                args += ["q", step.limit, step.offset, window, hint]
        if not keys:
            return -1
        return int(await self._admit(keys=keys, args=args))

    async def cache_get(self, key: str, now: float) -> dict[str, Any] | None:
        raw = await self._redis.get(f"{self.prefix}c:{key}")
        if raw is None:
            return None
        entry = json.loads(raw)
        if entry["exp"] <= now:
            return None
        value: dict[str, Any] = entry["v"]
        return value

    async def cache_set(self, key: str, value: dict[str, Any], ttl: float, now: float) -> None:
        text = json.dumps({"exp": now + ttl, "v": value})
        if ttl <= 0:
            return
        await self._redis.set(f"{self.prefix}c:{key}", text, px=max(1, math.ceil(ttl * 1000)))

    async def clear(self) -> None:
        batch: list[bytes] = []
        async for key in self._redis.scan_iter(match=f"{self.prefix}*", count=500):
            batch.append(key)
            if len(batch) >= 500:
                await self._redis.unlink(*batch)
                batch.clear()
        if batch:
            await self._redis.unlink(*batch)

    async def close(self) -> None:
        await self._redis.aclose()
        await self._redis.connection_pool.disconnect()
