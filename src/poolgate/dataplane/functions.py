"""Lambda functions: Python handlers run in this process (``file.function`` in a code directory, as SAM names
them); the other runtimes (``nodejs*.x``, ``provided.*``) run in ``lambdas/``'s runtime pools, behind the same
``FunctionRuntime.invoke``.

Each handler module is imported once, on first use, under a name unique to its code directory (two
functions may both have an ``app.py``); the code directory is on ``sys.path`` while the module runs its
top level (so sibling imports work) and stays at the end of ``sys.path`` afterwards for lazy imports.
Sync handlers run off the event loop (``workers.HandlerThreads``), async ones are awaited; both get a Lambda-like
context object.
"""

from __future__ import annotations

import asyncio
import hashlib
import importlib.util
import inspect
import json
import logging
import sys
import threading
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, NoReturn

from ..apigw.domain import Function
from ..clock import IdGenerator
from ..lambdas import runtimes
from ..lambdas.errors import FunctionError, FunctionThrottled, FunctionTimeout
from ..lambdas.instance import Outcome
from ..lambdas.outcomes import python_outcome
from ..lambdas.pool import FunctionPool, launch_for
from . import environ, output
from .output import CURRENT, Invocation
from .workers import HandlerThreads

log = logging.getLogger("poolgate.function")

DEFAULT_TIMEOUT = 3.0
"""Lambda's default function timeout; the integration's own timeout (29 s) may be shorter."""


__all__ = ["FunctionError", "FunctionRuntime", "FunctionThrottled", "FunctionTimeout", "LambdaContext"]


class _Static:
    """What every invocation of one function shares (computed once)."""

    __slots__ = ("arn", "environment", "function_name", "function_version", "inline", "log_group_name",
                 "log_stream_name", "memory_limit_in_mb", "pool", "timeout")

    def __init__(self, function: Function, arn: str, region: str) -> None:
        self.function_name = function.name
        self.arn = arn
        self.memory_limit_in_mb = str(function.memory_size)
        self.log_group_name = f"/aws/lambda/{function.name}"
        day = time.strftime("%Y/%m/%d", time.gmtime())
        self.function_version = function.version
        self.log_stream_name = (f"{day}/[{function.version}]"
                                f"{hashlib.sha1(function.name.encode()).hexdigest()[:32]}")
        self.timeout = function.timeout or DEFAULT_TIMEOUT
        self.inline = function.inline
        self.environment = environ.variables(function, region, self.log_group_name, self.log_stream_name)
        self.pool: FunctionPool | None = None
        """The runtime pool of a function that runs out of process (``lambdas/``)."""
        if runtimes.out_of_process(function.runtime):
            launch = launch_for(function, arn, self.environment)
            self.pool = FunctionPool(launch, self.timeout, function.reserved_concurrency)


_IDS = IdGenerator()
"""``context.aws_request_id``: Lambda's own id for each invocation, never API Gateway's ``requestId`` (AWS gives
the two different values; the log lines stay tagged with the caller's request id, which clients see)."""


class CognitoIdentity:
    """``context.identity``: the runtime always makes one; both ids are None outside the mobile SDKs."""

    __slots__ = ("cognito_identity_id", "cognito_identity_pool_id")

    def __init__(self) -> None:
        self.cognito_identity_id: str | None = None
        self.cognito_identity_pool_id: str | None = None


