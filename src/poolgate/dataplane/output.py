"""Handler output (``print`` and ``logging``) into the server log, tagged with the request id.

Like Lambda's CloudWatch stream: each line a handler prints becomes one record of the
``poolgate.function.<name>`` logger carrying the request id; records a handler logs through ``logging``
get the request id prefixed. Which invocation is running is a context variable, so concurrent
invocations (threads or tasks) never mix their lines.
"""

from __future__ import annotations

import contextvars
import logging
import sys
import threading
from dataclasses import dataclass, field
from typing import Any, TextIO

log = logging.getLogger("poolgate.function")


@dataclass(slots=True)
class Invocation:
    function: str
    request_id: str
    pending: list[str] = field(default_factory=list)
    capture: list[str] | None = None
    """Also keep the lines here (the lambda API's ``LogType: Tail``)."""

    def write(self, text: str) -> None:
        if "\n" not in text:
            self.pending.append(text)
            return
        head, *lines = text.split("\n")
        first = "".join(self.pending) + head
        self.pending.clear()
        self._emit(first)
        tail = lines.pop()
        for line in lines:
            self._emit(line)
        if tail:
            self.pending.append(tail)

    def flush(self) -> None:
        if self.pending:
            self._emit("".join(self.pending))
            self.pending.clear()

    def _emit(self, line: str) -> None:
        if self.capture is not None:
            self.capture.append(line)
        logging.getLogger(f"poolgate.function.{self.function}").info("%s\t%s", self.request_id, line)


CURRENT: contextvars.ContextVar[Invocation | None] = contextvars.ContextVar("poolgate_invocation", default=None)


class _RoutingStream:
    """Stands in for ``sys.stdout``: inside an invocation, lines go to the log; outside, to the real stream."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        invocation = CURRENT.get()
        if invocation is None:
            return self._stream.write(text)
        invocation.write(text)
        return len(text)

    def flush(self) -> None:
        if CURRENT.get() is None:
            self._stream.flush()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


class _TagRecords(logging.Filter):
    """Prefix records logged by handler code during an invocation with its request id."""

    def filter(self, record: logging.LogRecord) -> bool:
        invocation = CURRENT.get()
        if invocation is not None and not record.name.startswith("poolgate") and not getattr(
                record, "_poolgate_tagged", False):
            record.msg = f"{invocation.request_id}\t{record.msg}"
            record._poolgate_tagged = True
        return True


_installed = False
_lock = threading.Lock()


def install() -> None:
    """Route handler output; idempotent (called when the data plane starts)."""
    global _installed
    with _lock:
        if _installed:
            return
        _installed = True
        if not isinstance(sys.stdout, _RoutingStream):
            sys.stdout = _RoutingStream(sys.stdout)
        tagger = _TagRecords()
        for handler in logging.getLogger().handlers:
            handler.addFilter(tagger)
