"""Node.js and provided.al2023 functions through FunctionRuntime, real child processes speaking the Lambda
Runtime API: handler loading, the context object, environment, logs with START/END/REPORT, warm reuse,
errors, timeouts, crashes and reserved concurrency."""

from __future__ import annotations

import asyncio
import logging
import os
import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from poolgate.apigw.domain import Function
from poolgate.dataplane.functions import FunctionError, FunctionRuntime, FunctionThrottled, FunctionTimeout
from tests.support import IN_CI

if shutil.which("node") is None:
    if IN_CI:
        pytest.fail("node is not installed and CI=true")
    pytest.skip("node is not installed", allow_module_level=True)

TUTORIAL = """export const handler = async (event) => {
  const response = {
    statusCode: 200,
    body: JSON.stringify('Hello from Lambda!'),
  };
  return response;
};
"""

CALLBACK = """let invocations = 0;
exports.handler = function (event, context, callback) {
  invocations += 1;
  console.log('cjs saw', JSON.stringify(event));
  const seen = {
    invocations, pid: process.pid,
    awsRequestId: context.awsRequestId, remaining: context.getRemainingTimeInMillis(),
    functionName: context.functionName, functionVersion: context.functionVersion,
    invokedFunctionArn: context.invokedFunctionArn, memoryLimitInMB: context.memoryLimitInMB,
    logGroupName: context.logGroupName, logStreamName: context.logStreamName,
    waits: context.callbackWaitsForEmptyEventLoop,
    env: { TABLE: process.env.TABLE, AWS_LAMBDA_FUNCTION_NAME: process.env.AWS_LAMBDA_FUNCTION_NAME,
           AWS_REGION: process.env.AWS_REGION, AWS_EXECUTION_ENV: process.env.AWS_EXECUTION_ENV,
           AWS_LAMBDA_FUNCTION_MEMORY_SIZE: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
           _HANDLER: process.env._HANDLER, LAMBDA_TASK_ROOT: process.env.LAMBDA_TASK_ROOT,
           AWS_LAMBDA_RUNTIME_API: process.env.AWS_LAMBDA_RUNTIME_API, _X_AMZN_TRACE_ID: process.env._X_AMZN_TRACE_ID,
           POOLGATE_TEST_SECRET: process.env.POOLGATE_TEST_SECRET },
  };
  if (event.linger) {
    context.callbackWaitsForEmptyEventLoop = event.linger === 'wait';
    setTimeout(() => {}, 400);  // keeps the event loop busy after the callback
  }
  setTimeout(() => callback(null, seen), 5);
};
"""

ERRORS = """export const handler = async (event) => {
  if (event.kind === 'throw') {
    const error = new TypeError('bad input: ' + event.value);
    throw error;
  }
  if (event.kind === 'crash') {
    setTimeout(() => { throw new Error('escaped the handler'); }, 0);
    return new Promise(() => {});
  }
  if (event.kind === 'exit') process.exit(3);
  if (event.kind === 'sleep') {
    await new Promise((resolve) => setTimeout(resolve, event.ms));
    return { slept: event.ms, pid: process.pid };
  }
  return { pid: process.pid };
};
"""

BOOTSTRAP = """#!/bin/sh
# a custom runtime in shell, as AWS's tutorial writes one (curl against the Runtime API)
set -eu
API="http://${AWS_LAMBDA_RUNTIME_API}/2018-06-01/runtime"
while true; do
  HEADERS="$(mktemp)"
  EVENT=$(curl -sS -LD "$HEADERS" "$API/invocation/next")
  REQUEST_ID=$(grep -Fi Lambda-Runtime-Aws-Request-Id "$HEADERS" | tr -d '[:space:]' | cut -d: -f2)
  rm -f "$HEADERS"
  echo "shell runtime got $EVENT"
  curl -sS -X POST "$API/invocation/$REQUEST_ID/response" \\
    -d "{\\"statusCode\\": 200, \\"body\\": \\"from $GREETING in $_HANDLER\\"}" >/dev/null
done
"""


def _write(folder: Path, files: dict[str, str]) -> str:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (folder / name).write_text(text)
    return str(folder)


