"""The lambda operations that change a function: UpdateFunctionCode, UpdateFunctionConfiguration and the
reserved concurrency (Put/Get/DeleteFunctionConcurrency). Each is one transaction that reads the row locked
(``FOR UPDATE`` where the database has it), so concurrent updates never lose one another; every change gets
a new ``RevisionId``, which is how each process's runtime notices it (``functions._runnable``)."""

from __future__ import annotations

import asyncio
import base64
import binascii
import time
import uuid
from typing import Any

from sqlalchemy import select, update

from ..errors import ServiceError
from ..lambdas import runtimes
from ..store.sql.tables import lambda_functions
from .code import store_zip
from .functions import Call, function_configuration, function_name, invalid, not_found, operation, refresh

_CONFIGURABLE = {"Role": "Role", "Handler": "Handler", "Description": "Description", "Timeout": "Timeout",
                 "MemorySize": "MemorySize", "Runtime": "Runtime"}


async def change_function(call: Call, params: dict[str, Any], change: Any, *, with_code: bool = False
                          ) -> dict[str, Any]:
    """Apply ``change(config)`` to the caller's function in one transaction; returns the new configuration."""
    caller = call.caller
    name, qualifier = function_name(params["FunctionName"])
    if qualifier not in (None, "$LATEST"):
        raise not_found(caller, name, qualifier)
    where = (lambda_functions.c.account == caller.account, lambda_functions.c.region == caller.region,
             lambda_functions.c.name == name)
    async with call.services.db.begin() as conn:
        row = (await conn.execute(select(lambda_functions).where(*where).with_for_update())).first()
        if row is None:
            raise not_found(caller, name)
        config = dict(row.config)
        expected = params.get("RevisionId")
        if expected is not None and expected != config["RevisionId"]:
            raise ServiceError("PreconditionFailedException",
                               "The Revision Id provided does not match the latest Revision Id. Call the "
                               "GetFunction/GetAlias API to retrieve the latest Revision Id", 412)
        digest = (change(config, row.code_sha256) if with_code else change(config)) or row.code_sha256
        config["RevisionId"] = str(uuid.uuid4())
        now = time.time()
        await conn.execute(update(lambda_functions).where(*where).values(config=config, code_sha256=digest,
                                                                          modified=now))
    await refresh(call, name)
    return function_configuration(caller, name, config, config["CodeSha256"], config["CodeSize"], now,
                          config["RevisionId"])


@operation("UpdateFunctionCode")
async def update_function_code(call: Call, params: dict[str, Any]) -> dict[str, Any]:
    if "ZipFile" not in params:
        raise invalid("poolgate takes a function's code as ZipFile (S3 locations and images are not served)")
    try:
        data = base64.b64decode(params["ZipFile"], validate=True)
    except (binascii.Error, ValueError):
        raise invalid("Could not unzip uploaded file. Please check your file, then try to upload again.") from None
    caller = call.caller
    name, _ = function_name(params["FunctionName"])
    settings = call.services.settings
    stored = await asyncio.to_thread(store_zip, data, settings.data_dir, caller.account, caller.region, name)

    def change(config: dict[str, Any]) -> str:
        config["CodeSha256"] = stored.sha256_b64
        config["CodeSize"] = stored.size
        return stored.sha256_hex

    return await change_function(call, params, change)


@operation("UpdateFunctionConfiguration")
async def update_function_configuration(call: Call, params: dict[str, Any]) -> dict[str, Any]:
    runtime = params.get("Runtime")
    if runtime is not None and runtime not in runtimes.SUPPORTED:
        raise invalid(f"poolgate does not run {runtime} functions; it runs {', '.join(sorted(runtimes.SUPPORTED))}")

    def change(config: dict[str, Any]) -> None:
        for member, key in _CONFIGURABLE.items():
            if member in params:
                config[key] = params[member]
        if "Environment" in params:
            config["Environment"] = (params["Environment"] or {}).get("Variables") or {}

    return await change_function(call, params, change)


@operation("PutFunctionConcurrency")
async def put_function_concurrency(call: Call, params: dict[str, Any]) -> dict[str, Any]:
    reserved = params["ReservedConcurrentExecutions"]

    def change(config: dict[str, Any]) -> None:
        config["ReservedConcurrentExecutions"] = reserved

    await change_function(call, params, change)
    return {"ReservedConcurrentExecutions": reserved}


@operation("DeleteFunctionConcurrency")
async def delete_function_concurrency(call: Call, params: dict[str, Any]) -> None:
    def change(config: dict[str, Any]) -> None:
        config.pop("ReservedConcurrentExecutions", None)

    await change_function(call, params, change)


@operation("GetFunctionConcurrency")
async def get_function_concurrency(call: Call, params: dict[str, Any]) -> dict[str, Any]:
    caller = call.caller
    name, _ = function_name(params["FunctionName"])
    async with call.services.db.read() as conn:
        row = (await conn.execute(select(lambda_functions).where(
            lambda_functions.c.account == caller.account, lambda_functions.c.region == caller.region,
            lambda_functions.c.name == name))).first()
    if row is None:
        raise not_found(caller, name)
    reserved = row.config.get("ReservedConcurrentExecutions")
    return {} if reserved is None else {"ReservedConcurrentExecutions": reserved}
