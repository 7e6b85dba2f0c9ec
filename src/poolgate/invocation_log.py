"""Recent function invocations and their log lines, per function, in this process (the console's "Recent
invocations": Lambda's CloudWatch log streams, kept small and in memory).

Filled from two places:

- the ``poolgate.function.<name>`` loggers, which every runtime writes a function's lines to, each line as
  ``{request id}\\t{line}`` (``dataplane/output.py`` for in-process Python handlers' output, ``lambdas/instance.py``
  for out-of-process runtimes, START, END and REPORT included); :func:`install` adds a handler to
  ``poolgate.function`` that reads them;
- :func:`record`, for a whole invocation's lines kept elsewhere (the in-process Python runtime writes START, END
  and REPORT only into ``Invoke``'s ``LogType: Tail``): it replaces what the loggers gave for that request id.

Bounded: ``PER_FUNCTION`` invocations per function (the oldest dropped), ``LINES`` lines per invocation (the first
half and the newest kept), ``LINE_CHARS`` characters per line, ``FUNCTIONS`` functions (the least recently
invoked dropped). Each process keeps its own (like the request log); nothing is stored."""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict, deque
from dataclasses import dataclass, field

PER_FUNCTION = 25
LINES = 400
LINE_CHARS = 4000
FUNCTIONS = 500
LOGGER = "poolgate.function"


@dataclass(slots=True)
class Invocation:
    """One invocation: the request id its lines are tagged with, when its first line came, its lines."""

    tag: str
    started: float
    lines: list[str] = field(default_factory=list)
    dropped: int = 0

    @property
    def request_id(self) -> str:
        """Lambda's own request id (from the START line) when there is one, else the tag."""
        for line in self.lines[:3]:
            if line.startswith("START RequestId: "):
                return line.split()[2]
        return self.tag

    def add(self, line: str) -> None:
        self.lines.append(line[:LINE_CHARS])
        if len(self.lines) > LINES:
            del self.lines[LINES // 2]
            self.dropped += 1


class RecentInvocations:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._functions: OrderedDict[str, deque[Invocation]] = OrderedDict()

    def _find(self, function: str, tag: str, when: float) -> Invocation:
        """The function's invocation tagged ``tag``, made (newest) when there is none; call with the lock."""
        kept = self._functions.get(function)
        if kept is None:
            kept = self._functions[function] = deque(maxlen=PER_FUNCTION)
            if len(self._functions) > FUNCTIONS:
                self._functions.popitem(last=False)
        self._functions.move_to_end(function)
        for invocation in reversed(kept):
            if invocation.tag == tag:
                return invocation
        invocation = Invocation(tag, when)
        kept.append(invocation)
        return invocation

    def line(self, function: str, tag: str, line: str, when: float | None = None) -> None:
        with self._lock:
            self._find(function, tag, time.time() if when is None else when).add(line)

    def record(self, function: str, tag: str, lines: list[str]) -> None:
        """An invocation's whole log (START … REPORT), replacing the lines the loggers gave for ``tag``."""
        with self._lock:
            invocation = self._find(function, tag, time.time())
            invocation.lines, invocation.dropped = [], 0
            for line in lines:
                invocation.add(line)

    def recent(self, function: str) -> list[Invocation]:
        """The function's invocations, newest first (copies)."""
        with self._lock:
            return [Invocation(i.tag, i.started, list(i.lines), i.dropped)
                    for i in reversed(self._functions.get(function, ()))]

    def clear(self) -> None:
        with self._lock:
            self._functions.clear()


RECENT = RecentInvocations()


class _Collector(logging.Handler):
    """Reads the ``poolgate.function.<name>`` records: one or more ``{tag}\\t{line}`` lines each."""

    def emit(self, record: logging.LogRecord) -> None:
        if not record.name.startswith(LOGGER + "."):
            return
        function = record.name[len(LOGGER) + 1:]
        try:
            message = record.getMessage()
        except (TypeError, ValueError):
            return
        for text in message.split("\n"):
            tag, found, line = text.partition("\t")
            if found and tag:
                RECENT.line(function, tag, line, record.created)


_installed = False
_install_lock = threading.Lock()


def install() -> None:
    """Start collecting (idempotent). The ``poolgate.function`` logger passes INFO records on, as ``poolgate serve``
    configures logging; under a stricter level only what passes reaches this handler."""
    global _installed
    with _install_lock:
        if _installed:
            return
        _installed = True
        logging.getLogger(LOGGER).addHandler(_Collector(logging.INFO))


def record(function: str, tag: str, lines: list[str]) -> None:
    """For runtimes: keep ``lines`` as the whole log of ``function``'s invocation ``tag``."""
    RECENT.record(function, tag, lines)


def recent(function: str) -> list[Invocation]:
    return RECENT.recent(function)
