"""The access log: one line per request with API Gateway ``$context`` fields, written in batches.

Fields, in order: ``requestId ip [requestTime] "httpMethod resourcePath protocol" status responseLength
integrationLatency`` (missing values ``-``, as in API Gateway access logs). A logging call per request
would cost more than the rest of a MOCK request, so lines are buffered and written as one record of the
``poolgate.access`` logger at most every ``FLUSH_INTERVAL`` seconds (or every ``MAX_LINES`` lines).
"""

from __future__ import annotations

import asyncio
import logging

from .context import InvocationContext
from .events import request_time_text

log = logging.getLogger("poolgate.access")

FLUSH_INTERVAL = 0.25
MAX_LINES = 512

_Entry = tuple[str, str, float, str, str, str, int, int, int | None]


class AccessLog:
    def __init__(self) -> None:
        self._pending: list[_Entry] = []
        self._timer: asyncio.TimerHandle | None = None

    def record(self, ctx: InvocationContext) -> None:
        if not log.isEnabledFor(logging.INFO):
            return
        route = ctx.route
        self._pending.append((ctx.request_id, ctx.client_ip, ctx.request_time, ctx.method,
                              route.resource_path if route else "-", ctx.scope.get("http_version", "1.1"),
                              ctx.status, ctx.response_length, ctx.integration_latency))
        if len(self._pending) >= MAX_LINES:
            self.flush()
        elif self._timer is None:
            self._timer = asyncio.get_running_loop().call_later(FLUSH_INTERVAL, self.flush)

    def flush(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if not self._pending:
            return
        pending, self._pending = self._pending, []
        log.info("%s", "\n".join(
            f'{rid} {ip} [{request_time_text(when)}] "{method} {resource} HTTP/{protocol}" {status} {length} '
            f'{"-" if latency is None else latency}'
            for rid, ip, when, method, resource, protocol, status, length, latency in pending))
