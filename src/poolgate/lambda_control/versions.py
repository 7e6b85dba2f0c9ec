"""Published versions and aliases (https://docs.aws.amazon.com/lambda/latest/dg/configuration-versions.html,
.../configuration-aliases.html): PublishVersion freezes ``$LATEST``'s code and configuration as version N;
an alias names a version. Both live in the function's row; each process's runtime knows them as
``name:N`` and ``name:alias`` (``functions.runnables``), which is what ``Invoke``'s Qualifier and an API
Gateway integration URI ``…function:name:${stageVariables.alias}`` reach."""

from __future__ import annotations

import contextlib
import time
import uuid
from typing import Any

from sqlalchemy import select

from ..awsproto.dispatch import Caller
from ..errors import ServiceError
from ..store.sql.tables import lambda_functions
from .functions import (
    Call,
    _row_configuration,
    arn,
    existing_row,
    function_name,
    invalid,
    not_found,
    operation,
    qualified_configuration,
    stored_row,
)
from .updates import change_function

_SNAPSHOT = ("Runtime", "Role", "Handler", "Description", "Timeout", "MemorySize", "Environment", "Architectures",
             "CodeSha256", "CodeSize")


def _alias_arn(caller: Caller, name: str, alias: str) -> str:
    return f"{arn(caller, name)}:{alias}"


def _alias_configuration(caller: Caller, name: str, alias: str, target: dict[str, Any]) -> dict[str, Any]:
    return {"AliasArn": _alias_arn(caller, name, alias), "Name": alias,
            "FunctionVersion": target["FunctionVersion"], "Description": target.get("Description", ""),
            "RevisionId": target["RevisionId"]}


@operation("PublishVersion")
async def publish_version(call: Call, params: dict[str, Any]) -> dict[str, Any]:
    name, _ = function_name(params["FunctionName"])
    published: dict[str, str] = {}

    def change(config: dict[str, Any], code_hex: str) -> None:
        if params.get("CodeSha256") and params["CodeSha256"] != config["CodeSha256"]:
            # UNCONFIRMED wording
            raise invalid(f"CodeSHA256 ({params['CodeSha256']}) is different from current CodeSHA256 in $LATEST "
                          f"({config['CodeSha256']}). Please try again from CreateFunction/UpdateFunctionCode.")
        versions = config.setdefault("Versions", {})
        snapshot = {key: config[key] for key in _SNAPSHOT if key in config}
        if params.get("Description") is not None:
            snapshot["Description"] = params["Description"]
        last = max(versions, key=int) if versions else None
        if last is not None and all(versions[last].get(k) == config.get(k) for k in _SNAPSHOT
                                    if k != "Description") and versions[last]["CodeHex"] == code_hex:
            published["number"] = last  # nothing changed since: Lambda answers the last version
            raise _Unchanged()
        number = str(int(config.get("LastVersion", 0)) + 1)
        config["LastVersion"] = int(number)
        versions[number] = {**snapshot, "CodeHex": code_hex, "RevisionId": str(uuid.uuid4()),
                            "Modified": time.time()}
        published["number"] = number

    with contextlib.suppress(_Unchanged):
        await change_function(call, params, change, with_code=True)
    row = await stored_row(call, name)
    return qualified_configuration(call.caller, row, published["number"])


class _Unchanged(Exception):
    """PublishVersion found nothing new to publish (the transaction is let go)."""


@operation("ListVersionsByFunction")
async def list_versions_by_function(call: Call, params: dict[str, Any]) -> dict[str, Any]:
    name, row = await existing_row(call, params["FunctionName"])
    versions = [_row_configuration(call.caller, row)]
    versions[0]["FunctionArn"] = f"{arn(call.caller, name)}:$LATEST"
    versions += [qualified_configuration(call.caller, row, number)
                 for number in sorted(row.config.get("Versions") or {}, key=int)]
    return {"Versions": versions}


def _check_version(call: Call, name: str, config: dict[str, Any], version: str) -> None:
    if version != "$LATEST" and version not in (config.get("Versions") or {}):
        raise not_found(call.caller, name, version)


