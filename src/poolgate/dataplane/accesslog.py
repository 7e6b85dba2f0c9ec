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
from typing import Any

from .context import InvocationContext
from .variables import CONTEXT_VARIABLES, Getter

log = logging.getLogger("poolgate.access")

FLUSH_INTERVAL = 0.25
MAX_LINES = 512

FORMAT = ('$context.requestId $context.identity.sourceIp [$context.requestTime] '
          '"$context.httpMethod $context.resourcePath $context.protocol" $context.status $context.responseLength '
          '$context.integrationLatency')

_VARIABLE = re.compile(r"\$context\.([A-Za-z0-9_.]+)")


def compile_format(text: str) -> tuple[tuple[str, ...], tuple[Getter, ...]]:
    """Literal parts (one more than the variables) and the getters of the variables in between."""
    parts = _VARIABLE.split(text)
    getters = []
    for name in parts[1::2]:
        if name not in CONTEXT_VARIABLES:
            raise ValueError(f"access log format: $context.{name} is not a $context variable")
        getters.append(CONTEXT_VARIABLES[name])
    return tuple(parts[0::2]), tuple(getters)


def _text(value: Any) -> str:
    return "-" if value is None or value == "" else str(value)


class AccessLog:
    def __init__(self, format_: str = FORMAT) -> None:
        self._literals, self._getters = compile_format(format_)
        self._pending: list[tuple[tuple[Any, ...], str | None]] = []
        self._timer: asyncio.TimerHandle | None = None

    def record(self, ctx: InvocationContext) -> None:
        if not log.isEnabledFor(logging.INFO):
            return
        self._pending.append((tuple([get(ctx) for get in self._getters]), ctx.authorizer_error))
        if len(self._pending) >= MAX_LINES:
            self.flush()
        elif self._timer is None:
            self._timer = asyncio.get_running_loop().call_later(FLUSH_INTERVAL, self.flush)

    def line(self, values: tuple[Any, ...], authorizer_error: str | None) -> str:
        literals = self._literals
        out = [literals[0]]
        for value, literal in zip(values, literals[1:], strict=True):
            out.append(_text(value))
            out.append(literal)
        if authorizer_error:
            out.append(f" authorizer refused: {authorizer_error}")
        return "".join(out)

    def flush(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if not self._pending:
            return
        pending, self._pending = self._pending, []
        log.info("%s", "\n".join(self.line(values, error) for values, error in pending))
