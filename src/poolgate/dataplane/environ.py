"""Each function's environment variables, seen by its own invocations only.

Lambda gives every function its own process, so ``os.environ["TABLE"]`` in a handler reads that function's
``environment:`` (SAM's ``Environment.Variables``) and the runtime's reserved variables
(``AWS_LAMBDA_FUNCTION_NAME`` …). poolgate runs every function in one process: ``os.environ`` is replaced, once,
by a mapping that looks first at the variables of the function whose invocation is running (a context
variable, so threads and tasks of other invocations see their own) and then at the process's environment.
Outside invocations it is the process's environment, unchanged. A handler that sets a variable sets it for
its own function, as it would in its own process. Child processes see the overlay only when they are given
``env=os.environ.copy()``; with the default they inherit the process's environment.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator, MutableMapping
from contextvars import ContextVar
from pathlib import Path

from ..apigw.domain import Function

OVERLAY: ContextVar[dict[str, str] | None] = ContextVar("poolgate_function_environ", default=None)


class FunctionEnviron(MutableMapping[str, str]):
    """``os.environ`` with the running function's variables in front (module doc)."""

    def __init__(self, base: MutableMapping[str, str]) -> None:
        self.base = base

    def __getitem__(self, key: str) -> str:
        overlay = OVERLAY.get()
        if overlay is not None and key in overlay:
            return overlay[key]
        return self.base[key]

    def __setitem__(self, key: str, value: str) -> None:
        overlay = OVERLAY.get()
        if overlay is None:
            self.base[key] = value
        else:
            overlay[key] = str(value)

    def __delitem__(self, key: str) -> None:
        overlay = OVERLAY.get()
        if overlay is not None and key in overlay:
            del overlay[key]
        else:
            del self.base[key]

    def __iter__(self) -> Iterator[str]:
        overlay = OVERLAY.get()
        if not overlay:
            return iter(self.base)
        return iter({**dict.fromkeys(self.base), **dict.fromkeys(overlay)})

    def __len__(self) -> int:
        return sum(1 for _ in self)

    def copy(self) -> dict[str, str]:
        return dict(self)

    def __repr__(self) -> str:
        return f"environ({dict(self)!r})"


def install() -> None:
    """Put ``FunctionEnviron`` in place of ``os.environ`` (idempotent; ``os.getenv`` reads it too)."""
    if not isinstance(os.environ, FunctionEnviron):
        os.environ = FunctionEnviron(os.environ)  # type: ignore[assignment]  # noqa: B003 - wrapped, not replaced


def variables(function: Function, region: str, log_group: str, log_stream: str) -> dict[str, str]:
    """The function's own ``environment:`` over the variables Lambda's runtime defines for it."""
    reserved = {
        "AWS_LAMBDA_FUNCTION_NAME": function.name, "AWS_LAMBDA_FUNCTION_VERSION": function.version,
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(function.memory_size), "AWS_LAMBDA_LOG_GROUP_NAME": log_group,
        "AWS_LAMBDA_LOG_STREAM_NAME": log_stream, "AWS_REGION": region, "AWS_DEFAULT_REGION": region,
        "AWS_EXECUTION_ENV": f"AWS_Lambda_python{sys.version_info.major}.{sys.version_info.minor}",
        "_HANDLER": function.handler, "LAMBDA_TASK_ROOT": str(Path(function.code)),
    }
    if function.runtime.startswith("nodejs"):
        reserved["AWS_EXECUTION_ENV"] = f"AWS_Lambda_{function.runtime}"
    elif function.runtime.startswith("provided"):
        del reserved["AWS_EXECUTION_ENV"]  # custom runtimes get none (UNCONFIRMED: not in AWS's table for them)
    return {**reserved, **function.environment}
