"""The lambda operations on functions: CreateFunction, GetFunction, GetFunctionConfiguration, ListFunctions,
DeleteFunction, Invoke. One function per operation; rows in ``lambda_functions``, code in ``code.py``'s folders.

Error texts: ``Function not found: {arn}`` and ``Function already exist: {name}`` are Lambda's (localstack's
AWS-recorded ``tests/aws/services/lambda_/test_lambda_api.snapshot.json``); a throttled Invoke is 429
``TooManyRequestsException`` with ``Reason: ReservedFunctionConcurrentInvocationLimitExceeded`` and
``Rate Exceeded.`` (https://docs.aws.amazon.com/lambda/latest/api/API_Invoke.html#API_Invoke_Errors).
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import json
import logging
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import delete, insert, select
from sqlalchemy.exc import IntegrityError

from ..apigw.domain import Function
from ..awsproto.dispatch import Caller
from ..errors import ServiceError
from ..lambdas import runtimes
from ..lambdas.errors import FunctionError, FunctionThrottled
from ..lambdas.pool import ACCOUNT_CONCURRENCY
from ..services import Services
from ..store.sql.tables import lambda_functions
from . import code_urls
from .code import folder_of, remove_function_code, store_zip

log = logging.getLogger("poolgate.lambda")

MAX_PAYLOAD = 6 * 1024 * 1024
TAIL = 4096
"""``LogType: Tail`` returns the last 4 KB of the invocation's log (API_Invoke.html, ``LogResult``)."""

RawAnswer = tuple[int, bytes, list[tuple[str, str]]]
"""An operation that answers with its own status, body and headers (Invoke)."""


@dataclass(slots=True)
class Call:
    services: Services
    caller: Caller
    runtime: Any
    """The data plane's ``FunctionRuntime`` (the instances the gateway uses too)."""
    defined: dict[str, str] = field(default_factory=dict)
    """Function name → what the runtime has of it (``runtime_key``)."""


Handler = Callable[[Call, dict[str, Any]], Awaitable[Any]]
OPERATIONS: dict[str, Handler] = {}


def operation(name: str) -> Callable[[Handler], Handler]:
    def register(handler: Handler) -> Handler:
        OPERATIONS[name] = handler
        return handler
    return register


def arn(caller: Caller, name: str) -> str:
    return f"arn:aws:lambda:{caller.region}:{caller.account}:function:{name}"


def not_found(caller: Caller, name: str, qualifier: str | None = None) -> ServiceError:
    target = arn(caller, name) + (f":{qualifier}" if qualifier else "")
    return ServiceError("ResourceNotFoundException", f"Function not found: {target}", 404)


def invalid(message: str) -> ServiceError:
    return ServiceError("InvalidParameterValueException", message, 400)


def function_name(value: str) -> tuple[str, str | None]:
    """A FunctionName parameter (name, ``123456789012:function:name`` or an ARN, each maybe with
    ``:qualifier``) → (name, qualifier)."""
    parts = value.split(":")
    if len(parts) >= 3 and "function" in parts:
        at = parts.index("function")
        rest = parts[at + 1:]
        return rest[0], (rest[1] if len(rest) > 1 else None)
    if len(parts) == 2:
        return parts[0], parts[1]
    return value, None


def _timestamp(seconds: float) -> str:
    """``LastModified`` as Lambda writes it: ``2024-05-01T12:00:00.000+0000``."""
    moment = datetime.fromtimestamp(seconds, UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}+0000"


def function_configuration(caller: Caller, name: str, config: dict[str, Any], code_sha_b64: str, code_size: int,
                   modified: float, revision: str) -> dict[str, Any]:
    out = {
        "FunctionName": name, "FunctionArn": arn(caller, name), "Runtime": config["Runtime"],
        "Role": config["Role"], "Handler": config["Handler"], "CodeSize": code_size,
        "Description": config.get("Description", ""), "Timeout": config.get("Timeout", 3),
        "MemorySize": config.get("MemorySize", 128), "LastModified": _timestamp(modified),
        "CodeSha256": code_sha_b64, "Version": "$LATEST",
        "TracingConfig": {"Mode": "PassThrough"}, "RevisionId": revision, "State": "Active",
        "LastUpdateStatus": "Successful", "PackageType": "Zip", "Architectures": config.get("Architectures",
                                                                                           ["x86_64"]),
        "EphemeralStorage": {"Size": 512}, "SnapStart": {"ApplyOn": "None", "OptimizationStatus": "Off"},
        "LoggingConfig": {"LogFormat": "Text", "LogGroup": f"/aws/lambda/{name}"},
    }
    if config.get("Environment"):
        out["Environment"] = {"Variables": config["Environment"]}
    return out