@pytest.fixture
def runtime(tmp_path: Path) -> Iterator[FunctionRuntime]:
    os.environ["POOLGATE_TEST_SECRET"] = "the server's own"  # a function must not see poolgate's environment
    shell = _write(tmp_path / "shell", {"bootstrap": BOOTSTRAP})
    (tmp_path / "shell" / "bootstrap").chmod(0o755)
    functions = {
        "tutorial": Function("tutorial", "index.handler", _write(tmp_path / "tutorial", {"index.mjs": TUTORIAL}),
                             runtime="nodejs22.x"),
        "callback": Function("callback", "src/app.handler", _write(tmp_path / "callback", {}), timeout=5,
                             memory_size=256, environment={"TABLE": "pets"}, runtime="nodejs18.x"),
        "typemodule": Function("typemodule", "main.handler", _write(
            tmp_path / "typemodule", {"package.json": '{"type": "module"}',
                                      "main.js": "export const handler = async (e) => ({module: import.meta.url})"}),
            runtime="nodejs20.x"),
        "errors": Function("errors", "index.handler", _write(tmp_path / "errors", {"index.mjs": ERRORS}),
                           timeout=1, runtime="nodejs20.x"),
        "limited": Function("limited", "index.handler", str(tmp_path / "errors"), timeout=5,
                            runtime="nodejs20.x", reserved_concurrency=2),
        "missing": Function("missing", "index.nothere", str(tmp_path / "tutorial"), runtime="nodejs20.x"),
        "callback24": Function("callback24", "src/app.handler", str(tmp_path / "callback"), runtime="nodejs24.x"),
        "shell": Function("shell", "function.handler", shell, environment={"GREETING": "sh"},
                          runtime="provided.al2023"),
    }
    _write(tmp_path / "callback" / "src", {"app.js": CALLBACK})
    runtime = FunctionRuntime(functions, "eu-west-1", "123456789012")
    yield runtime
    runtime.close()
    os.environ.pop("POOLGATE_TEST_SECRET", None)


def _run(coro: Any) -> Any:
    return asyncio.run(coro)


def _lines(caplog: pytest.LogCaptureFixture, logger: str) -> list[str]:
    """The server log's lines of one function (a record may hold several lines of one invocation)."""
    return [line for record in caplog.records if record.name == logger for line in record.getMessage().split("\n")]


def _error(exc: pytest.ExceptionInfo[FunctionError]) -> dict[str, Any]:
    document = exc.value.document
    assert document is not None and str(exc.value) == document["errorMessage"]
    return document


def test_the_tutorial_handler_verbatim(runtime: FunctionRuntime) -> None:
    async def run() -> Any:
        return await runtime.invoke("tutorial", {"path": "/"}, "gw-1", 29)

    assert _run(run()) == {"statusCode": 200, "body": '"Hello from Lambda!"'}


