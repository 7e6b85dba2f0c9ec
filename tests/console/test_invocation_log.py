"""invocation_log: the recent invocations kept per function are bounded (count, lines, line length, functions),
a runtime's whole log replaces what the loggers gave for its request id, and the ``poolgate.function.<name>``
records (one line, or several ``tag\\tline`` lines at once as the out-of-process runtimes write them) are read."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest

from poolgate import invocation_log
from poolgate.invocation_log import LINE_CHARS, LINES, PER_FUNCTION, RecentInvocations


@pytest.fixture()
def ring() -> Iterator[RecentInvocations]:
    yield RecentInvocations()


def test_bounds(ring: RecentInvocations) -> None:
    for n in range(PER_FUNCTION + 5):
        ring.line("f", f"req-{n}", f"line {n}")
    kept = ring.recent("f")
    assert [i.tag for i in kept] == [f"req-{n}" for n in range(PER_FUNCTION + 4, 4, -1)]  # newest first
    for n in range(LINES + 10):
        ring.line("g", "one", "x" * (LINE_CHARS + 5) if n == 0 else f"{n}")
    (only,) = ring.recent("g")
    assert len(only.lines) == LINES and only.dropped == 10
    assert len(only.lines[0]) == LINE_CHARS and only.lines[-1] == f"{LINES + 9}"  # the first and newest kept
    many = RecentInvocations()
    for n in range(invocation_log.FUNCTIONS + 3):
        many.line(f"fn-{n}", "t", "x")
    assert many.recent("fn-0") == [] and many.recent(f"fn-{invocation_log.FUNCTIONS + 2}") != []


def test_record_replaces_the_logged_lines(ring: RecentInvocations) -> None:
    ring.line("f", "tag-1", "printed")
    ring.record("f", "tag-1", ["START RequestId: abc Version: $LATEST", "printed", "END RequestId: abc",
                               "REPORT RequestId: abc\tDuration: 1.00 ms"])
    (only,) = ring.recent("f")
    assert only.request_id == "abc" and only.lines[1] == "printed" and len(only.lines) == 4


def test_the_function_loggers_are_read() -> None:
    invocation_log.install()
    invocation_log.RECENT.clear()
    logger = logging.getLogger("poolgate.function.collected")
    level = logger.level
    logger.setLevel(logging.INFO)
    try:
        logger.info("%s\t%s", "req-a", "one line")
        logger.info("%s", "req-b\tSTART RequestId: lam-b Version: $LATEST\nreq-b\tout\nreq-b\tEND RequestId: lam-b")
        logging.getLogger("poolgate.function").info("req-c\tnot a function's own logger")
    finally:
        logger.setLevel(level)
    kept = invocation_log.recent("collected")
    assert [(i.request_id, i.lines) for i in kept] == [
        ("lam-b", ["START RequestId: lam-b Version: $LATEST", "out", "END RequestId: lam-b"]),
        ("req-a", ["one line"])]