def _row_configuration(caller: Caller, row: Any) -> dict[str, Any]:
    config = dict(row.config)
    return function_configuration(caller, row.name, config, config["CodeSha256"], config["CodeSize"], row.modified,
                          config["RevisionId"])


def _declared_configuration(caller: Caller, function: Function) -> dict[str, Any]:
    """A poolgate.yaml function as the API shows it (its code is a folder, not an upload)."""
    config = {"Runtime": function.runtime, "Role": f"arn:aws:iam::{caller.account}:role/poolgate-declared",
              "Handler": function.handler, "Timeout": int(function.timeout or 3),
              "MemorySize": function.memory_size, "Environment": function.environment}
    return function_configuration(caller, function.name, config, "", 0, 0.0, "00000000-0000-0000-0000-000000000000")


async def stored_row(call: Call, name: str) -> Any:
    caller = call.caller
    async with call.services.db.read() as conn:
        result = await conn.execute(select(lambda_functions).where(
            lambda_functions.c.account == caller.account, lambda_functions.c.region == caller.region,
            lambda_functions.c.name == name))
        return result.first()


async def existing_row(call: Call, value: str) -> tuple[str, Any]:
    """The function a ``FunctionName``/``Resource`` names (name or ARN, qualifier ignored) and its stored row,
    or Lambda's ResourceNotFoundException."""
    name, _ = function_name(value)
    row = await stored_row(call, name)
    if row is None:
        raise not_found(call.caller, name)
    return name, row


def _declared(call: Call, name: str) -> Function | None:
    """A function poolgate.yaml declares (not one the API made)."""
    if call.runtime is None or name in call.defined:
        return None
    function: Function | None = call.runtime.functions.get(name)
    return function


@operation("CreateFunction")
async def create_function(call: Call, params: dict[str, Any]) -> dict[str, Any]:
    caller = call.caller
    name, qualifier = function_name(params["FunctionName"])
    if qualifier is not None:
        raise invalid("FunctionName must not name a version or alias when creating a function")
    if params.get("PackageType", "Zip") != "Zip":
        raise invalid("poolgate runs functions from zip files (PackageType Zip); container images are not served")
    runtime = params.get("Runtime")
    handler = params.get("Handler")
    if runtime is None or handler is None:
        raise invalid("Runtime and Handler are mandatory parameters for functions created with deployment "
                      "packages.")  # UNCONFIRMED wording
    if runtime not in runtimes.SUPPORTED:
        raise invalid(f"poolgate does not run {runtime} functions; it runs {', '.join(sorted(runtimes.SUPPORTED))}")
    code = params["Code"]
    if "ZipFile" not in code:
        raise invalid("poolgate takes a function's code as Code.ZipFile (S3 locations and images are not served)")
    try:
        data = base64.b64decode(code["ZipFile"], validate=True)
    except (binascii.Error, ValueError):
        raise invalid("Could not unzip uploaded file. Please check your file, then try to upload again.") from None
    if _declared(call, name) is not None:
        raise ServiceError("ResourceConflictException", f"Function already exist: {name}", 409)
    settings = call.services.settings
    stored = await asyncio.to_thread(store_zip, data, settings.data_dir, caller.account, caller.region, name)
    now = time.time()
    revision = str(uuid.uuid4())
    environment = (params.get("Environment") or {}).get("Variables") or {}
    config = {"Runtime": runtime, "Role": params["Role"], "Handler": handler,
              "Description": params.get("Description", ""), "Timeout": params.get("Timeout", 3),
              "MemorySize": params.get("MemorySize", 128), "Environment": environment,
              "Architectures": params.get("Architectures") or ["x86_64"], "CodeSha256": stored.sha256_b64,
              "CodeSize": stored.size, "RevisionId": revision}
    if params.get("Tags"):
        config["Tags"] = dict(params["Tags"])
    try:
        async with call.services.db.begin() as conn:
            await conn.execute(insert(lambda_functions).values(
                account=caller.account, region=caller.region, name=name, config=config,
                code_sha256=stored.sha256_hex, created=now, modified=now))
    except IntegrityError:
        raise ServiceError("ResourceConflictException", f"Function already exist: {name}", 409) from None
    await refresh(call, name)
    return function_configuration(caller, name, config, stored.sha256_b64, stored.size, now, revision)


