"""Authorizers: CreateAuthorizer, GetAuthorizers, GetAuthorizer, UpdateAuthorizer, DeleteAuthorizer.

A change reaches callers with the next deployment, as on AWS: stages serve the authorizers their deployment
captured.
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import delete, insert, update

from ..errors import ServiceError
from ..store.sql.tables import apigw_authorizers
from . import repo, shapes
from .patch import Patch, integer, invalid_patch_path, patches
from .registry import Call, Shape, bad_request, conflict, listing, operation, page
from .restapis import RESOURCE_ID_LENGTH

TYPES = ("TOKEN", "REQUEST", "COGNITO_USER_POOLS")
DEFAULT_IDENTITY_SOURCE = "method.request.header.Authorization"
_LAMBDA_URI = re.compile(r"^arn:aws[a-z-]*:apigateway:[^:]+:lambda:path/2015-03-31/functions/.+/invocations$")


def _check(config: dict[str, Any]) -> None:
    kind = config["type"]
    if kind not in TYPES:
        raise bad_request(f"Invalid authorizer type specified. Valid options are {','.join(TYPES)}")  # UNCONFIRMED
    if kind == "COGNITO_USER_POOLS":
        if not config.get("providerARNs"):
            raise bad_request("ProviderARNs need to be specified for COGNITO_USER_POOLS authorizers")  # UNCONFIRMED
    elif not _LAMBDA_URI.match(config.get("authorizerUri") or ""):
        raise bad_request("Invalid Authorizer URI specified")  # wording UNCONFIRMED
    ttl = config.get("authorizerResultTtlInSeconds", 300)
    if not 0 <= ttl <= 3600:
        raise bad_request("Invalid TTL specified. TTL must be between 0 and 3600 seconds")  # wording UNCONFIRMED
    expression = config.get("identityValidationExpression")
    if expression:
        try:
            re.compile(expression)
        except re.error:
            raise bad_request(f"Invalid identity validation expression specified: {expression}") from None


@operation("CreateAuthorizer", writes=True)
async def create_authorizer(call: Call, params: dict[str, Any]) -> Shape:
    api_id = params["restApiId"]
    # AWS quirk: an unknown API is a ConflictException (recorded: localstack test_apigateway_api.snapshot.json
    # ``test_authorizer_crud_no_api``, wrong-rest-api-id-create-authorizer).
    try:
        await repo.api_row(call, api_id)
    except ServiceError:
        raise conflict("Unable to complete operation due to concurrent modification. Please try again later.") \
            from None
    config: dict[str, Any] = {"name": params["name"], "type": params["type"]}
    for key in ("providerARNs", "authType", "authorizerUri", "authorizerCredentials", "identityValidationExpression"):
        if params.get(key):
            config[key] = params[key]
    source = params.get("identitySource")
    if source or params["type"] != "REQUEST":
        config["identitySource"] = source or DEFAULT_IDENTITY_SOURCE
    config["authorizerResultTtlInSeconds"] = params.get("authorizerResultTtlInSeconds", 300)
    _check(config)
    authorizer_id = call.new_id(RESOURCE_ID_LENGTH)
    await call.conn.execute(insert(apigw_authorizers).values(api_id=api_id, id=authorizer_id, name=config["name"],
                                                             config=config))
    return {"id": authorizer_id, **config}


@operation("GetAuthorizers")
async def get_authorizers(call: Call, params: dict[str, Any]) -> Shape:
    api_id = params["restApiId"]
    await repo.api_row(call, api_id)
    rows, position = page(await repo.authorizers(call, api_id), lambda row: row["id"], params)
    return listing([shapes.authorizer(row) for row in rows], position)


@operation("GetAuthorizer")
async def get_authorizer(call: Call, params: dict[str, Any]) -> Shape:
    api_id = params["restApiId"]
    await repo.api_row(call, api_id)
    return shapes.authorizer(await repo.authorizer(call, api_id, params["authorizerId"]))


_REPLACEABLE = ("/name", "/type", "/authType", "/authorizerUri", "/authorizerCredentials", "/identitySource",
                "/identityValidationExpression", "/authorizerResultTtlInSeconds")


def _apply(config: dict[str, Any], patch: Patch) -> None:
    steps = patch.steps
    if patch.op == "replace" and patch.path in _REPLACEABLE:
        key = steps[0]
        if key == "authorizerResultTtlInSeconds":
            config[key] = integer(patch)
        elif patch.value in (None, "") and key not in ("name", "type"):
            config.pop(key, None)
        else:
            config[key] = str(patch.value)
        return
    if steps[:1] == ["providerARNs"] and patch.op in ("add", "remove", "replace"):
        arns = list(config.get("providerARNs", []))
        if patch.op == "replace" and len(steps) == 1:
            arns = [str(patch.value)]
        elif patch.op == "add" and patch.value not in arns:
            arns.append(str(patch.value))
        elif patch.op == "remove":
            arns = [arn for arn in arns if arn != (patch.value or "/".join(steps[1:]))]
        config["providerARNs"] = arns
        return
    raise invalid_patch_path(patch)  # wording UNCONFIRMED for authorizers


@operation("UpdateAuthorizer", writes=True)
async def update_authorizer(call: Call, params: dict[str, Any]) -> Shape:
    api_id = params["restApiId"]
    await repo.api_row(call, api_id)
    row = await repo.authorizer(call, api_id, params["authorizerId"])
    config = dict(row["config"])
    for patch in patches(params):
        _apply(config, patch)
    _check(config)
    await call.conn.execute(update(apigw_authorizers).where(apigw_authorizers.c.api_id == api_id,
                                                            apigw_authorizers.c.id == row["id"])
                            .values(name=config["name"], config=config))
    return {"id": row["id"], **{key: value for key, value in config.items() if not key.startswith("x-poolgate-")}}


@operation("DeleteAuthorizer", writes=True)
async def delete_authorizer(call: Call, params: dict[str, Any]) -> Shape:
    api_id = params["restApiId"]
    await repo.api_row(call, api_id)
    row = await repo.authorizer(call, api_id, params["authorizerId"])
    for resource_id, verbs in (await repo.methods(call, api_id)).items():
        for verb, method in verbs.items():
            if method["config"].get("authorizerId") == row["id"]:
                # Wording UNCONFIRMED.
                raise conflict(f"Cannot delete authorizer '{row['name']}', is referenced in method: "
                               f"{verb} on resource {resource_id}")
    await call.conn.execute(delete(apigw_authorizers).where(apigw_authorizers.c.api_id == api_id,
                                                            apigw_authorizers.c.id == row["id"]))
    return {}
