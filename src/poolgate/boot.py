"""Listening before the planes are loaded: ``poolgate serve`` with nothing declared (no poolgate.yaml, no demo).

With nothing declared there is nothing a start can refuse but the database itself, so the server need not load
the planes (botocore's service models, SQLAlchemy, Alembic, the data plane: ~1 s of imports) before it listens.
``DeferredStart`` is the ASGI app uvicorn runs then: at lifespan start-up it begins building the real app
(``build`` in a worker thread, so the event loop keeps answering) and starting it (migration, start-up hooks)
in the background, and reports start-up complete at once. ``/_poolgate/health`` is answered from the first
moment (after the same Host check as every request, edge.py); every other request waits for the app, then goes
to it. A start that fails is logged as a failed lifespan start-up is, and stops the server with uvicorn's
start-up failure code (3). With a poolgate.yaml, ``poolgate serve`` starts everything before it listens, as
before: a declared pool or API it must refuse is refused before anyone is told the server is up.

bench/startup.py measures what this buys (bench/RESULTS.md).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from .edge import local_host_refusal
from .http import Receive, Scope, Send, send_json
from .settings import Settings

if TYPE_CHECKING:
    from .app import PoolgateApp

log = logging.getLogger("poolgate")

HEALTH = "/_poolgate/health"
STARTUP_FAILURE = 3
"""The exit code uvicorn gives a failed lifespan start-up (``uvicorn.config.STARTUP_FAILURE``)."""


class DeferredStart:
    """An ASGI app that listens at once and hands every request but the health check to the app ``build``
    returns, once it is built and started."""

    def __init__(self, settings: Settings, build: Callable[[], PoolgateApp], stop: Callable[[], None],
                 listening: Callable[[], bool] = lambda: True) -> None:
        self.settings = settings
        self._build = build
        self._stop = stop
        """Asks the server to stop (``uvicorn.Server.should_exit``): the start failed."""
        self._listening = listening
        """Whether the socket is bound (``uvicorn.Server.started``): uvicorn binds after the lifespan start-up,
        and an import thread begun before would hold the GIL through the bind and the first answer."""
        self.app: PoolgateApp | None = None
        """The started app (None until its start has finished)."""
        self._built: PoolgateApp | None = None
        self.failed = False
        self._starting: asyncio.Task[PoolgateApp] | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
            return
        app = self.app
        if app is None:
            if scope["type"] == "http" and scope["path"] == HEALTH and not self.failed:
                await self._health(scope, send)
                return
            try:
                app = await self._started()
            except Exception:  # logged by _start; the server is stopping
                if scope["type"] == "http":
                    await send_json(send, 500, {"__type": "InternalErrorException",
                                                "message": "poolgate failed to start: its log says why"}, [])
                return
        await app(scope, receive, send)

    async def _health(self, scope: Scope, send: Send) -> None:
        headers = [(bytes(k).decode("latin-1"), bytes(v).decode("latin-1")) for k, v in scope["headers"]]
        host = next((value for name, value in headers if name == "host"), None)
        refusal = local_host_refusal(self.settings, host) if self.settings.local_mode else None
        if refusal is not None:
            await send_json(send, refusal.status, {"__type": refusal.code, "message": refusal.message},
                            [("x-amzn-errortype", refusal.code)])
            return
        await send_json(send, 200, {"status": "ok"}, [])

    async def _started(self) -> PoolgateApp:
        if self._starting is None:  # a request before lifespan start-up (lifespan="off"): start now
            self._starting = asyncio.ensure_future(self._start())
        return await asyncio.shield(self._starting)

    async def _start(self) -> PoolgateApp:
        try:
            for _ in range(500):  # at most ~1 s: a request may be waiting, or the bind may be slow
                if self._listening():
                    break
                await asyncio.sleep(0.002)
            app = self._built = await asyncio.to_thread(self._build)
            await app.startup()
        except BaseException as exc:
            from .config import ConfigError

            self.failed = True
            if isinstance(exc, ConfigError):  # as app.py's lifespan: file, path and problem, no traceback
                log.error("%s", exc)
            elif not isinstance(exc, asyncio.CancelledError):
                log.exception("startup failed")
            log.error("Application startup failed. Exiting.")
            self._stop()
            raise
        self.app = app
        return app

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                self._starting = asyncio.ensure_future(self._start())
                self._starting.add_done_callback(_consume)
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                if self._starting is not None and not self._starting.done():
                    self._starting.cancel()
                    await asyncio.gather(self._starting, return_exceptions=True)
                if self._built is not None and not self.failed:  # as uvicorn: no shutdown after a failed start
                    await self._built.shutdown()
                await send({"type": "lifespan.shutdown.complete"})
                return


def _consume(task: asyncio.Task[Any]) -> None:
    """A failed start is logged by ``_start``; reading the exception keeps asyncio from logging it again."""
    if not task.cancelled():
        task.exception()