@operation("GetFunctionConfiguration")
async def get_function_configuration(call: Call, params: dict[str, Any]) -> dict[str, Any]:
    name, qualifier = function_name(params["FunctionName"])
    qualifier = params.get("Qualifier") or qualifier
    row = await stored_row(call, name)
    if row is None:
        declared = _declared(call, name)
        if declared is None or qualifier not in (None, "$LATEST"):
            raise not_found(call.caller, name, qualifier)
        return _declared_configuration(call.caller, declared)
    if qualifier in (None, "$LATEST"):
        return _row_configuration(call.caller, row)
    return qualified_configuration(call.caller, row, qualifier)


def qualified_configuration(caller: Caller, row: Any, qualifier: str) -> dict[str, Any]:
    """A published version's configuration (through its number or an alias of it)."""
    config = row.config
    number = qualifier
    alias = (config.get("Aliases") or {}).get(qualifier)
    if alias is not None:
        number = alias["FunctionVersion"]
        if number == "$LATEST":
            return {**_row_configuration(caller, row), "FunctionArn": f"{arn(caller, row.name)}:{qualifier}"}
    snapshot = (config.get("Versions") or {}).get(number)
    if snapshot is None:
        raise not_found(caller, row.name, qualifier)
    out = function_configuration(caller, row.name, snapshot, snapshot["CodeSha256"], snapshot["CodeSize"],
                                 snapshot["Modified"], snapshot["RevisionId"])
    out["Version"] = number
    out["FunctionArn"] = f"{arn(caller, row.name)}:{qualifier}"
    return out


@operation("GetFunction")
async def get_function(call: Call, params: dict[str, Any]) -> dict[str, Any]:
    configuration = await get_function_configuration(call, params)
    out: dict[str, Any] = {"Configuration": configuration}
    row = await stored_row(call, configuration["FunctionName"])
    if row is not None and row.config.get("ReservedConcurrentExecutions") is not None:
        out["Concurrency"] = {"ReservedConcurrentExecutions": row.config["ReservedConcurrentExecutions"]}
    if row is not None and row.config.get("Tags"):
        out["Tags"] = row.config["Tags"]
    if configuration["CodeSize"] and row is not None:  # a signed URL, valid 10 minutes, as AWS's presigned one
        out["Code"] = {"RepositoryType": "S3", "Location": await code_urls.location(
            call.services, call.caller.account, call.caller.region, row.name, row.code_sha256)}
    return out


@operation("ListFunctions")
async def list_functions(call: Call, params: dict[str, Any]) -> dict[str, Any]:
    caller = call.caller
    async with call.services.db.read() as conn:
        rows = (await conn.execute(select(lambda_functions).where(
            lambda_functions.c.account == caller.account, lambda_functions.c.region == caller.region))).all()
    configurations = {row.name: _row_configuration(caller, row) for row in rows}
    if call.runtime is not None:
        for name, function in call.runtime.functions.items():
            if name not in configurations and name not in call.defined:
                configurations[name] = _declared_configuration(caller, function)
    names = sorted(configurations)
    marker = params.get("Marker")
    start = names.index(marker) if marker in names else 0
    size = params.get("MaxItems") or 50
    page = names[start:start + size]
    out: dict[str, Any] = {"Functions": [configurations[name] for name in page]}
    if start + size < len(names):
        out["NextMarker"] = names[start + size]
    return out


