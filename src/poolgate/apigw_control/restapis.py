"""REST APIs: CreateRestApi, GetRestApis, GetRestApi, UpdateRestApi, DeleteRestApi.

An API belongs to the account and region of the credentials that created it, as user pools do. Error texts
are AWS's as recorded in localstack's tests/aws/services/apigateway/test_apigateway_api.snapshot.json (each
cited where used).
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import delete, insert, select, update

from ..apigw.uris import expand_policy_resources
from ..store.sql.tables import apigw_resources, apigw_rest_apis
from . import repo, shapes
from .patch import Patch, boolean, integer, invalid_patch_path, patches
from .registry import Call, Shape, bad_request, listing, operation, page

API_ID_LENGTH = 10
RESOURCE_ID_LENGTH = 6
_MAX_COMPRESSION = 10485760
_ENDPOINT_TYPES = ("EDGE", "REGIONAL", "PRIVATE")


def _endpoint_configuration(value: dict[str, Any] | None) -> dict[str, Any]:
    """Recorded: ``test_create_rest_api_with_endpoint_configuration`` and ``test_create_rest_api_private_type``."""
    if value is None:
        return {"types": ["EDGE"], "ipAddressType": "ipv4"}
    types = value.get("types", ["EDGE"])
    if not types:
        raise bad_request("REGIONAL Configuration and EDGE Configuration cannot be both DISABLED.")
    if len(types) > 1:
        raise bad_request("Cannot create an api with multiple Endpoint Types.")
    address = value.get("ipAddressType", "dualstack" if types == ["PRIVATE"] else "ipv4")
    if types == ["PRIVATE"] and address != "dualstack":
        raise bad_request("Only dualstack ipAddressType is supported for Private APIs.")
    result: dict[str, Any] = {"types": list(types), "ipAddressType": address}
    if value.get("vpcEndpointIds"):
        result["vpcEndpointIds"] = list(value["vpcEndpointIds"])
    return result


def _policy(text: str, call: Call, api_id: str) -> dict[str, Any]:
    """A resource policy (JSON text); ``execute-api:/…`` resources expand to this API's ARN."""
    try:
        policy = json.loads(text)
    except ValueError:
        policy = None
    if not isinstance(policy, dict) or "Statement" not in policy:
        # Wording UNCONFIRMED.
        raise bad_request("Invalid policy document. Please check the policy syntax and try again.")
    return expand_policy_resources(policy, call.caller.region, call.caller.account, api_id)


def _compression(value: int) -> int:
    if not 0 <= value <= _MAX_COMPRESSION:
        # Recorded: ``test_create_rest_api_with_optional_params`` (string-compression-size).
        raise bad_request(f"Invalid minimum compression size, must be between 0 and {_MAX_COMPRESSION}")
    return value


@operation("CreateRestApi", writes=True)
async def create_rest_api(call: Call, params: dict[str, Any]) -> Shape:
    if params.get("description") == "":
        # Recorded: ``test_create_rest_api_with_optional_params`` (create-empty-desc).
        raise bad_request("Description cannot be an empty string")
    if params.get("cloneFrom") is not None:
        raise bad_request("CreateRestApi with cloneFrom is not supported by poolgate yet")
    api_id, root_id = call.new_id(API_ID_LENGTH), call.new_id(RESOURCE_ID_LENGTH)
    config: dict[str, Any] = {"apiKeySource": params.get("apiKeySource", "HEADER"),
                              "endpointConfiguration": _endpoint_configuration(params.get("endpointConfiguration")),
                              "disableExecuteApiEndpoint": bool(params.get("disableExecuteApiEndpoint", False))}
    for key in ("description", "version", "tags"):
        if params.get(key) is not None:
            config[key] = params[key]
    if params.get("binaryMediaTypes"):
        config["binaryMediaTypes"] = list(params["binaryMediaTypes"])
    if params.get("minimumCompressionSize") is not None:
        config["minimumCompressionSize"] = _compression(params["minimumCompressionSize"])
    if params.get("policy"):
        config["policy"] = _policy(params["policy"], call, api_id)
    now = call.now
    await call.conn.execute(insert(apigw_rest_apis).values(
        id=api_id, account=call.caller.account, region=call.caller.region, name=params["name"], root_id=root_id,
        config=config, source=None, source_hash=None, created=now, modified=now))
    await call.conn.execute(insert(apigw_resources).values(api_id=api_id, id=root_id, parent_id=None, path_part=None,
                                                           path="/", variable_parent=None))
    return shapes.rest_api(await repo.api_row(call, api_id, lock=False))