class LambdaContext:
    """The ``context`` argument of a Python Lambda handler
    (https://docs.aws.amazon.com/lambda/latest/dg/python-context.html), shaped like the Python runtime's own
    (awslambdaric): ``identity`` is an object, ``log()`` writes a line, handlers may set attributes on it."""

    __slots__ = ("__dict__", "_deadline", "_static", "aws_request_id", "identity")

    client_context = None
    tenant_id = None

    def __init__(self, static: _Static, request_id: str, deadline: float) -> None:
        self._static = static
        self.aws_request_id = request_id
        self._deadline = deadline
        self.identity = CognitoIdentity()

    def log(self, msg: str) -> None:
        """As the runtime's ``context.log``: the text goes to the function's log as is."""
        sys.stdout.write(msg)

    def __repr__(self) -> str:
        return (f"LambdaContext([aws_request_id={self.aws_request_id},log_group_name={self.log_group_name},"
                f"log_stream_name={self.log_stream_name},function_name={self.function_name},"
                f"memory_limit_in_mb={self.memory_limit_in_mb},function_version={self.function_version},"
                f"invoked_function_arn={self.invoked_function_arn},client_context=None,"
                f"identity=CognitoIdentity([cognito_identity_id=None,cognito_identity_pool_id=None]),"
                f"tenant_id=None])")

    @property
    def function_name(self) -> str:
        return self._static.function_name

    @property
    def function_version(self) -> str:
        return self._static.function_version

    @property
    def invoked_function_arn(self) -> str:
        return self._static.arn

    @property
    def memory_limit_in_mb(self) -> str:
        return self._static.memory_limit_in_mb

    @property
    def log_group_name(self) -> str:
        return self._static.log_group_name

    @property
    def log_stream_name(self) -> str:
        return self._static.log_stream_name

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


class _Expired(Exception):
    """Set on an invocation's future when its timeout passes before the handler answered."""


def _expire(future: asyncio.Future[Any]) -> None:
    if not future.done():
        future.set_exception(_Expired())


