"""The console's fixtures: one server (local mode, no demo) and Debian's chromium driven by Playwright."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from ..oauth.conftest import CHROMIUM, CHROMIUM_ARGS, require_chromium
from ..support import IN_CI, Server, start_server, stop_server


@pytest.fixture(scope="module")
def server() -> Iterator[Server]:
    running = start_server("--no-demo")
    try:
        yield running
    finally:
        stop_server(running)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    require_chromium()
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        if IN_CI:
            pytest.fail("playwright is not installed (pip install -e '.[test]')")
        pytest.skip("playwright is not installed")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()
