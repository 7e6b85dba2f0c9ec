"""API keys: CreateApiKey, GetApiKey, GetApiKeys (``includeValues``, ``nameQuery``, ``customerId``),
UpdateApiKey (patch), DeleteApiKey. Stored in ``apigw_api_keys`` under the caller's account and region; keys
declared in poolgate.yaml (``apiKeys:``) are listed beside them and are read-only here (the file owns them).
Every write bumps ``apigw_changes``: every process's data plane serves the change within a second.

Recorded from AWS (localstack tests/aws/services/apigateway/test_apigateway_extended.snapshot.json,
``TestApigatewayApiKeysCrud``): the value and name limits and their messages, an empty or absent name or value (no
``name`` member; a generated value), ``nameQuery`` as a case-sensitive prefix, the patchable paths and an
``/enabled`` that is not ``true`` meaning false, ``tags: {}`` in UpdateApiKey's answer. A second key with one value
is AWS's 409 ConflictException "API Key already exists" (quoted from an AWS answer in
github.com/rrahul963/serverless-add-api-key/issues/27). UNCONFIRMED (the text moto and other emulators use):
NotFoundException "Invalid API Key identifier specified".
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from ..dataplane.usage_plans import ApiKey, UsagePlans
from ..errors import ServiceError
from ..store.sql.tables import apigw_api_keys, apigw_usage_plan_keys
from . import repo
from .patch import invalid_path, patches, unsupported_op
from .registry import Call, Shape, bad_request, conflict, listing, not_found, operation, page
from .shapes import epoch

KEY_NOT_FOUND = "Invalid API Key identifier specified"
VALUE_LENGTH = 40
_PATCHABLE = ["/description", "/enabled", "/name", "/customerId"]
MAX_NAME = 1024
MAX_DESCRIPTION = 125000
"""Recorded: a 1025-character name and a 125001-character description are refused
(``test_create_api_key_with_invalid_name``, ``test_update_api_key_invalid_description_length``)."""


def declared(call: Call) -> UsagePlans:
    """poolgate.yaml's keys and plans, for callers of the configured account and region."""
    settings = call.services.settings
    stored = getattr(call.dataplane, "stored", None)
    if stored is None or (call.caller.account, call.caller.region) != (settings.account, settings.region):
        return UsagePlans()
    plans: UsagePlans = stored.declared.usage_plans
    return plans


def declared_key(call: Call, key_id: str) -> ApiKey | None:
    return next((key for key in declared(call).keys.values() if key.id == key_id), None)


def read_only(what: str) -> ServiceError:
    # poolgate's own refusal (AWS has no file-declared resources): wording UNCONFIRMED by nature.
    return bad_request(f"{what} is declared in poolgate.yaml and cannot be changed through the API; "
                       "edit the file instead")


def key_shape(row: Any, *, include_value: bool, tags: bool = False) -> Shape:
    """``tags``: always send ``tags`` (UpdateApiKey and GetApiKey; recorded: ``update-api-key-name``)."""
    config = row["config"]
    shape: Shape = {"id": row["id"], "enabled": bool(row["enabled"]),
                    "createdDate": epoch(row["created"]), "lastUpdatedDate": epoch(row["modified"]),
                    "stageKeys": list(config.get("stageKeys", []))}
    if row["name"]:
        shape["name"] = row["name"]
    for member in ("description", "customerId", "tags"):
        if config.get(member) not in (None, "", {}):
            shape[member] = config[member]
    if tags:
        shape.setdefault("tags", {})
    if include_value:
        shape["value"] = row["value"]
    return shape


def declared_shape(key: ApiKey, *, include_value: bool) -> Shape:
    shape: Shape = {"id": key.id, "name": key.name, "enabled": key.enabled, "stageKeys": []}
    if key.description:
        shape["description"] = key.description
    if include_value and key.value is not None:
        shape["value"] = key.value
    return shape


async def key_row(call: Call, key_id: str) -> Any:
    query = select(apigw_api_keys).where(apigw_api_keys.c.id == key_id, apigw_api_keys.c.account == call.caller.account,
                                         apigw_api_keys.c.region == call.caller.region)
    row = (await call.conn.execute(query)).mappings().first()
    if row is None:
        raise not_found(KEY_NOT_FOUND)
    return row


def _check_name(name: str) -> str:
    if len(name) > MAX_NAME:
        raise bad_request(f"Invalid API Key name, can be at most {MAX_NAME} characters.")
    return name


def _check_description(description: str) -> str:
    if len(description) > MAX_DESCRIPTION:
        raise bad_request("Invalid API Key description specified.")
    return description


