"""The values both counter backends speak (``counters.py``'s memory one and ``counters_redis.py``): a token-bucket
step, a quota step and its result, and a quota period's UTC window. Their own module so that the Redis backend,
imported only when Redis is configured, needs nothing from ``counters.py`` (which picks the backend)."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum

WEEK_STARTS_ON = 6  # datetime.weekday(): Monday is 0, Sunday is 6 (UNCONFIRMED, see module docstring)


class QuotaPeriod(StrEnum):
    DAY = "DAY"
    WEEK = "WEEK"
    MONTH = "MONTH"


def period_bounds(period: QuotaPeriod | str, now: float) -> tuple[int, int]:
    """The UTC window ``[start, end)`` (epoch seconds) of ``period`` that contains ``now``."""
    moment = datetime.fromtimestamp(now, UTC)
    day = moment.replace(hour=0, minute=0, second=0, microsecond=0)
    period = QuotaPeriod(period)
    if period is QuotaPeriod.DAY:
        start, end = day, day + timedelta(days=1)
    elif period is QuotaPeriod.WEEK:
        start = day - timedelta(days=(day.weekday() - WEEK_STARTS_ON) % 7)
        end = start + timedelta(days=7)
    else:
        start = day.replace(day=1)
        end = start + timedelta(days=calendar.monthrange(start.year, start.month)[1])
    return int(start.timestamp()), int(end.timestamp())


@dataclass(frozen=True, slots=True)
class QuotaResult:
    """Whether this request fits the quota, and how many requests remain in the current period after it."""

    allowed: bool
    remaining: int


@dataclass(frozen=True, slots=True)
class Bucket:
    """A token-bucket step of ``Counters.admit``."""

    key: str
    rate: float
    burst: int


@dataclass(frozen=True, slots=True)
class Quota:
    """A quota step of ``Counters.admit``."""

    key: str
    limit: int
    period: QuotaPeriod | str
    offset: int
    started_at: float | None = None
