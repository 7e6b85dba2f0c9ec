"""Local Lambda handlers: fast sync handlers move onto the event loop, slow ones stay in the thread pool."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from poolgate.apigw.domain import Function
from poolgate.dataplane.functions import FunctionError, FunctionRuntime, FunctionTimeout

CODE = '''
import time
def fast(event, context):
    return {"n": event["n"], "name": context.function_name}
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


def test_fast_handlers_run_inline_after_probing(tmp_path: Path) -> None:
    runtime = _runtime(tmp_path)

    async def run() -> None:
        for n in range(5):
            assert await runtime.invoke("fast", {"n": n}, f"r{n}", 29) == {"n": n, "name": "fast"}
        assert await runtime.invoke("waits", {}, "w", 29) == {"ok": True}
        assert await runtime.invoke("waits", {}, "w", 29) == {"ok": True}

    asyncio.run(run())
    assert runtime._pace["fast"].inline
    assert not runtime._pace["waits"].inline and runtime._pace["waits"].slow
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
