"""Local Lambda handlers: sync handlers always run off the event loop; timeouts and errors map to 504/502."""

from __future__ import annotations

import asyncio
import threading
import time
from pathlib import Path

import pytest

from poolgate.apigw.domain import Function
from poolgate.dataplane.functions import FunctionError, FunctionRuntime, FunctionTimeout

CODE = '''
import threading, time
def fast(event, context):
    return {"n": event["n"], "name": context.function_name, "thread": threading.current_thread().name}
def waits(event, context):
    time.sleep(event.get("sleep", 0.06))
    return {"ok": True}
def fails(event, context):
    raise TimeoutError("the handler's own timeout")
'''


def _runtime(tmp_path: Path) -> FunctionRuntime:
    (tmp_path / "mod.py").write_text(CODE)
    functions = {name: Function(name, f"mod.{name}", str(tmp_path), timeout=5) for name in ("fast", "waits", "fails")}
    return FunctionRuntime(functions, "us-east-1", "000000000000", workers=4)


def test_sync_handlers_run_off_the_event_loop(tmp_path: Path) -> None:
    """Even a handler that was fast many times runs on a pool thread: if it then blocks, the loop keeps
    serving (other invocations complete meanwhile) and its timeout still answers."""
    runtime = _runtime(tmp_path)

    async def run() -> None:
        loop_thread = threading.current_thread().name
        for n in range(20):
            result = await runtime.invoke("fast", {"n": n}, f"r{n}", 29)
            assert result["n"] == n and result["name"] == "fast" and result["thread"] != loop_thread
        slow = asyncio.ensure_future(runtime.invoke("waits", {"sleep": 0.4}, "w", 29))
        await asyncio.sleep(0.02)
        started = time.monotonic()
        ticks = 0
        while not slow.done() and ticks < 5:  # the loop is free while the handler sleeps
            await asyncio.sleep(0.01)
            ticks += 1
        assert ticks == 5
        fast = await runtime.invoke("fast", {"n": 99}, "r99", 29)  # another thread takes it meanwhile
        assert fast["n"] == 99 and time.monotonic() - started < 0.3 and not slow.done()
        assert await slow == {"ok": True}

    asyncio.run(run())
    runtime.close()


def test_timeouts_and_errors(tmp_path: Path) -> None:
    runtime = _runtime(tmp_path)

    async def run() -> None:
        with pytest.raises(FunctionTimeout):  # the integration gave up first: 504
            await runtime.invoke("waits", {"sleep": 0.5}, "t", 0.1)
        with pytest.raises(FunctionError):  # the handler's own TimeoutError is a function error: 502
            await runtime.invoke("fails", {}, "f", 29)
        with pytest.raises(FunctionError):
            await runtime.invoke("undeclared", {}, "u", 29)

    asyncio.run(run())
    runtime.close()


def test_blocking_handlers_run_side_by_side(tmp_path: Path) -> None:
    """Handlers that block each get a thread (the pool grows when jobs wait): four 0.3 s sleeps take ~0.3 s."""
    runtime = _runtime(tmp_path)

    async def run() -> None:
        started = time.monotonic()
        results = await asyncio.gather(*[runtime.invoke("waits", {"sleep": 0.3}, f"w{i}", 29) for i in range(4)])
        assert results == [{"ok": True}] * 4
        assert time.monotonic() - started < 0.9

    asyncio.run(run())
    runtime.close()


def test_inline_opt_in_runs_on_the_event_loop(tmp_path: Path) -> None:
    (tmp_path / "mod.py").write_text(CODE)
    runtime = FunctionRuntime({"fast": Function("fast", "mod.fast", str(tmp_path), timeout=5, inline=True)},
                              "us-east-1", "000000000000")

    async def run() -> None:
        result = await runtime.invoke("fast", {"n": 1}, "r1", 29)
        assert result["thread"] == threading.current_thread().name

    asyncio.run(run())
    runtime.close()