@operation("GetRestApis")
async def get_rest_apis(call: Call, params: dict[str, Any]) -> Shape:
    query = select(apigw_rest_apis).where(apigw_rest_apis.c.account == call.caller.account,
                                          apigw_rest_apis.c.region == call.caller.region) \
        .order_by(apigw_rest_apis.c.id)
    rows = (await call.conn.execute(query)).mappings().all()
    chunk, position = page(rows, lambda row: row["id"], params)
    return listing([shapes.rest_api(row) for row in chunk], position)


@operation("GetRestApi")
async def get_rest_api(call: Call, params: dict[str, Any]) -> Shape:
    return shapes.rest_api(await repo.api_row(call, params["restApiId"]))


_REPLACEABLE = ("/name", "/description", "/version", "/apiKeySource", "/minimumCompressionSize", "/policy",
                "/disableExecuteApiEndpoint")


def _apply(call: Call, api_id: str, name: str, config: dict[str, Any], patch: Patch) -> str:
    if patch.op == "replace" and patch.path in _REPLACEABLE:
        key = patch.path[1:]
        if key == "name":
            if not patch.value:
                raise bad_request("Invalid name: it must not be empty")  # wording UNCONFIRMED
            return str(patch.value)
        if patch.value in (None, ""):
            config.pop(key, None)
        elif key == "minimumCompressionSize":
            config[key] = _compression(integer(patch))
        elif key == "disableExecuteApiEndpoint":
            config[key] = boolean(patch)
        elif key == "policy":
            config[key] = _policy(str(patch.value), call, api_id)
        elif key == "apiKeySource" and patch.value not in ("HEADER", "AUTHORIZER"):
            raise bad_request(f"Invalid API Key source specified: {patch.value}")  # wording UNCONFIRMED
        else:
            config[key] = patch.value
        return name
    steps = patch.steps
    if len(steps) == 2 and steps[0] == "binaryMediaTypes" and patch.op in ("add", "remove"):
        types = list(config.get("binaryMediaTypes", []))
        if patch.op == "add" and steps[1] not in types:
            types.append(steps[1])
        elif patch.op == "remove" and steps[1] in types:
            types.remove(steps[1])
        config["binaryMediaTypes"] = types
        return name
    raise invalid_patch_path(patch)


@operation("UpdateRestApi", writes=True)
async def update_rest_api(call: Call, params: dict[str, Any]) -> Shape:
    api_id = params["restApiId"]
    row = await repo.api_row(call, api_id)
    name, config = row["name"], dict(row["config"])
    for patch in patches(params):
        name = _apply(call, api_id, name, config, patch)
    await call.conn.execute(update(apigw_rest_apis).where(apigw_rest_apis.c.id == api_id)
                            .values(name=name, config=config))
    return shapes.rest_api(await repo.api_row(call, api_id, lock=False))


@operation("DeleteRestApi", writes=True)
async def delete_rest_api(call: Call, params: dict[str, Any]) -> Shape:
    """Everything of the API goes with it (the database cascades), and its stages stop being served."""
    api_id = params["restApiId"]
    await repo.api_row(call, api_id)
    await call.conn.execute(delete(apigw_rest_apis).where(apigw_rest_apis.c.id == api_id))
    await repo.bump(call.conn)
    call.served_changed = True
    return {}
