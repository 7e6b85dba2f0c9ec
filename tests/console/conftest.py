"""The console's fixtures: one server (local mode, no demo) and Debian's chromium driven by Playwright."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from ..chromium import launched_chromium
from ..support import Server, start_server, stop_server


@pytest.fixture(scope="module")
def server() -> Iterator[Server]:
    running = start_server("--no-demo")
    try:
        yield running
    finally:
        stop_server(running)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with launched_chromium() as chromium:
        yield chromium
