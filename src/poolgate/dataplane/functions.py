"""Lambda functions served by local Python handlers (``file.function`` in a code directory, as SAM names them).

Each handler module is imported once, on first use, under a name unique to its code directory (two
functions may both have an ``app.py``); the code directory is on ``sys.path`` while the module runs its
top level (so sibling imports work) and stays at the end of ``sys.path`` afterwards for lazy imports.
Sync handlers run in a thread pool, async ones are awaited; both get a Lambda-like context object.
"""

from __future__ import annotations

import asyncio
import contextvars
import hashlib
import importlib.util
import inspect
import logging
import sys
import threading
import time
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, NoReturn

from ..apigw.domain import Function
from .output import CURRENT, Invocation

log = logging.getLogger("poolgate.function")

DEFAULT_TIMEOUT = 3.0
"""Lambda's default function timeout; the integration's own timeout (29 s) may be shorter."""


class FunctionError(Exception):
    """The function failed (import error, unhandled exception, its own timeout): API Gateway answers 502."""


class FunctionTimeout(TimeoutError):
    """The integration timed out before the function answered: API Gateway answers 504."""


class LambdaContext:
    """The ``context`` argument of a Python Lambda handler
    (https://docs.aws.amazon.com/lambda/latest/dg/python-context.html)."""

    __slots__ = ("_deadline", "aws_request_id", "client_context", "function_name", "function_version",
                 "identity", "invoked_function_arn", "log_group_name", "log_stream_name", "memory_limit_in_mb")

    def __init__(self, function: Function, arn: str, request_id: str, deadline: float, log_stream: str) -> None:
        self.function_name = function.name
        self.function_version = "$LATEST"
        self.invoked_function_arn = arn
        self.memory_limit_in_mb = str(function.memory_size)
        self.aws_request_id = request_id
        self.log_group_name = f"/aws/lambda/{function.name}"
        self.log_stream_name = log_stream
        self.identity = None
        self.client_context = None
        self._deadline = deadline

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.monotonic()) * 1000))


def handler_file(function: Function, base_dir: Path | None = None) -> Path:
    """The file a handler string names: ``pkg.mod.fn`` → ``{code}/pkg/mod.py`` (or ``pkg/mod/__init__.py``)."""
    module = function.handler.rsplit(".", 1)[0]
    code = Path(function.code)
    if base_dir is not None and not code.is_absolute():
        code = base_dir / code
    path = code.joinpath(*module.split("."))
    package_init = path / "__init__.py"
    return package_init if package_init.exists() else path.with_suffix(".py")


INLINE_BUDGET = 0.001
"""CPU seconds: a sync handler whose first runs each use less runs on the event loop from then on."""
PROBE_RUNS = 3
PROBE_WALL_LIMIT = 0.05
"""Wall seconds: a probe run waiting longer than this (I/O, sleep) keeps the handler in the pool for good."""
DEMOTE_AFTER = 0.005
"""Wall seconds: an inline run slower than this sends the handler back to the thread pool for good."""


class _Pace:
    """Where a sync handler runs. A thread-pool hop costs far more than a typical handler (the GIL hand-off
    dominates), so handlers proven fast run inline; a handler that waits or computes long stays in the pool,
    where the integration timeout can answer 504 while it is still running. Probe runs are judged by the
    thread's CPU time, since under load a pool thread's wall time is mostly waiting for the GIL."""

    __slots__ = ("fast_runs", "inline", "slow")

    def __init__(self) -> None:
        self.fast_runs = 0
        self.inline = False
        self.slow = False

    def timed(self, handler: Callable[..., Any], event: Any, context: Any) -> Any:
        wall, cpu = time.perf_counter(), time.thread_time()
        try:
            return handler(event, context)
        finally:
            if time.thread_time() - cpu < INLINE_BUDGET and time.perf_counter() - wall < PROBE_WALL_LIMIT:
                self.fast_runs += 1
                self.inline = not self.slow and self.fast_runs >= PROBE_RUNS
            else:
                self.slow = True
                self.inline = False

    def ran_inline(self, elapsed: float, name: str) -> float:
        if elapsed > DEMOTE_AFTER:
            self.inline, self.slow = False, True
            log.info("function %s took %.1f ms on the event loop: it runs in the thread pool from now on",
                     name, elapsed * 1000)
        return elapsed


