"""Running sync Lambda handlers off the event loop, cheaply.

A ``ThreadPoolExecutor`` hop costs more than a typical handler: a ``concurrent.futures.Future`` with its
``Condition``, an idle-semaphore check, a ``call_soon_threadsafe`` (one loop wake-up) per result, and one
thread woken per job, so under load dozens of threads take turns at the GIL. ``HandlerThreads`` keeps the
hand-off small:

- the jobs submitted during one event-loop iteration are handed over together: they go into a deque and
  one token into a ``SimpleQueue`` wakes one thread, which runs jobs until the deque is empty;
- threads are as few as keep the jobs moving: one more is woken or started only when jobs wait and no
  thread has taken one for ``STALL`` seconds (every thread busy in a slow or blocking handler), so fast
  handlers are served by one thread per burst, and blocking handlers still run side by side (up to
  ``max_threads``); idle extra threads exit;
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
"""(future, its loop's inbox, the caller's context, function, arguments)."""


class HandlerThreads:
    """A small, self-sizing thread pool whose jobs and results cross between threads in batches (module doc)."""

    def __init__(self, max_threads: int = 32, name: str = "poolgate-fn") -> None:
        self.max_threads = max(1, max_threads)
        self.name = name
        self._jobs: deque[_Job] = deque()
        self._wake: SimpleQueue[bool] = SimpleQueue()
        """One item per batch of jobs handed over (False: a thread should exit)."""
        self._handing_over = False
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
        self._jobs.append((future, inbox, contextvars.copy_context(), fn, args))
        if not self._handing_over:  # the jobs of this loop iteration go over together
            self._handing_over = True
            loop.call_soon(self._hand_over)
        return future

    def _hand_over(self) -> None:
        self._handing_over = False
        if self._closed:
            return
        if not self._threads:
            self._start()
        self._wake.put(True)
        if self._watch is None and len(self._threads) < self.max_threads:
            self._taken_seen = self._taken
            self._watch = asyncio.get_running_loop().call_later(STALL, self._check)

    def _check(self) -> None:
        """Every ``STALL`` seconds while jobs wait: no job taken since the last look → start a thread."""
        self._watch = None
        if self._closed or not self._jobs:
            return
        if self._taken == self._taken_seen:  # every thread that was woken is busy: wake or add one
            if len(self._threads) < self.max_threads:
                self._start()
            self._wake.put(True)
        self._taken_seen = self._taken
        self._watch = asyncio.get_running_loop().call_later(STALL, self._check)

    def _start(self) -> None:
        with self._lock:
            thread = threading.Thread(target=self._work, name=f"{self.name}-{len(self._threads)}", daemon=True)
            self._threads.add(thread)
        thread.start()

    def _work(self) -> None:
        jobs, wake = self._jobs, self._wake
        me = threading.current_thread()
        try:
            while True:
                try:
                    if not wake.get(timeout=IDLE_EXIT):
                        return
                except Empty:
                    with self._lock:
                        if len(self._threads) > 1:
                            self._threads.discard(me)
                            return
                    continue
                while True:
                    try:
                        future, inbox, context, fn, args = jobs.popleft()
                    except IndexError:
                        break
                    self._taken += 1  # racy between threads, harmless: only "did it move" matters
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
            self._wake.put(False)
