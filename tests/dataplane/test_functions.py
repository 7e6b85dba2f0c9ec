"""Local Lambda handlers: sync handlers always run off the event loop; timeouts and errors map to 504/502."""

from __future__ import annotations

import asyncio
import re
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


ENV_CODE = '''
import os

TABLE_AT_IMPORT = os.environ.get("TABLE")

def env(event, context):
    if event.get("set"):
        os.environ["SEEN"] = event["set"]
    return {"table": os.environ.get("TABLE"), "at_import": TABLE_AT_IMPORT, "getenv": os.getenv("TABLE"),
            "name": os.environ["AWS_LAMBDA_FUNCTION_NAME"], "region": os.environ["AWS_REGION"],
            "memory": os.environ["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"], "handler": os.environ["_HANDLER"],
            "seen": os.environ.get("SEEN"), "copied": os.environ.copy().get("TABLE")}

def context_shape(event, context):
    context.custom = "set by the handler"  # the runtime's context takes new attributes
    context.log("a line from context.log\\n")
    return {"identity": [context.identity.cognito_identity_id, context.identity.cognito_identity_pool_id],
            "client_context": context.client_context, "tenant_id": context.tenant_id, "custom": context.custom,
            "repr": repr(context)}
'''


def test_each_function_sees_its_own_environment(tmp_path: Path) -> None:
    (tmp_path / "envmod.py").write_text(ENV_CODE)
    functions = {
        "orders": Function("orders", "envmod.env", str(tmp_path), environment={"TABLE": "orders-table"}),
        "users": Function("users", "envmod.env", str(tmp_path), environment={"TABLE": "users-table"},
                          memory_size=512),
        "plain": Function("plain", "envmod.env", str(tmp_path)),
    }
    runtime = FunctionRuntime(functions, "eu-west-1", "000000000000", workers=4)

    async def run() -> list[dict[str, str]]:
        return list(await asyncio.gather(*(runtime.invoke(name, {"set": f"by-{name}"}, f"r-{name}", 29)
                                           for name in ("orders", "users", "plain"))))

    try:
        orders, users, plain = asyncio.run(run())
    finally:
        runtime.close()
    assert orders == {"table": "orders-table", "at_import": "orders-table", "getenv": "orders-table",
                      "name": "orders", "region": "eu-west-1", "memory": "128", "handler": "envmod.env",
                      "seen": "by-orders", "copied": "orders-table"}
    assert users["table"] == users["getenv"] == "users-table" and users["memory"] == "512"
    assert users["seen"] == "by-users" and users["name"] == "users"
    assert plain["table"] is None and plain["name"] == "plain" and plain["seen"] == "by-plain"
    # outside every invocation the process environment is as it was
    import os
    assert "TABLE" not in os.environ and "SEEN" not in os.environ and "AWS_LAMBDA_FUNCTION_NAME" not in os.environ


def test_context_object_is_shaped_like_the_python_runtimes(tmp_path: Path) -> None:
    (tmp_path / "ctxmod.py").write_text(ENV_CODE)
    runtime = FunctionRuntime({"shape": Function("shape", "ctxmod.context_shape", str(tmp_path))}, "us-east-1",
                              "000000000000", workers=2)
    try:
        result = asyncio.run(runtime.invoke("shape", {}, "req-1", 29))
    finally:
        runtime.close()
    assert result["identity"] == [None, None] and result["client_context"] is None and result["tenant_id"] is None
    assert result["custom"] == "set by the handler"
    uuid4 = r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"
    assert re.match(rf"LambdaContext\(\[aws_request_id={uuid4},log_group_name=/aws/lambda/shape,", result["repr"])