def _check_value(value: Any) -> str:
    if not isinstance(value, str) or len(value) < 20:
        raise bad_request("API Key value should be at least 20 characters")
    if len(value) > 128:
        raise bad_request("API Key value exceeds maximum size of 128 characters")
    return value


def _taken_by_declared(call: Call, value: str) -> bool:
    return any(key.value == value for key in declared(call).keys.values())


@operation("CreateApiKey", writes=True)
async def create_api_key(call: Call, params: dict[str, Any]) -> Shape:
    value = _check_value(params["value"]) if params.get("value") else call.new_id(VALUE_LENGTH)
    _check_description(params.get("description") or "")
    if _taken_by_declared(call, value):
        raise conflict("API Key already exists")
    config: dict[str, Any] = {member: params[member] for member in ("description", "customerId", "tags")
                              if params.get(member) not in (None, "")}
    config["stageKeys"] = [f"{item['restApiId']}/{item['stageName']}" for item in params.get("stageKeys", [])]
    key_id = call.new_id(10)
    name = _check_name(params.get("name") or "")
    try:
        await call.conn.execute(insert(apigw_api_keys).values(
            id=key_id, account=call.caller.account, region=call.caller.region, name=name,
            value=value, enabled=bool(params.get("enabled", False)), config=config, created=call.now,
            modified=call.now))
    except IntegrityError:  # the database's uniqueness of values per account and region (the transaction ends)
        raise conflict("API Key already exists") from None
    await repo.bump(call.conn)
    call.served_changed = True
    return key_shape(await key_row(call, key_id), include_value=True)


@operation("GetApiKey")
async def get_api_key(call: Call, params: dict[str, Any]) -> Shape:
    include = bool(params.get("includeValue", False))
    found = declared_key(call, params["apiKey"])
    if found is not None:
        return declared_shape(found, include_value=include)
    return key_shape(await key_row(call, params["apiKey"]), include_value=include, tags=True)


@operation("GetApiKeys")
async def get_api_keys(call: Call, params: dict[str, Any]) -> Shape:
    include = bool(params.get("includeValues", False))
    query = select(apigw_api_keys).where(apigw_api_keys.c.account == call.caller.account,
                                         apigw_api_keys.c.region == call.caller.region)
    items = [declared_shape(key, include_value=include) for key in declared(call).keys.values()]
    items += [key_shape(row, include_value=include) for row in (await call.conn.execute(query)).mappings()]
    name = params.get("nameQuery")
    if name:  # a case-sensitive prefix (recorded: ``test_get_api_keys``, get-api-keys-prefix-name-query…)
        items = [item for item in items if item.get("name", "").startswith(name)]
    customer = params.get("customerId")
    if customer:
        items = [item for item in items if item.get("customerId") == customer]
    items.sort(key=lambda item: item["id"])
    chunk, position = page(items, lambda item: item["id"], params)
    return listing(chunk, position)


@operation("UpdateApiKey", writes=True)
async def update_api_key(call: Call, params: dict[str, Any]) -> Shape:
    key_id = params["apiKey"]
    if declared_key(call, key_id) is not None:
        raise read_only(f"API key {key_id}")
    row = await key_row(call, key_id)
    name, enabled, config = row["name"], bool(row["enabled"]), dict(row["config"])
    for patch in patches(params):
        if patch.path not in _PATCHABLE:
            raise invalid_path(patch, _PATCHABLE)
        if patch.op != "replace":
            raise unsupported_op(patch)
        if patch.path == "/name":
            name = _check_name(str(patch.value or ""))
        elif patch.path == "/enabled":
            # Anything but "true" disables (recorded: ``test_update_api_key_invalid_enabled_type``).
            enabled = str(patch.value).lower() == "true"
        elif patch.path == "/description":
            config["description"] = _check_description(str(patch.value or ""))
        else:
            config[patch.path[1:]] = "" if patch.value is None else str(patch.value)
    await call.conn.execute(update(apigw_api_keys).where(apigw_api_keys.c.id == key_id).values(
        name=name, enabled=enabled, config=config, modified=call.now))
    await repo.bump(call.conn)
    call.served_changed = True
    return key_shape(await key_row(call, key_id), include_value=False, tags=True)


@operation("DeleteApiKey", writes=True)
async def delete_api_key(call: Call, params: dict[str, Any]) -> Shape:
    key_id = params["apiKey"]
    if declared_key(call, key_id) is not None:
        raise read_only(f"API key {key_id}")
    await key_row(call, key_id)
    await call.conn.execute(delete(apigw_usage_plan_keys).where(apigw_usage_plan_keys.c.key_id == key_id))
    await call.conn.execute(delete(apigw_api_keys).where(apigw_api_keys.c.id == key_id))
    await repo.bump(call.conn)
    call.served_changed = True
    return {}
