"""Warm instances of one out-of-process function, used as Lambda uses execution environments.

- An invocation takes the instance that finished last (warm, LIFO); when every instance is busy a new one
  starts (a cold start: its REPORT line carries ``Init Duration``), up to the function's reserved concurrency;
  beyond it the invocation is throttled (``FunctionThrottled``: Lambda's 429 ``TooManyRequestsException``,
  ``Reason: ReservedFunctionConcurrentInvocationLimitExceeded``).
- The function's timeout ends the invocation with ``Sandbox.Timedout`` and kills the instance; a process that
  exits fails its invocation with ``Runtime.ExitError``; either way the next invocation starts a new instance.
- A caller that stops waiting first (API Gateway's integration timeout, shorter than the function's) gets
  ``FunctionTimeout`` while the invocation runs on to its end, as on AWS.

https://docs.aws.amazon.com/lambda/latest/dg/lambda-concurrency.html (instances, reserved concurrency,
throttling) and https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtime-environment.html (lifecycle).
"""

from __future__ import annotations

import asyncio
import json
import logging
import shutil
from pathlib import Path
from typing import Any

from ..apigw.domain import Function
from . import runtimes
from .errors import FunctionError, FunctionThrottled, FunctionTimeout
from .instance import Instance, Invocation, Launch, Outcome

log = logging.getLogger("poolgate.lambdas")

ACCOUNT_CONCURRENCY = 1000
"""Lambda's default concurrency quota per account and Region: the limit of a function without reserved
concurrency (https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html)."""

BOOTSTRAP_DIR = Path(__file__).parent / "bootstrap"
NODE_BOOTSTRAP = BOOTSTRAP_DIR / "node.mjs"


def launch_for(function: Function, arn: str, environment: dict[str, str]) -> Launch:
    """The command and environment of an instance of ``function`` (a Node.js or ``provided`` runtime).

    The process gets the function's variables and Lambda's reserved ones (``environment``), not poolgate's
    own environment; ``PATH`` is the host's, so a bootstrap finds ``node``, ``curl`` and the like."""
    import os

    code = str(Path(function.code).resolve())
    env = {"PATH": os.environ.get("PATH", "/usr/local/bin:/usr/bin:/bin"), "LANG": "en_US.UTF-8", "TZ": ":UTC",
           "LAMBDA_TASK_ROOT": code, "LAMBDA_RUNTIME_DIR": str(BOOTSTRAP_DIR),
           "AWS_LAMBDA_INITIALIZATION_TYPE": "on-demand", **environment}
    if function.runtime in runtimes.NODEJS:
        node = shutil.which("node", path=env["PATH"])
        if node is None:
            raise FunctionError(f"{function.runtime} needs node on the PATH")
        env["NODE_PATH"] = code
        command = [node, f"--max-old-space-size={max(16, function.memory_size)}", str(NODE_BOOTSTRAP)]
    else:
        command = [str(Path(code, "bootstrap"))]
    return Launch(command, env, code, function.name, arn, function.memory_size,
                  logging.getLogger(f"poolgate.function.{function.name}"), function.version)


class _NoEntrypoint(FunctionError):
    """The runtime's process could not be started (no bootstrap, not executable)."""


def _invalid_entrypoint(request_id: str, tag: str, exc: Exception, launch: Launch) -> Outcome:
    """Lambda's answer when it cannot start the runtime: a function error ``Runtime.InvalidEntrypoint``
    (wording of the message UNCONFIRMED beyond its prefix)."""
    message = f"RequestId: {request_id} Error: Couldn't find valid bootstrap(s): [{launch.command[-1]}] ({exc})"
    document = {"errorType": "Runtime.InvalidEntrypoint", "errorMessage": message}
    lines = [f"START RequestId: {request_id} Version: {launch.version}", message, "Runtime.InvalidEntrypoint",
             f"END RequestId: {request_id}"]
    launch.logger.error("%s", "\n".join(f"{tag}\t{line}" for line in lines))
    return Outcome(json.dumps(document).encode(), "Runtime.InvalidEntrypoint", lines)


class FunctionPool:
    """The instances of one function (module doc)."""

    def __init__(self, launch: Launch, timeout: float, reserved_concurrency: int | None) -> None:
        self.launch = launch
        self.timeout = timeout
        self.limit = ACCOUNT_CONCURRENCY if reserved_concurrency is None else reserved_concurrency
        self.idle: list[Instance] = []
        self.instances: set[Instance] = set()
        self.closed = False
        self._retries: set[Any] = set()

    @property
    def busy(self) -> int:
        return len(self.instances) - len(self.idle)

    async def invoke(self, payload: bytes, tag: str, request_id: str, wait: float | None = None,
                     trace_id: str = "") -> Outcome:
        """Run one invocation; ``wait`` bounds how long the caller waits (``FunctionTimeout`` past it)."""
        try:
            instance = await self._take()
        except _NoEntrypoint as exc:
            return _invalid_entrypoint(request_id, tag, exc, self.launch)
        loop = asyncio.get_running_loop()
        invocation = Invocation(request_id, tag, payload, self.timeout, loop.create_future(), trace_id)
        instance.assign(invocation)
        if wait is None or wait >= self.timeout + (0 if instance.initialised else 10.0):
            # shielded: a caller that goes away (a client that hangs up) leaves the invocation to its end
            return await asyncio.shield(invocation.future)
        try:
            return await asyncio.wait_for(asyncio.shield(invocation.future), wait)
        except TimeoutError:
            raise FunctionTimeout() from None

    async def _take(self) -> Instance:
        idle = self.idle
        while idle:
            instance = idle.pop()
            if not instance.retired:
                return instance
        if self.closed:
            raise FunctionError("the runtime pool is closed")
        if len(self.instances) >= self.limit:
            raise FunctionThrottled("Rate Exceeded.")
        instance = Instance(self.launch, self._ended, self._exited)
        self.instances.add(instance)  # counted before it starts: concurrent cold starts respect the limit
        try:
            await instance.start()
        except OSError as exc:
            self.instances.discard(instance)
            instance.close()
            raise _NoEntrypoint(str(exc)) from exc
        return instance

    def _ended(self, instance: Instance, invocation: Invocation) -> None:
        if instance.retired:
            return
        if self.closed:  # retired pool (new code or configuration): its busy instances go as they finish
            self.instances.discard(instance)
            instance.close()
            return
        self.idle.append(instance)

    def _exited(self, instance: Instance, orphan: Invocation | None) -> None:
        self.instances.discard(instance)
        if instance in self.idle:
            self.idle.remove(instance)
        if orphan is not None:
            task = asyncio.ensure_future(self._reassign(orphan))
            self._retries.add(task)
            task.add_done_callback(self._retries.discard)

    async def _reassign(self, invocation: Invocation) -> None:
        """An invocation given to a warm instance that ended before asking for it goes to another one."""
        try:
            instance = await self._take()
        except FunctionError as exc:
            invocation.finished = True
            if not invocation.future.done():
                invocation.future.set_exception(exc)
            return
        instance.assign(invocation)

    def retire(self) -> None:
        """Take no more invocations (the function has new code or configuration): idle instances stop now,
        busy ones when their invocation ends, as Lambda lets them finish on the code they started with."""
        self.closed = True
        for instance in self.idle:
            self.instances.discard(instance)
            instance.close()
        self.idle.clear()

    def close(self) -> None:
        """Stop every instance now (the server stops); invocations still running end as killed."""
        self.closed = True
        for instance in list(self.instances):
            instance.close()
        self.instances.clear()
        self.idle.clear()
