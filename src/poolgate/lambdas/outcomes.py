"""An in-process Python invocation as the lambda API's ``Invoke`` returns it: the handler's answer, or the
error document Lambda's Python runtime (awslambdaric) writes, with the START/END/REPORT log around the
handler's own lines (for ``LogType: Tail``)."""

from __future__ import annotations

import json
import time
import traceback
import uuid
from collections.abc import Mapping
from typing import Any, Protocol

from ..apigw.domain import Function
from .errors import FunctionError, FunctionTimeout
from .instance import Outcome


class PythonRuntime(Protocol):
    """What this module needs of ``dataplane.functions.FunctionRuntime``."""

    @property
    def functions(self) -> Mapping[str, Function]: ...

    async def invoke(self, name: str, event: Any, request_id: str, integration_timeout: float, *,
                     aws_request_id: str | None = None, capture: list[str] | None = None) -> Any: ...


def error_document(exc: BaseException, request_id: str) -> dict[str, Any]:
    """awslambdaric's document for an exception a handler raised: ``errorMessage``, ``errorType``,
    ``requestId``, ``stackTrace`` (one string per frame, as ``traceback.format_list`` writes them)."""
    frames = traceback.format_list(traceback.extract_tb(exc.__traceback__))
    return {"errorMessage": str(exc), "errorType": type(exc).__name__, "requestId": request_id,
            "stackTrace": frames}


async def python_outcome(runtime: PythonRuntime, name: str, payload: bytes, tag: str, memory: str) -> Outcome:
    request_id = str(uuid.uuid4())
    lines = [f"START RequestId: {request_id} Version: {runtime.functions[name].version}"]
    started = time.perf_counter()
    error_type: str | None = None
    try:
        event = json.loads(payload) if payload else {}
    except ValueError:
        document: Any = {"errorMessage": "Unable to unmarshal input: the payload is not JSON",
                         "errorType": "Runtime.UnmarshalError", "requestId": request_id, "stackTrace": []}
        error_type = "Runtime.UnmarshalError"
    else:
        try:
            document = await runtime.invoke(name, event, tag, 900.0, aws_request_id=request_id, capture=lines)
        except FunctionTimeout:  # not reached: Invoke waits as long as the function may run
            raise
        except FunctionError as exc:
            cause = exc.__cause__
            function = runtime.functions[name]
            if str(exc) == "Task timed out":
                timeout = function.timeout or 3.0
                message = f"Task timed out after {timeout:.2f} seconds"
                lines.append(f"{_now()} {request_id} {message}")
                document = {"errorType": "Sandbox.Timedout",
                            "errorMessage": f"RequestId: {request_id} Error: {message}"}
                error_type = "Sandbox.Timedout"
            elif cause is not None and not str(exc).startswith("Unable to import module"):
                document = error_document(cause, request_id)
                error_type = document["errorType"]
                lines.append(f"[ERROR] {document['errorType']}: {document['errorMessage']}")
                lines.extend(["Traceback (most recent call last):", *document["stackTrace"]])
            else:
                # awslambdaric's words for a handler it cannot load
                document = {"errorMessage": str(exc), "errorType": "Runtime.ImportModuleError",
                            "requestId": request_id, "stackTrace": []}
                error_type = "Runtime.ImportModuleError"
                lines.append(f"[ERROR] Runtime.ImportModuleError: {exc}")
    duration = (time.perf_counter() - started) * 1000
    lines.append(f"END RequestId: {request_id}")
    lines.append(f"REPORT RequestId: {request_id}\tDuration: {duration:.2f} ms\tBilled Duration: "
                 f"{max(1, int(-(-duration // 1)))} ms\tMemory Size: {memory} MB\tMax Memory Used: "
                 f"{_process_peak_mb()} MB")
    try:
        body = json.dumps(document).encode()
    except (TypeError, ValueError) as exc:
        error_type = "Runtime.MarshalError"
        body = json.dumps({"errorMessage": f"Unable to marshal response: {exc}", "errorType": error_type,
                           "requestId": request_id, "stackTrace": []}).encode()
    return Outcome(body, error_type, lines)


def _process_peak_mb() -> int:
    """In process, the server's own peak memory stands for the function's (UNCONFIRMED as a figure)."""
    import resource

    return max(1, round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024))


def _now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime()) + f".{int(time.time() * 1000) % 1000:03d}Z"