def test_commonjs_callback_handler_context_and_environment(runtime: FunctionRuntime,
                                                           caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="poolgate.function")

    async def run() -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
        first = await runtime.invoke("callback", {"n": 1}, "gw-first", 29)
        second = await runtime.invoke("callback", {"n": 2}, "gw-second", 29)
        module = await runtime.invoke("typemodule", {}, "gw-module", 29)
        return first, second, module

    first, second, module = _run(run())
    assert second["pid"] == first["pid"] and second["invocations"] == 2  # the warm instance is reused
    assert first["functionName"] == "callback" and first["functionVersion"] == "$LATEST"
    assert first["invokedFunctionArn"] == "arn:aws:lambda:eu-west-1:123456789012:function:callback"
    assert first["memoryLimitInMB"] == "256" and first["logGroupName"] == "/aws/lambda/callback"
    assert "[$LATEST]" in first["logStreamName"] and first["waits"] is True
    assert 4000 < first["remaining"] <= 5000
    assert first["awsRequestId"] != second["awsRequestId"]
    env = first["env"]
    assert env["TABLE"] == "pets" and env["AWS_LAMBDA_FUNCTION_NAME"] == "callback"
    assert env["AWS_REGION"] == "eu-west-1" and env["AWS_EXECUTION_ENV"] == "AWS_Lambda_nodejs18.x"
    assert env["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"] == "256" and env["_HANDLER"] == "src/app.handler"
    assert env["AWS_LAMBDA_RUNTIME_API"].startswith("127.0.0.1:")
    assert "POOLGATE_TEST_SECRET" not in env  # poolgate's own environment stays out
    assert module["module"].endswith("/main.js")
    lines = _lines(caplog, "poolgate.function.callback")
    first_id = first["awsRequestId"]
    assert f"gw-first\tSTART RequestId: {first_id} Version: $LATEST" in lines
    assert any("\tWARN\tAWS Lambda plans to remove support for callback-based function handlers" in line
               for line in lines)  # nodejs18.x: announced, still served
    printed = [line for line in lines if "cjs saw" in line]
    assert printed[0].startswith("gw-first\t") and f"\t{first_id}\tINFO\tcjs saw {{\"n\":1}}" in printed[0]
    assert f"gw-first\tEND RequestId: {first_id}" in lines
    reports = [line for line in lines if "REPORT RequestId" in line]
    assert len(reports) == 2
    assert "Init Duration: " in reports[0] and "Init Duration" not in reports[1]  # only the cold start
    for report in reports:
        assert "\tDuration: " in report and " ms\tBilled Duration: " in report
        assert "\tMemory Size: 256 MB\tMax Memory Used: " in report
    order = [lines.index(line) for line in (f"gw-first\tSTART RequestId: {first_id} Version: $LATEST", printed[0],
                                            f"gw-first\tEND RequestId: {first_id}")]
    assert order == sorted(order)


def test_callback_waits_for_the_event_loop_unless_told_not_to(runtime: FunctionRuntime) -> None:
    async def timed(linger: str) -> float:
        started = time.monotonic()
        await runtime.invoke("callback", {"linger": linger}, "gw", 29)
        return time.monotonic() - started

    async def run() -> tuple[float, float]:
        await runtime.invoke("callback", {}, "warm", 29)
        return await timed("wait"), await timed("nowait")

    waited, answered = _run(run())
    assert waited >= 0.39 and answered < 0.3


def test_errors_timeouts_and_crashes(runtime: FunctionRuntime, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="poolgate.function")
    pool_pids: list[int | None] = []

    async def run() -> None:
        first = await runtime.invoke("errors", {}, "gw", 29)
        with pytest.raises(FunctionError) as thrown:
            await runtime.invoke("errors", {"kind": "throw", "value": 7}, "gw-throw", 29)
        document = _error(thrown)
        assert document["errorType"] == "TypeError" and document["errorMessage"] == "bad input: 7"
        assert document["trace"][0] == "TypeError: bad input: 7" and "index.mjs" in document["trace"][1]
        assert (await runtime.invoke("errors", {}, "gw", 29))["pid"] == first["pid"]  # a handled error keeps it

        with pytest.raises(FunctionError) as timed_out:
            await runtime.invoke("errors", {"kind": "sleep", "ms": 3000}, "gw-timeout", 29)
        document = _error(timed_out)
        assert document["errorType"] == "Sandbox.Timedout"
        assert document["errorMessage"].endswith(" Error: Task timed out after 1.00 seconds")
        await asyncio.sleep(0.2)
        assert not _alive(first["pid"])  # the timed-out instance was killed
        replaced = await runtime.invoke("errors", {}, "gw", 29)
        assert replaced["pid"] != first["pid"]

        with pytest.raises(FunctionError) as exited:
            await runtime.invoke("errors", {"kind": "exit"}, "gw-exit", 29)
        document = _error(exited)
        assert document["errorType"] == "Runtime.ExitError"
        assert document["errorMessage"].endswith("Error: Runtime exited with error: exit status 3")
        with pytest.raises(FunctionError) as crashed:
            await runtime.invoke("errors", {"kind": "crash"}, "gw-crash", 29)
        assert _error(crashed)["errorMessage"] == "escaped the handler"
        after = await runtime.invoke("errors", {}, "gw", 29)  # a crashed instance is replaced
        assert after["pid"] not in (first["pid"], replaced["pid"])
        pool = runtime.pool("errors")
        assert pool is not None
        pool_pids.extend(instance.pid for instance in pool.instances)

        with pytest.raises(FunctionTimeout):  # the caller gives up first (API Gateway's integration timeout)
            await runtime.invoke("errors", {"kind": "sleep", "ms": 600}, "gw-short", 0.2)
        with pytest.raises(FunctionError) as missing:
            await runtime.invoke("missing", {}, "gw", 29)
        document = _error(missing)
        assert document["errorType"] == "Runtime.HandlerNotFound"
        assert document["errorMessage"] == "index.nothere is undefined or not exported"
        with pytest.raises(FunctionError) as refused:  # nodejs24.x has no callback handlers
            await runtime.invoke("callback24", {}, "gw", 29)
        document = _error(refused)
        assert document["errorType"] == "Runtime.CallbackHandlerDeprecated"
        assert document["errorMessage"].startswith("ERROR: AWS Lambda has removed support for callback-based")

    _run(run())
    lines = _lines(caplog, "poolgate.function.errors")
    assert any(line.startswith("gw-timeout\t") and line.endswith("Task timed out after 1.00 seconds")
               for line in lines)
    assert any(line.startswith("gw-timeout\tREPORT") and line.endswith("\tStatus: timeout") for line in lines)
    assert any(line.startswith("gw-exit\tRequestId: ") and line.endswith("exit status 3") for line in lines)
    assert len(pool_pids) == 1


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/status") as status:
            return "zombie" not in status.read()
    except OSError:
        return False