class FunctionRuntime:
    """Loads and invokes the configured functions; one per data plane."""

    def __init__(self, functions: Mapping[str, Function], region: str, account: str, workers: int = 32) -> None:
        self.functions = dict(functions)
        self.region = region
        self.account = account
        self._handlers: dict[str, Callable[..., Any]] = {}
        self._modules: dict[Path, Any] = {}
        self._import_lock = threading.Lock()
        self._executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="poolgate-fn")
        self._streams: dict[str, str] = {}
        self._pace: dict[str, _Pace] = {}

    def close(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)

    def arn(self, name: str) -> str:
        return f"arn:aws:lambda:{self.region}:{self.account}:function:{name}"

    def _load(self, function: Function) -> Callable[..., Any]:
        with self._import_lock:
            handler = self._handlers.get(function.name)
            if handler is not None:
                return handler
            path = handler_file(function).resolve()
            module = self._modules.get(path)
            if module is None:
                module = self._import(path, Path(function.code).resolve())
                self._modules[path] = module
            attr = function.handler.rsplit(".", 1)[1]
            handler = getattr(module, attr, None)
            if not callable(handler):
                raise FunctionError(f"Handler '{attr}' missing on module '{path.stem}'")
            self._handlers[function.name] = handler
            return handler

    @staticmethod
    def _import(path: Path, code_dir: Path) -> Any:
        if not path.exists():
            raise FunctionError(f"Unable to import module: no file {path}")
        unique = "poolgate_fn_" + hashlib.sha1(str(path).encode()).hexdigest()[:12]
        spec = importlib.util.spec_from_file_location(unique, path)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[unique] = module
        code = str(code_dir)
        sys.path.insert(0, code)
        try:
            spec.loader.exec_module(module)
        except BaseException as exc:
            sys.modules.pop(unique, None)
            raise FunctionError(f"Unable to import module '{path.stem}': {exc!r}") from exc
        finally:
            sys.path.remove(code)
            if code not in sys.path:
                sys.path.append(code)
        return module

    async def invoke(self, name: str, event: dict[str, Any], request_id: str, integration_timeout: float) -> Any:
        """Run function ``name`` on ``event``; raises FunctionError (→ 502) or FunctionTimeout (→ 504)."""
        function = self.functions.get(name)
        if function is None:
            raise FunctionError(f"Function not found: {self.arn(name)}")
        function_timeout = function.timeout or DEFAULT_TIMEOUT
        timeout = min(function_timeout, integration_timeout)
        invocation = Invocation(name, request_id)
        token = CURRENT.set(invocation)
        try:
            handler = self._handlers.get(name)
            if handler is None:
                handler = await asyncio.get_running_loop().run_in_executor(
                    self._executor, contextvars.copy_context().run, self._load, function)
            context = LambdaContext(function, self.arn(name), request_id, time.monotonic() + function_timeout,
                                    self._log_stream(name))
            if inspect.iscoroutinefunction(handler):
                call: Any = handler(event, context)
            else:
                pace = self._pace.get(name)
                if pace is None:
                    pace = self._pace[name] = _Pace()
                if pace.inline:
                    started = time.perf_counter()
                    result = handler(event, context)
                    if pace.ran_inline(time.perf_counter() - started, name) > timeout:
                        self._timed_out(request_id, timeout, function_timeout)
                    return result
                call = asyncio.get_running_loop().run_in_executor(
                    self._executor, contextvars.copy_context().run, pace.timed, handler, event, context)
            try:
                async with asyncio.timeout(timeout) as deadline:
                    return await call
            except TimeoutError:
                if not deadline.expired():
                    raise  # the handler's own TimeoutError: an unhandled function error
                self._timed_out(request_id, timeout, function_timeout)
        except (FunctionError, FunctionTimeout):
            raise
        except Exception as exc:
            logging.getLogger(f"poolgate.function.{name}").error(
                "%s\t[ERROR] %s: %s", request_id, type(exc).__name__, exc, exc_info=exc)
            raise FunctionError(str(exc)) from exc
        finally:
            invocation.flush()
            CURRENT.reset(token)

    @staticmethod
    def _timed_out(request_id: str, timeout: float, function_timeout: float) -> NoReturn:
        if timeout < function_timeout:
            raise FunctionTimeout()
        log.error("%s\tTask timed out after %.2f seconds", request_id, function_timeout)
        raise FunctionError("Task timed out")

    def _log_stream(self, name: str) -> str:
        stream = self._streams.get(name)
        if stream is None:
            day = time.strftime("%Y/%m/%d", time.gmtime())
            stream = self._streams[name] = f"{day}/[$LATEST]{hashlib.sha1(name.encode()).hexdigest()[:32]}"
        return stream