@operation("CreateAlias")
async def create_alias(call: Call, params: dict[str, Any]) -> dict[str, Any]:
    name, _ = function_name(params["FunctionName"])
    alias = params["Name"]
    made: dict[str, Any] = {}

    def change(config: dict[str, Any], code_hex: str) -> None:
        aliases = config.setdefault("Aliases", {})
        if alias in aliases:
            raise ServiceError("ResourceConflictException",
                               f"Alias already exists: {_alias_arn(call.caller, name, alias)}", 409)
        _check_version(call, name, config, params["FunctionVersion"])
        made.update({"FunctionVersion": params["FunctionVersion"], "Description": params.get("Description", ""),
                     "RevisionId": str(uuid.uuid4())})
        aliases[alias] = dict(made)

    await change_function(call, {"FunctionName": params["FunctionName"]}, change, with_code=True)
    return _alias_configuration(call.caller, name, alias, made)


@operation("UpdateAlias")
async def update_alias(call: Call, params: dict[str, Any]) -> dict[str, Any]:
    name, _ = function_name(params["FunctionName"])
    alias = params["Name"]
    made: dict[str, Any] = {}

    def change(config: dict[str, Any], code_hex: str) -> None:
        target = (config.get("Aliases") or {}).get(alias)
        if target is None:
            raise ServiceError("ResourceNotFoundException",
                               f"Alias not found: {_alias_arn(call.caller, name, alias)}", 404)
        if params.get("RevisionId") and params["RevisionId"] != target["RevisionId"]:
            raise ServiceError("PreconditionFailedException",
                               "The Revision Id provided does not match the latest Revision Id. Call the "
                               "GetFunction/GetAlias API to retrieve the latest Revision Id", 412)
        if params.get("FunctionVersion"):
            _check_version(call, name, config, params["FunctionVersion"])
            target["FunctionVersion"] = params["FunctionVersion"]
        if params.get("Description") is not None:
            target["Description"] = params["Description"]
        target["RevisionId"] = str(uuid.uuid4())
        made.update(target)

    await change_function(call, {"FunctionName": params["FunctionName"]}, change, with_code=True)
    return _alias_configuration(call.caller, name, alias, made)


@operation("DeleteAlias")
async def delete_alias(call: Call, params: dict[str, Any]) -> None:
    name, _ = function_name(params["FunctionName"])

    def change(config: dict[str, Any], code_hex: str) -> None:
        aliases = config.get("Aliases") or {}
        if params["Name"] not in aliases:  # UNCONFIRMED: whether Lambda answers 404 or 204 here
            raise ServiceError("ResourceNotFoundException",
                               f"Alias not found: {_alias_arn(call.caller, name, params['Name'])}", 404)
        del aliases[params["Name"]]

    await change_function(call, {"FunctionName": params["FunctionName"]}, change, with_code=True)


@operation("GetAlias")
async def get_alias(call: Call, params: dict[str, Any]) -> dict[str, Any]:
    name, row = await existing_row(call, params["FunctionName"])
    target = (row.config.get("Aliases") or {}).get(params["Name"])
    if target is None:
        raise ServiceError("ResourceNotFoundException",
                           f"Alias not found: {_alias_arn(call.caller, name, params['Name'])}", 404)
    return _alias_configuration(call.caller, name, params["Name"], target)


@operation("ListAliases")
async def list_aliases(call: Call, params: dict[str, Any]) -> dict[str, Any]:
    name, _ = function_name(params["FunctionName"])
    caller = call.caller
    async with call.services.db.read() as conn:
        row = (await conn.execute(select(lambda_functions).where(
            lambda_functions.c.account == caller.account, lambda_functions.c.region == caller.region,
            lambda_functions.c.name == name))).first()
    if row is None:
        raise not_found(caller, name)
    aliases = row.config.get("Aliases") or {}
    wanted = params.get("FunctionVersion")
    return {"Aliases": [_alias_configuration(caller, name, alias, target) for alias, target in sorted(aliases.items())
                        if wanted is None or target["FunctionVersion"] == wanted]}