@operation("DeleteFunction")
async def delete_function(call: Call, params: dict[str, Any]) -> None:
    caller = call.caller
    name, qualifier = function_name(params["FunctionName"])
    _no_versions(call, name, params.get("Qualifier") or qualifier)
    async with call.services.db.begin() as conn:
        result = await conn.execute(delete(lambda_functions).where(
            lambda_functions.c.account == caller.account, lambda_functions.c.region == caller.region,
            lambda_functions.c.name == name))
    if result.rowcount == 0:
        if _declared(call, name) is not None:
            raise invalid(f"{name} is declared in poolgate.yaml; remove it there")
        raise not_found(caller, name)
    if call.runtime is not None:
        for key in [key for key in call.defined if key == name or key.startswith(f"{name}:")]:
            call.runtime.forget(key)
            del call.defined[key]
    await asyncio.to_thread(remove_function_code, call.services.settings.data_dir, caller.account, caller.region,
                            name)


def _no_versions(call: Call, name: str, qualifier: str | None) -> None:
    if qualifier not in (None, "$LATEST"):
        raise not_found(call.caller, name, qualifier)  # versions and aliases are not served yet


async def _runnable(call: Call, name: str, qualifier: str | None = None) -> str:
    """The runtime's key for the caller's function ``name`` at ``qualifier`` (``name``, or ``name:version`` /
    ``name:alias``), defined (again) when what it runs changed."""
    row = await stored_row(call, name)
    if row is None:
        if _declared(call, name) is not None and qualifier in (None, "$LATEST"):
            return name
        raise not_found(call.caller, name, qualifier)
    keys = define(call.runtime, call.services.settings.data_dir, row, call.defined)
    key = name if qualifier in (None, "$LATEST") else f"{name}:{qualifier}"
    if key not in keys:
        raise not_found(call.caller, name, qualifier)
    return key


def _function(row: Any, data_dir: Path, snapshot: dict[str, Any], code_hex: str, version: str) -> Function:
    folder = folder_of(data_dir, row.account, row.region, row.name, code_hex)
    return Function(row.name, snapshot["Handler"], str(folder), float(snapshot.get("Timeout", 3)),
                    dict(snapshot.get("Environment") or {}), int(snapshot.get("MemorySize", 128)),
                    runtime=snapshot["Runtime"], reserved_concurrency=row.config.get("ReservedConcurrentExecutions"),
                    version=version)


def runnables(row: Any, data_dir: Path) -> dict[str, tuple[Function, str]]:
    """Every key the runtime knows a stored function by: ``$LATEST`` as its name, each published version as
    ``name:N`` and each alias as ``name:alias`` (running its version), with what each runs (``runtime_key``)."""
    config = row.config
    out = {row.name: (_function(row, data_dir, config, row.code_sha256, "$LATEST"), runtime_key(row))}
    versions = config.get("Versions") or {}
    for number, snapshot in versions.items():
        key = _snapshot_key(snapshot, config)
        out[f"{row.name}:{number}"] = (_function(row, data_dir, snapshot, snapshot["CodeHex"], number), key)
    for alias, target in (config.get("Aliases") or {}).items():
        snapshot = versions.get(target["FunctionVersion"])
        if snapshot is not None:
            out[f"{row.name}:{alias}"] = (
                _function(row, data_dir, snapshot, snapshot["CodeHex"], target["FunctionVersion"]),
                _snapshot_key(snapshot, config) + target["FunctionVersion"])
        elif target["FunctionVersion"] == "$LATEST":
            out[f"{row.name}:{alias}"] = (_function(row, data_dir, config, row.code_sha256, "$LATEST"),
                                          runtime_key(row) + "$LATEST")
    return out


def define(runtime: Any, data_dir: Path, row: Any, defined: dict[str, str]) -> set[str]:
    """Give the runtime a stored function as its row describes it now: each key whose runs changed is defined
    again (noted in ``defined``); keys of this function that are gone are forgotten. Returns its keys."""
    wanted = runnables(row, data_dir)
    for key, (function, what) in wanted.items():
        if defined.get(key) != what:
            runtime.define(function, key)
            defined[key] = what
    for key in [key for key in defined if key.startswith(f"{row.name}:") and key not in wanted]:
        runtime.forget(key)
        del defined[key]
    return set(wanted)