def test_instances_scale_to_the_reserved_concurrency_then_throttle(runtime: FunctionRuntime) -> None:
    async def run() -> None:
        results = await asyncio.gather(
            *(runtime.invoke("limited", {"kind": "sleep", "ms": 700}, f"gw-{n}", 29) for n in range(4)),
            return_exceptions=True)
        served = [r for r in results if isinstance(r, dict)]
        throttled = [r for r in results if isinstance(r, FunctionThrottled)]
        assert len(served) == 2 and len(throttled) == 2, results
        assert len({r["pid"] for r in served}) == 2  # two instances side by side
        pool = runtime.pool("limited")
        assert pool is not None and len(pool.instances) == 2 and len(pool.idle) == 2
        again = await asyncio.gather(*(runtime.invoke("limited", {}, "gw", 29) for _ in range(2)))
        assert {r["pid"] for r in again} == {r["pid"] for r in served}  # both warm, reused
        many = await asyncio.gather(
            *(runtime.invoke("errors", {"kind": "sleep", "ms": 500}, "gw", 29) for _ in range(5)))
        assert len({r["pid"] for r in many}) == 5  # without reserved concurrency: one instance each

    _run(run())


def test_provided_al2023_shell_bootstrap(runtime: FunctionRuntime, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="poolgate.function")

    async def run() -> list[Any]:
        return [await runtime.invoke("shell", {"n": n}, f"gw-sh{n}", 29) for n in range(2)]

    results = _run(run())
    assert results == [{"statusCode": 200, "body": "from sh in function.handler"}] * 2
    lines = _lines(caplog, "poolgate.function.shell")
    assert 'gw-sh1\tshell runtime got {"n": 1}' in lines
    assert sum("REPORT RequestId" in line for line in lines) == 2


def test_a_caller_that_goes_away_leaves_the_instance_usable(runtime: FunctionRuntime) -> None:
    """A client that hangs up mid-invocation (its request task cancelled): the invocation runs to its end and
    the instance is warm again, instead of staying busy forever (and counting against the concurrency)."""
    async def run() -> None:
        first = await runtime.invoke("limited", {}, "gw", 29)
        task = asyncio.ensure_future(runtime.invoke("limited", {"kind": "sleep", "ms": 300}, "gw-gone", 29))
        await asyncio.sleep(0.1)
        task.cancel()
        await asyncio.sleep(0.6)
        pool = runtime.pool("limited")
        assert pool is not None and len(pool.instances) == 1 and len(pool.idle) == 1
        assert (await runtime.invoke("limited", {}, "gw", 29))["pid"] == first["pid"]

    _run(run())


