"""The access log: one line per request with API Gateway ``$context`` fields, written in batches.

The line is ``FORMAT``, an access-log format as API Gateway stages take them (``$context.x`` variables read from
the one table, ``variables.py``; missing values ``-``, as in API Gateway access logs). When an authorizer refused
the request, the line ends with ``authorizer refused: <authorizer name>: <reason>`` (never the token), so
"why is every request 401" is answered at INFO. A logging call per request would cost more than the rest of a
MOCK request, so lines are buffered and written as one record of the ``poolgate.access`` logger at most every
``FLUSH_INTERVAL`` seconds (or every ``MAX_LINES`` lines).
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from collections import deque
from collections.abc import Callable
from typing import Any

from .context import InvocationContext
from .variables import CONTEXT_VARIABLES, compile_tuple

log = logging.getLogger("poolgate.access")

FLUSH_INTERVAL = 0.25
MAX_LINES = 512

FORMAT = ('$context.requestId $context.identity.sourceIp [$context.requestTime] '
          '"$context.httpMethod $context.resourcePath $context.protocol" $context.status $context.responseLength '
          '$context.integrationLatency')

RECENT = 1000
"""How many requests ``AccessLog.recent`` keeps (the console's request log, newest last; this process only)."""
RECENT_FIELDS = ("apiId", "stage", "requestId", "requestTimeEpoch", "httpMethod", "path", "resourcePath", "status",
                 "integrationLatency", "identity.sourceIp")
"""The ``$context`` values of a request in ``AccessLog.recent``, in this order, then its ``authorizer_error``
(the authorizer's name and why it refused, never the token) and when it was answered (``time.time()``)."""

_VARIABLE = re.compile(r"\$context\.([A-Za-z0-9_.]+)")


Row = tuple[Any, ...]


def compile_format(text: str) -> tuple[Callable[[InvocationContext], Row], Callable[[Row], str]]:
    """``text``'s variables read by one function (at the request's end) and written by another (at the flush)."""
    parts = _VARIABLE.split(text)
    names = parts[1::2]
    for name in names:
        if name not in CONTEXT_VARIABLES:
            raise ValueError(f"access log format: $context.{name} is not a $context variable")
    values = compile_tuple(names)
    # one f-string for the whole line, "-" for a missing value (generated once from the format)
    fields = [part.replace("{", "{{").replace("}", "}}").replace("\\", "\\\\").replace('"', '\\"')
              .replace("\n", "\\n") for part in parts[0::2]]
    body = "".join(f"{literal}{{'-' if r[{i}] is None or r[{i}] == '' else r[{i}]}}"
                   for i, literal in enumerate(fields[:-1])) + fields[-1]
    line: Callable[[Row], str] = eval(f'lambda r: f"{body}"', {})  # built from FORMAT, never from request data
    return values, line


class AccessLog:
    def __init__(self, format_: str = FORMAT) -> None:
        self._values, self._line = compile_format(format_)
        self._pending: list[tuple[tuple[Any, ...], str | None]] = []
        self._timer: asyncio.TimerHandle | None = None
        self._recent_values = compile_tuple(RECENT_FIELDS)
        self.recent: deque[tuple[tuple[Any, ...], str | None, float]] = deque(maxlen=RECENT)

    def record(self, ctx: InvocationContext) -> None:
        self.recent.append((self._recent_values(ctx), ctx.authorizer_error, time.time()))
        if not log.isEnabledFor(logging.INFO):
            return
        self._pending.append((self._values(ctx), ctx.authorizer_error))
        if len(self._pending) >= MAX_LINES:
            self.flush()
        elif self._timer is None:
            self._timer = asyncio.get_running_loop().call_later(FLUSH_INTERVAL, self.flush)

    def line(self, values: tuple[Any, ...], authorizer_error: str | None) -> str:
        text = self._line(values)
        return f"{text} authorizer refused: {authorizer_error}" if authorizer_error else text

    def flush(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if not self._pending:
            return
        pending, self._pending = self._pending, []
        log.info("%s", "\n".join(self.line(values, error) for values, error in pending))