class FunctionRuntime:
    """Loads and invokes the configured functions; one per data plane.

    Sync handlers run on ``HandlerThreads`` (off the event loop: a handler that blocks cannot stall the
    gateway, and the timeout answers while it still runs), unless the function opts in with
    ``inline: true`` (only for handlers that never block: it saves the thread hand-off); async handlers are
    awaited on the loop.
    """

    def __init__(self, functions: Mapping[str, Function], region: str, account: str, workers: int = 32) -> None:
        self.functions = dict(functions)
        self.region = region
        self.account = account
        self._handlers: dict[str, Callable[..., Any]] = {}
        self._is_async: dict[str, bool] = {}
        self._modules: dict[Path, Any] = {}
        self._import_lock = threading.Lock()
        self._threads = HandlerThreads(workers)
        self._static: dict[str, _Static] = {}
        if self.functions:
            environ.install()

    def close(self) -> None:
        self._threads.close()
        for static in self._static.values():
            if static.pool is not None:
                static.pool.close()

    def pool(self, name: str) -> FunctionPool | None:
        """The runtime pool of an out-of-process function that has been invoked (None otherwise)."""
        static = self._static.get(name)
        return static.pool if static is not None else None

    def arn(self, name: str) -> str:
        return f"arn:aws:lambda:{self.region}:{self.account}:function:{name}"

    def _load(self, function: Function, key: str) -> Callable[..., Any]:
        """The handler of ``function`` as the runtime knows it under ``key`` (``name``, ``name:N``,
        ``name:alias``: each version runs its own code folder)."""
        with self._import_lock:
            handler = self._handlers.get(key)
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
            self._is_async[key] = inspect.iscoroutinefunction(handler)
            self._handlers[key] = handler
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

    def define(self, function: Function, key: str | None = None) -> None:
        """Add or replace a function (the lambda API) under ``key`` (its name, or ``name:version`` /
        ``name:alias`` for a published version): its loaded handler and warm instances are let go."""
        key = key or function.name
        self._drop(key)
        self.functions[key] = function
        environ.install()
        output.install()  # print() into the invocation's log even when no function was declared at start

    def forget(self, name: str) -> None:
        self._drop(name)
        self.functions.pop(name, None)

    def _drop(self, name: str) -> None:
        with self._import_lock:
            self._handlers.pop(name, None)
            self._is_async.pop(name, None)
        static = self._static.pop(name, None)
        if static is not None and static.pool is not None:
            static.pool.retire()

    def _static_for(self, name: str) -> _Static:
        static = self._static.get(name)
        if static is None:
            function = self.functions.get(name)
            if function is None:
                raise FunctionError(f"Function not found: {self.arn(name)}")
            static = self._static[name] = _Static(function, self.arn(name), self.region)
        return static

    def version_of(self, name: str) -> str:
        """The version a key runs (``$LATEST``, or the number an alias points at)."""
        function = self.functions.get(name)
        return function.version if function is not None else "$LATEST"

    async def invoke_outcome(self, name: str, payload: bytes, tag: str) -> Outcome:
        """The lambda API's ``Invoke``: the answer or the error document as Lambda returns them, and the
        invocation's log (``LogType: Tail``); raises FunctionThrottled."""
        static = self._static_for(name)
        if static.pool is not None:
            return await static.pool.invoke(payload, tag, _IDS.uuid())
        return await python_outcome(self, name, payload, tag, static.memory_limit_in_mb)

    async def invoke(self, name: str, event: dict[str, Any], request_id: str, integration_timeout: float, *,
                     aws_request_id: str | None = None, capture: list[str] | None = None) -> Any:
        """Run function ``name`` on ``event``; raises FunctionError (→ 502) or FunctionTimeout (→ 504)."""
        static = self._static.get(name) or self._static_for(name)
        if static.pool is not None:
            return await self._invoke_pool(name, static.pool, event, request_id, integration_timeout)
        function_timeout = static.timeout
        timeout = min(function_timeout, integration_timeout)
        invocation = Invocation(name, request_id, capture=capture)
        token = CURRENT.set(invocation)
        env_token = environ.OVERLAY.set(static.environment)
        try:
            handler = self._handlers.get(name)
            if handler is None:
                handler = await self._threads.submit(self._load, self.functions[name], name)
            context = LambdaContext(static, aws_request_id or _IDS.uuid(), time.monotonic() + function_timeout)
            if self._is_async[name]:
                try:
                    async with asyncio.timeout(timeout) as deadline:
                        return await handler(event, context)
                except TimeoutError:
                    if not deadline.expired():
                        raise  # the handler's own TimeoutError: an unhandled function error
                    self._timed_out(request_id, timeout, function_timeout)
            if static.inline:
                started = time.monotonic()
                result = handler(event, context)
                if time.monotonic() - started > timeout:
                    self._timed_out(request_id, timeout, function_timeout)
                return result
            future = self._threads.submit(handler, event, context)
            expiry = future.get_loop().call_later(timeout, _expire, future)
            try:
                return await future
            except _Expired:
                self._timed_out(request_id, timeout, function_timeout)
            finally:
                expiry.cancel()
        except (FunctionError, FunctionTimeout):
            raise
        except Exception as exc:
            logging.getLogger(f"poolgate.function.{name}").error(
                "%s\t[ERROR] %s: %s", request_id, type(exc).__name__, exc, exc_info=exc)
            raise FunctionError(str(exc)) from exc
        finally:
            invocation.flush()
            CURRENT.reset(token)
            environ.OVERLAY.reset(env_token)

    async def _invoke_pool(self, name: str, pool: FunctionPool, event: Any, request_id: str,
                           integration_timeout: float) -> Any:
        """An out-of-process function: its JSON answer, or FunctionError for a function error (its document in
        the message, its log in the server log), FunctionThrottled, FunctionTimeout."""
        outcome = await pool.invoke(json.dumps(event).encode(), request_id, _IDS.uuid(), integration_timeout)
        if outcome.error_type is not None:
            try:
                document = json.loads(outcome.payload)
            except ValueError:
                document = None
            if not isinstance(document, dict):
                document = {"errorMessage": outcome.payload.decode("utf-8", "replace"), "errorType": outcome.error_type}
            raise FunctionError(str(document.get("errorMessage", "")), document)
        try:
            return json.loads(outcome.payload)
        except ValueError:
            log.error("%s\tfunction %s answered with a payload that is not JSON", request_id, name)
            return None

    @staticmethod
    def _timed_out(request_id: str, timeout: float, function_timeout: float) -> NoReturn:
        if timeout < function_timeout:
            raise FunctionTimeout()
        log.error("%s\tTask timed out after %.2f seconds", request_id, function_timeout)
        raise FunctionError("Task timed out")