def test_new_code_lets_running_invocations_finish_and_stopping_ends_them(tmp_path: Path) -> None:
    """define() (UpdateFunctionCode) while an invocation runs: it ends on the code it started with and the next
    one runs the new code; close() (the server stops) ends a running invocation at once as a killed runtime."""
    old = _write(tmp_path / "old", {"index.mjs": "export const handler = async (e) => {\n"
                                                 "  await new Promise((r) => setTimeout(r, e.ms || 0));\n"
                                                 "  return { code: 'old' };\n};\n"})
    new = _write(tmp_path / "new", {"index.mjs": "export const handler = async () => ({ code: 'new' });\n"})
    runtime = FunctionRuntime({"fn": Function("fn", "index.handler", old, timeout=10, runtime="nodejs20.x")},
                              "us-east-1", "000000000000")

    async def run() -> None:
        await runtime.invoke("fn", {}, "gw", 29)
        running = asyncio.ensure_future(runtime.invoke("fn", {"ms": 400}, "gw", 29))
        await asyncio.sleep(0.1)
        runtime.define(Function("fn", "index.handler", new, timeout=10, runtime="nodejs20.x"))
        assert await runtime.invoke("fn", {}, "gw", 29) == {"code": "new"}
        assert await running == {"code": "old"}
        runtime.define(Function("fn", "index.handler", old, timeout=10, runtime="nodejs20.x"))
        slow = asyncio.ensure_future(runtime.invoke("fn", {"ms": 5000}, "gw", 29))
        await asyncio.sleep(0.5)
        runtime.close()
        with pytest.raises(FunctionError) as stopped:
            await asyncio.wait_for(slow, 2)
        assert stopped.value.document is not None
        assert stopped.value.document["errorType"] == "Runtime.ExitError"

    _run(run())


RIC_APP = """
def handler(event, context):
    print("ric saw", event)
    if event.get("fail"):
        raise ValueError("ric failure")
    return {"event": event, "fn": context.function_name, "rid": context.aws_request_id,
            "arn": context.invoked_function_arn, "remaining": context.get_remaining_time_in_millis()}
"""


def test_awss_own_python_runtime_interface_client(tmp_path: Path) -> None:
    """AWS's awslambdaric (the Python runtime's own client, with its native Runtime API client) as the
    bootstrap of a provided.al2023 function: it runs unchanged against poolgate's Runtime API."""
    import sys

    try:
        import awslambdaric  # noqa: F401
    except ImportError:
        if IN_CI:
            pytest.fail("awslambdaric is a test dependency (pyproject.toml [test]) and CI=true")
        pytest.skip("awslambdaric is not installed")
    code = _write(tmp_path / "ric", {"app.py": RIC_APP,
                                     "bootstrap": '#!/bin/sh\nexec "$RIC_PYTHON" -m awslambdaric "$_HANDLER"\n'})
    (tmp_path / "ric" / "bootstrap").chmod(0o755)
    runtime = FunctionRuntime({"ric": Function("ric", "app.handler", code, timeout=5, runtime="provided.al2023",
                                               environment={"RIC_PYTHON": sys.executable})},
                              "us-east-1", "000000000000")

    async def run() -> None:
        first = await runtime.invoke("ric", {"n": 1}, "gw", 29)
        assert first["event"] == {"n": 1} and first["fn"] == "ric"
        assert first["arn"] == "arn:aws:lambda:us-east-1:000000000000:function:ric"
        assert 4000 < first["remaining"] <= 5000
        second = await runtime.invoke("ric", {"n": 2}, "gw", 29)
        assert second["rid"] != first["rid"]
        with pytest.raises(FunctionError) as failed:
            await runtime.invoke("ric", {"fail": True}, "gw", 29)
        document = failed.value.document
        assert document is not None and document["errorType"] == "ValueError"
        assert document["errorMessage"] == "ric failure" and "app.py" in document["stackTrace"][0]

    try:
        _run(run())
    finally:
        runtime.close()
