"""What invoking a function can raise, for every runtime (the gateway, ``Invoke`` and triggers translate them)."""

from __future__ import annotations

from typing import Any


class FunctionError(Exception):
    """The function failed (import error, unhandled exception, its own timeout): API Gateway answers 502.

    ``str()`` is the error's message (``errorMessage``: a Lambda authorizer's ``Unauthorized`` is read from
    it); ``document`` is the whole error a runtime reported (``errorType``, ``errorMessage``, trace), if any."""

    def __init__(self, message: str, document: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.document = document


class FunctionTimeout(TimeoutError):
    """The integration timed out before the function answered: API Gateway answers 504."""


class FunctionThrottled(FunctionError):
    """Every instance the function may have is busy (its reserved concurrency): Lambda answers 429
    ``TooManyRequestsException`` and API Gateway's proxy integration 500 (module ``pool``)."""
