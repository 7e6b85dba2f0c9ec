"""Running sync Lambda handlers off the event loop, cheaply.

A ``ThreadPoolExecutor`` hop costs more than a typical handler: a ``concurrent.futures.Future`` with its
``Condition``, an idle-semaphore check, a ``call_soon_threadsafe`` (one loop wake-up) per result, and one
thread woken per job, so under load dozens of threads take turns at the GIL. ``HandlerThreads`` keeps the
hand-off small:

- jobs go into one ``SimpleQueue`` read by as few threads as keep it moving; a thread is added only when
  jobs wait and no thread has taken one for ``STALL`` seconds (every thread busy in a slow or blocking
  handler), so fast handlers are served by one thread that takes a whole burst of jobs per GIL hand-off,
  and blocking handlers still run side by side (up to ``max_threads``); idle extra threads exit;
- results go back to the event loop in batches: a thread appends to the loop's inbox and wakes the loop
  only when the inbox had nothing pending, and the loop resolves every ready ``asyncio.Future`` at once.

The event loop never runs handler code, so a handler that blocks cannot freeze the gateway, and the
integration timeout (504) fires while the handler is still running.
"""

from __future__ import annotations

import asyncio
import contextvars
import threading
from collections import deque
from collections.abc import Callable
from queue import Empty, SimpleQueue
from typing import Any

STALL = 0.005
"""Seconds a job may wait while every thread is busy before one more thread is started."""
IDLE_EXIT = 30.0
"""Seconds an extra thread (beyond the first) waits for a job before it exits."""


class _Inbox:
    """Results bound for one event loop, delivered in batches (one loop wake-up per batch)."""

    __slots__ = ("items", "loop", "scheduled")

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self.items: deque[tuple[asyncio.Future[Any], bool, Any]] = deque()
        self.scheduled = False

    def post(self, future: asyncio.Future[Any], ok: bool, value: Any) -> None:  # any thread
        self.items.append((future, ok, value))
        if not self.scheduled:
            self.scheduled = True
            try:
                self.loop.call_soon_threadsafe(self.drain)
            except RuntimeError:  # the loop is closed: nobody waits for these results any more
                self.items.clear()

    def drain(self) -> None:  # the loop's thread
        self.scheduled = False  # before popping: a result appended after this wakes the loop again
        items = self.items
        while items:
            future, ok, value = items.popleft()
            if future.done():  # timed out or cancelled meanwhile
                continue
            if ok:
                future.set_result(value)
            else:
                future.set_exception(value)


_Job = tuple[asyncio.Future[Any], _Inbox, contextvars.Context, Callable[..., Any], tuple[Any, ...]]


class HandlerThreads:
    """A small, self-sizing thread pool whose results come back to asyncio in batches (see the module doc)."""

    def __init__(self, max_threads: int = 32, name: str = "poolgate-fn") -> None:
        self.max_threads = max(1, max_threads)
        self.name = name
        self._jobs: SimpleQueue[_Job | None] = SimpleQueue()
        self._threads: set[threading.Thread] = set()
        self._lock = threading.Lock()
        self._taken = 0
        """Jobs taken so far (any thread): a value that does not move while jobs wait means all are busy."""
        self._taken_seen = -1
        self._inbox: _Inbox | None = None
        self._watch: asyncio.TimerHandle | None = None
        self._closed = False

    @property
    def threads(self) -> int:
        return len(self._threads)

    def submit(self, fn: Callable[..., Any], *args: Any) -> asyncio.Future[Any]:
        """Run ``fn(*args)`` in a copy of the caller's context on a pool thread; await the returned future."""
        if self._closed:
            raise RuntimeError("HandlerThreads is closed")
        loop = asyncio.get_running_loop()
        inbox = self._inbox
        if inbox is None or inbox.loop is not loop:
            inbox = self._inbox = _Inbox(loop)
        future = loop.create_future()
        self._jobs.put((future, inbox, contextvars.copy_context(), fn, args))
        if not self._threads:
            self._start()
        elif self._watch is None and len(self._threads) < self.max_threads:
            self._taken_seen = self._taken
            self._watch = loop.call_later(STALL, self._check)
        return future

    def _check(self) -> None:
        """Every ``STALL`` seconds while jobs wait: no job taken since the last look → start a thread."""
        self._watch = None
        if self._closed or self._jobs.empty():
            return
        if self._taken == self._taken_seen and len(self._threads) < self.max_threads:
            self._start()
        self._taken_seen = self._taken
        self._watch = asyncio.get_running_loop().call_later(STALL, self._check)

    def _start(self) -> None:
        with self._lock:
            thread = threading.Thread(target=self._work, name=f"{self.name}-{len(self._threads)}", daemon=True)
            self._threads.add(thread)
        thread.start()

    def _work(self) -> None:
        jobs = self._jobs
        me = threading.current_thread()
        try:
            while True:
                try:
                    job = jobs.get(timeout=IDLE_EXIT)
                except Empty:
                    with self._lock:
                        if len(self._threads) > 1:
                            self._threads.discard(me)
                            return
                    continue
                if job is None:
                    return
                self._taken += 1  # racy between threads, harmless: only "did it move" matters
                future, inbox, context, fn, args = job
                del job
                try:
                    value, ok = context.run(fn, *args), True
                except (StopIteration, KeyboardInterrupt, SystemExit) as exc:
                    # asyncio refuses StopIteration in a future, and SystemExit would stop the server's loop
                    value, ok = RuntimeError(f"{type(exc).__name__}: {exc}"), False
                except BaseException as exc:
                    value, ok = exc, False
                inbox.post(future, ok, value)
                del future, inbox, context, fn, args, value
        finally:
            with self._lock:
                self._threads.discard(me)

    def close(self) -> None:
        """Stop taking jobs; running handlers finish on their own (the threads are daemons)."""
        self._closed = True
        if self._watch is not None:
            self._watch.cancel()
            self._watch = None
        for _ in range(len(self._threads)):
            self._jobs.put(None)

import os as _os, sys as _sys  # noqa  EXPERIMENT
if _os.environ.get("PG_SWITCH"):
    _sys.setswitchinterval(float(_os.environ["PG_SWITCH"]))
if _os.environ.get("PG_GCLOG"):
    import gc as _gc, time as _t, atexit as _ae
    _st = {}
    _log = []
    def _cb(phase, info):
        if phase == "start":
            _st["t"] = _t.perf_counter()
        else:
            _log.append((info["generation"], _t.perf_counter() - _st["t"]))
    _gc.callbacks.append(_cb)
    def _dump():
        import collections
        by = collections.defaultdict(list)
        for g, d in _log:
            by[g].append(d)
        with open(_os.environ["PG_GCLOG"], "w") as f:
            for g, ds in sorted(by.items()):
                f.write(f"gen{g}: n={len(ds)} total={sum(ds)*1000:.1f}ms max={max(ds)*1000:.1f}ms\n")
            f.write(f"objects={len(_gc.get_objects())}\n")
    _ae.register(_dump)
