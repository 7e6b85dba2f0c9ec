"""``poolgate serve`` with nothing declared listens before the planes are loaded (boot.py, bench/startup.py):
the health check is answered at once, every other request waits for the app, a failed start stops the server."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import requests

from poolgate.boot import STARTUP_FAILURE, DeferredStart
from poolgate.settings import Settings
from tests.conftest import cognito_client
from tests.support import free_port

HEALTH_SCOPE = {"type": "http", "method": "GET", "path": "/_poolgate/health", "headers": [(b"host", b"127.0.0.1")]}


class FakeApp:
    """Stands in for PoolgateApp: records its start, its requests and its shutdown."""

    def __init__(self, fail: bool = False) -> None:
        self.fail = fail
        self.started = False
        self.stopped = False
        self.paths: list[str] = []

    async def startup(self) -> None:
        if self.fail:
            raise OSError("database unreachable")
        self.started = True

    async def shutdown(self) -> None:
        self.stopped = True

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        self.paths.append(scope["path"])
        await send({"type": "http.response.start", "status": 204, "headers": []})
        await send({"type": "http.response.body", "body": b""})


async def _request(front: DeferredStart, scope: dict[str, Any]) -> list[dict[str, Any]]:
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    await front(scope, receive, send)
    return sent


class Lifespan:
    """Drives the lifespan protocol as uvicorn does: start-up now, shutdown when ``end`` is set."""

    def __init__(self, front: DeferredStart) -> None:
        self.messages: asyncio.Queue[dict[str, str]] = asyncio.Queue()
        self.answers: list[str] = []
        self.task = asyncio.ensure_future(front({"type": "lifespan"}, self.messages.get, self._send))

    async def _send(self, message: dict[str, Any]) -> None:
        self.answers.append(message["type"])

    async def start(self) -> None:
        await self.messages.put({"type": "lifespan.startup"})
        while not self.answers:
            await asyncio.sleep(0.001)

    async def stop(self) -> None:
        await self.messages.put({"type": "lifespan.shutdown"})
        await asyncio.wait_for(self.task, 5)


def test_health_is_answered_while_the_app_loads_and_other_requests_wait_for_it() -> None:
    release = threading.Event()
    app = FakeApp()

    def build() -> Any:
        release.wait(10)  # the imports and build_app, in their worker thread
        return app

    async def scenario() -> None:
        front = DeferredStart(Settings(), build, stop=lambda: None)
        lifespan = Lifespan(front)
        await lifespan.start()
        assert lifespan.answers == ["lifespan.startup.complete"]  # reported at once: uvicorn binds next
        health = await asyncio.wait_for(_request(front, HEALTH_SCOPE), 2)
        assert health[0]["status"] == 200 and b'"ok"' in health[1]["body"]
        waiting = asyncio.ensure_future(_request(front, {**HEALTH_SCOPE, "path": "/restapis"}))
        await asyncio.sleep(0.05)
        assert not waiting.done() and app.paths == []  # held until the app has started
        release.set()
        answer = await asyncio.wait_for(waiting, 5)
        assert answer[0]["status"] == 204 and app.started and app.paths == ["/restapis"]
        await _request(front, HEALTH_SCOPE)  # once started, the app itself answers the health check too
        assert app.paths == ["/restapis", "/_poolgate/health"]
        await lifespan.stop()
        assert app.stopped and lifespan.answers[-1] == "lifespan.shutdown.complete"

    asyncio.run(scenario())


def test_the_health_check_while_loading_refuses_a_foreign_host_as_every_request() -> None:
    release = threading.Event()

    async def scenario() -> None:
        front = DeferredStart(Settings(), lambda: (release.wait(10), FakeApp())[1], stop=lambda: None)
        lifespan = Lifespan(front)
        await lifespan.start()
        refused = await _request(front, {**HEALTH_SCOPE, "headers": [(b"host", b"evil.example")]})
        assert refused[0]["status"] == 421 and b"MisdirectedRequest" in refused[1]["body"]
        release.set()
        await lifespan.stop()

    asyncio.run(scenario())


def test_a_failed_start_stops_the_server_and_answers_the_waiting_requests() -> None:
    stops: list[bool] = []
    app = FakeApp(fail=True)

    async def scenario() -> None:
        front = DeferredStart(Settings(), lambda: app, stop=lambda: stops.append(True))
        lifespan = Lifespan(front)
        await lifespan.start()
        answer = await asyncio.wait_for(_request(front, {**HEALTH_SCOPE, "path": "/restapis"}), 5)
        assert answer[0]["status"] == 500 and b"failed to start" in answer[1]["body"]
        assert front.failed and stops == [True]
        health = await _request(front, HEALTH_SCOPE)  # no longer healthy
        assert health[0]["status"] == 500
        await lifespan.stop()
        assert not app.stopped  # as uvicorn: no shutdown after a failed start

    asyncio.run(scenario())


def test_serve_without_a_config_exits_with_the_startup_failure_code_when_its_database_is_unreachable() -> None:
    """The start finishes after listening; when it fails, the process ends as a failed lifespan start-up did."""
    with tempfile.TemporaryDirectory() as data_dir:
        started = time.monotonic()
        done = subprocess.run([sys.executable, "-m", "poolgate.cli", "serve", "--no-demo", "--port", str(free_port()),
                               "--data-dir", data_dir, "--database-url", "postgresql+asyncpg://127.0.0.1:1/none"],
                              capture_output=True, text=True, timeout=120)
    assert done.returncode == STARTUP_FAILURE, (done.returncode, done.stderr)
    assert "Application startup failed. Exiting." in done.stderr
    assert time.monotonic() - started < 110


def test_serve_without_a_config_answers_health_then_serves_cognito_at_once(tmp_path: Path) -> None:
    """The first Cognito call (signed, as boto3 signs), sent the moment the health check answers, waits for the
    start and succeeds."""
    port = free_port()
    process = subprocess.Popen([sys.executable, "-m", "poolgate.cli", "serve", "--no-demo", "--ephemeral",
                                "--port", str(port), "--data-dir", str(tmp_path)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                assert requests.get(f"{url}/_poolgate/health", timeout=30).json() == {"status": "ok"}
                break
            except requests.ConnectionError:
                assert time.monotonic() < deadline
                time.sleep(0.01)
        assert cognito_client(url).list_user_pools(MaxResults=5)["UserPools"] == []
    finally:
        process.terminate()
        process.wait(timeout=30)
