"""A function's resource-based policy (AddPermission, RemovePermission, GetPolicy) and its tags (TagResource,
UntagResource, ListTags), kept in the function's row. The statements are written as Lambda writes them
(https://docs.aws.amazon.com/lambda/latest/dg/access-control-resource-based.html): ``Principal`` a service
(``{"Service": …}``), an account (``{"AWS": "arn:aws:iam::…:root"}``) or ``*``; ``SourceArn`` as an
``ArnLike`` condition and ``SourceAccount`` as ``StringEquals``. poolgate keeps the policy; the gateway does not
check it before invoking (as ``sam local``)."""

from __future__ import annotations

import json
import re
from typing import Any

from ..errors import ServiceError
from .functions import Call, existing_row, function_name, operation
from .updates import change_function

_ACCOUNT = re.compile(r"^\d{12}$")


def _principal(value: str) -> Any:
    if value == "*":
        return "*"
    if _ACCOUNT.match(value):
        return {"AWS": f"arn:aws:iam::{value}:root"}
    if value.startswith("arn:"):
        return {"AWS": value}
    return {"Service": value}


def _statement(call: Call, name: str, params: dict[str, Any]) -> dict[str, Any]:
    arn = f"arn:aws:lambda:{call.caller.region}:{call.caller.account}:function:{name}"
    statement: dict[str, Any] = {"Sid": params["StatementId"], "Effect": "Allow",
                                 "Principal": _principal(params["Principal"]), "Action": params["Action"],
                                 "Resource": arn}
    condition: dict[str, Any] = {}
    if params.get("SourceAccount"):
        condition.setdefault("StringEquals", {})["AWS:SourceAccount"] = params["SourceAccount"]
    if params.get("PrincipalOrgID"):
        condition.setdefault("StringEquals", {})["aws:PrincipalOrgID"] = params["PrincipalOrgID"]
    if params.get("SourceArn"):
        condition["ArnLike"] = {"AWS:SourceArn": params["SourceArn"]}
    if condition:
        statement["Condition"] = condition
    return statement


@operation("AddPermission")
async def add_permission(call: Call, params: dict[str, Any]) -> dict[str, Any]:
    name, _ = function_name(params["FunctionName"])
    statement = _statement(call, name, params)

    def change(config: dict[str, Any]) -> None:
        statements = config.setdefault("Policy", [])
        if any(existing["Sid"] == statement["Sid"] for existing in statements):
            raise ServiceError("ResourceConflictException",
                               "The statement id (sid) provided already exists. Please provide a new statement id, "
                               "or remove the existing statement.", 409)
        statements.append(statement)

    await change_function(call, params, change)
    return {"Statement": json.dumps(statement, separators=(",", ":"))}


@operation("RemovePermission")
async def remove_permission(call: Call, params: dict[str, Any]) -> None:
    sid = params["StatementId"]

    def change(config: dict[str, Any]) -> None:
        statements = config.get("Policy") or []
        kept = [statement for statement in statements if statement["Sid"] != sid]
        if len(kept) == len(statements):
            # UNCONFIRMED wording
            raise ServiceError("ResourceNotFoundException", f"Statement {sid} is not found in resource policy.", 404)
        config["Policy"] = kept

    await change_function(call, params, change)


@operation("GetPolicy")
async def get_policy(call: Call, params: dict[str, Any]) -> dict[str, Any]:
    _, row = await existing_row(call, params["FunctionName"])
    statements = row.config.get("Policy") or []
    if not statements:
        raise ServiceError("ResourceNotFoundException", "The resource you requested does not exist.", 404)
    policy = {"Version": "2012-10-17", "Id": "default", "Statement": statements}
    return {"Policy": json.dumps(policy, separators=(",", ":")), "RevisionId": row.config["RevisionId"]}


def _tagged(call: Call, params: dict[str, Any]) -> dict[str, Any]:
    """TagResource & co. name the function by its ARN (``Resource``)."""
    return {**params, "FunctionName": params["Resource"]}


@operation("TagResource")
async def tag_resource(call: Call, params: dict[str, Any]) -> None:
    def change(config: dict[str, Any]) -> None:
        config["Tags"] = {**(config.get("Tags") or {}), **params["Tags"]}

    await change_function(call, _tagged(call, params), change)


@operation("UntagResource")
async def untag_resource(call: Call, params: dict[str, Any]) -> None:
    def change(config: dict[str, Any]) -> None:
        config["Tags"] = {k: v for k, v in (config.get("Tags") or {}).items() if k not in params["TagKeys"]}

    await change_function(call, _tagged(call, params), change)


@operation("ListTags")
async def list_tags(call: Call, params: dict[str, Any]) -> dict[str, Any]:
    _, row = await existing_row(call, params["Resource"])
    return {"Tags": row.config.get("Tags") or {}}
