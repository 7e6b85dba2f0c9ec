"""What invoking a function can raise, for every runtime (the gateway, ``Invoke`` and triggers translate them)."""

from __future__ import annotations


class FunctionError(Exception):
    """The function failed (import error, unhandled exception, its own timeout): API Gateway answers 502."""


class FunctionTimeout(TimeoutError):
    """The integration timed out before the function answered: API Gateway answers 504."""


class FunctionThrottled(FunctionError):
    """Every instance the function may have is busy (its reserved concurrency): Lambda answers 429
    ``TooManyRequestsException`` and API Gateway's proxy integration 500 (module ``pool``)."""