def _snapshot_key(snapshot: dict[str, Any], config: dict[str, Any]) -> str:
    return json.dumps([snapshot["CodeHex"], snapshot["Runtime"], snapshot["Handler"], snapshot.get("Timeout"),
                       snapshot.get("MemorySize"), snapshot.get("Environment"),
                       config.get("ReservedConcurrentExecutions")], sort_keys=True)


def runtime_key(row: Any) -> str:
    """What the runtime runs of a stored function's $LATEST: a change to it lets the warm instances go (a
    change of policy or tags does not)."""
    config = row.config
    return json.dumps([row.code_sha256, config["Runtime"], config["Handler"], config.get("Timeout"),
                       config.get("MemorySize"), config.get("Environment"),
                       config.get("ReservedConcurrentExecutions")], sort_keys=True)


async def refresh(call: Call, name: str) -> None:
    """After a write: this process's runtime serves the function's new revision at once (the gateway too)."""
    if call.runtime is None:
        return
    row = await stored_row(call, name)
    if row is not None:
        define(call.runtime, call.services.settings.data_dir, row, call.defined)


@operation("Invoke")
async def invoke(call: Call, params: dict[str, Any]) -> RawAnswer:
    name, qualifier = function_name(params["FunctionName"])
    qualifier = params.get("Qualifier") or qualifier
    payload: bytes = params.get("Payload") or b""
    if len(payload) > MAX_PAYLOAD:
        raise ServiceError("RequestTooLargeException",
                           f"Request must be smaller than {MAX_PAYLOAD} bytes for the InvokeFunction operation", 413)
    if payload:
        try:
            json.loads(payload)
        except ValueError as exc:
            raise ServiceError("InvalidRequestContentException",
                               f"Could not parse request body into json: {exc}", 400) from None  # UNCONFIRMED
    if call.runtime is None:
        raise ServiceError("ServiceException", "poolgate started without its function runtime", 500)
    runnable = await _runnable(call, name, qualifier)
    kind = params.get("InvocationType") or "RequestResponse"
    if kind == "DryRun":
        return 204, b"", []
    request_id = call.caller.request_id
    if kind == "Event":
        task = asyncio.ensure_future(_run_event(call, runnable, payload, request_id))
        _EVENTS.add(task)
        task.add_done_callback(_EVENTS.discard)
        return 202, b"", []
    try:
        outcome = await call.runtime.invoke_outcome(runnable, payload, request_id)
    except FunctionThrottled:
        raise throttled() from None
    except FunctionError as exc:
        raise ServiceError("ServiceException", str(exc), 500) from None
    headers = [("X-Amz-Executed-Version", call.runtime.version_of(runnable))]
    if outcome.error_type is not None:
        headers.append(("X-Amz-Function-Error", "Unhandled"))
    if params.get("LogType") == "Tail":
        log_text = "".join(f"{line}\n" for line in outcome.lines).encode()
        headers.append(("X-Amz-Log-Result", base64.b64encode(log_text[-TAIL:]).decode()))
    return 200, outcome.payload, headers


_EVENTS: set[asyncio.Future[None]] = set()


async def _run_event(call: Call, name: str, payload: bytes, request_id: str) -> None:
    """``InvocationType: Event``: run after the 202 (a throttled or failed event is logged; Lambda's retries
    and destinations are not modelled)."""
    try:
        await call.runtime.invoke_outcome(name, payload, request_id)
    except FunctionError as exc:
        log.warning("%s\tasynchronous invocation of %s failed: %s", request_id, name, exc)


class LambdaError(ServiceError):
    """A lambda error whose body carries more than ``Type`` and ``message`` (a throttle's ``Reason``)."""

    def __init__(self, code: str, message: str, status: int, extra: dict[str, str]) -> None:
        super().__init__(code, message, status)
        self.extra = extra


def throttled() -> LambdaError:
    return LambdaError("TooManyRequestsException", "Rate Exceeded.", 429,
                       {"Reason": "ReservedFunctionConcurrentInvocationLimitExceeded"})


__all__ = ["ACCOUNT_CONCURRENCY", "OPERATIONS", "Call", "RawAnswer"]
