"""``AWS::ApiGateway::ApiKey``, ``UsagePlan`` and ``UsagePlanKey`` through the apigateway operations
(https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-apigateway-apikey.html,
…-usageplan, …-usageplankey). ``Ref`` gives the key's, plan's and key's ids; ``Fn::GetAtt`` ``APIKeyId`` and ``Id``.

An API key is updated in place (name, description, enabled, customer id) and replaced when its ``Value`` or
``StageKeys`` change (UpdateApiKey patches neither); a usage plan is updated in place with UpdateUsagePlan (name,
description, throttle, quota, API stages added and removed); a usage plan key is made again when it changes.
"""

from __future__ import annotations

from typing import Any

from ..errors import ServiceError
from .kinds import PropertyError, Record, Target, applies, known, require
from .planes import NOT_FOUND, Planes

_KEY = {"Name", "Description", "Enabled", "Value", "CustomerId", "GenerateDistinctId", "StageKeys", "Tags"}
_PLAN = {"UsagePlanName", "Description", "ApiStages", "Throttle", "Quota", "Tags"}


def _tags(value: Any) -> dict[str, str]:
    if isinstance(value, list):
        return {str(tag.get("Key")): str(tag.get("Value")) for tag in value if isinstance(tag, dict)}
    return {str(k): str(v) for k, v in (value or {}).items()}


def _lower(value: Any, prop: str) -> Any:
    """A mapping's PascalCase keys as the apigateway API's camelCase ones (one level)."""
    if not isinstance(value, dict):
        raise PropertyError(prop, "a mapping")
    return {key[:1].lower() + key[1:]: item for key, item in value.items()}


async def _gone_ok(planes: Planes, name: str, params: dict[str, Any]) -> None:
    try:
        await planes.apigateway(name, params)
    except ServiceError as err:
        if err.code not in NOT_FOUND:
            raise


@applies("AWS::ApiGateway::ApiKey")
async def api_key(planes: Planes, target: Target, props: dict[str, Any], old: Record | None) -> Record:
    known(props, _KEY)
    stage_keys = []
    for item in props.get("StageKeys") or []:
        if not isinstance(item, dict) or not item.get("RestApiId") or not item.get("StageName"):
            raise PropertyError("StageKeys", "each stage key has a RestApiId and a StageName")
        stage_keys.append({"restApiId": item["RestApiId"], "stageName": item["StageName"]})
    name = props.get("Name") or target.default_name(128)
    replaced = old is not None and (old.attrs.get("Value") != props.get("Value")
                                    or old.attrs.get("StageKeys") != stage_keys)
    if old is not None and replaced:
        if not target.retain_replaced:
            await _gone_ok(planes, "DeleteApiKey", {"apiKey": old.id})
        old = None
    if old is None:
        params: dict[str, Any] = {"name": name, "enabled": props.get("Enabled", False), "stageKeys": stage_keys}
        for prop, member in (("Description", "description"), ("Value", "value"), ("CustomerId", "customerId"),
                             ("GenerateDistinctId", "generateDistinctId")):
            if prop in props:
                params[member] = props[prop]
        if props.get("Tags"):
            params["tags"] = _tags(props["Tags"])
        key_id = (await planes.apigateway("CreateApiKey", params))["id"]
    else:
        key_id = old.id
        patches = [{"op": "replace", "path": "/name", "value": str(name)},
                   {"op": "replace", "path": "/enabled", "value": str(props.get("Enabled", False)).lower()}]
        for prop, path in (("Description", "/description"), ("CustomerId", "/customerId")):
            patches.append({"op": "replace", "path": path, "value": str(props.get(prop, ""))})
        await planes.apigateway("UpdateApiKey", {"apiKey": key_id, "patchOperations": patches})
    return Record(target.type, key_id, {"APIKeyId": key_id, "Value": props.get("Value"), "StageKeys": stage_keys},
                  probe=["apigateway", "GetApiKey", {"apiKey": key_id}])


def _api_stages(props: dict[str, Any]) -> list[dict[str, Any]]:
    stages = []
    for item in props.get("ApiStages") or []:
        if not isinstance(item, dict) or not item.get("ApiId") or not item.get("Stage"):
            raise PropertyError("ApiStages", "each API stage has an ApiId and a Stage")
        stage: dict[str, Any] = {"apiId": item["ApiId"], "stage": item["Stage"]}
        if item.get("Throttle"):
            if not isinstance(item["Throttle"], dict):
                raise PropertyError("ApiStages", "an API stage's Throttle maps paths (/{resource}/{METHOD}) to limits")
            stage["throttle"] = {path: _lower(settings, "ApiStages") for path, settings in item["Throttle"].items()}
        stages.append(stage)
    return stages


def _limit_patches(props: dict[str, Any]) -> list[dict[str, Any]]:
    patches = []
    for prop, base, members in (("Throttle", "/throttle", ("burstLimit", "rateLimit")),
                                ("Quota", "/quota", ("limit", "offset", "period"))):
        if props.get(prop):
            given = _lower(props[prop], prop)
            patches += [{"op": "replace", "path": f"{base}/{m}", "value": str(given[m])} for m in members if m in given]
        else:
            patches.append({"op": "remove", "path": base})
    return patches


@applies("AWS::ApiGateway::UsagePlan")
async def usage_plan(planes: Planes, target: Target, props: dict[str, Any], old: Record | None) -> Record:
    known(props, _PLAN)
    name = props.get("UsagePlanName") or target.default_name(128)
    stages = _api_stages(props)
    if old is None:
        params: dict[str, Any] = {"name": name, "apiStages": stages}
        if props.get("Description"):
            params["description"] = props["Description"]
        if props.get("Throttle"):
            params["throttle"] = _lower(props["Throttle"], "Throttle")
        if props.get("Quota"):
            params["quota"] = _lower(props["Quota"], "Quota")
        if props.get("Tags"):
            params["tags"] = _tags(props["Tags"])
        plan_id = (await planes.apigateway("CreateUsagePlan", params))["id"]
    else:
        plan_id = old.id
        current = await planes.apigateway("GetUsagePlan", {"usagePlanId": plan_id})
        had = {f"{s['apiId']}:{s['stage']}" for s in current.get("apiStages") or []}
        wanted = {f"{s['apiId']}:{s['stage']}" for s in stages}
        patches = [{"op": "replace", "path": "/name", "value": str(name)},
                   {"op": "replace", "path": "/description", "value": str(props.get("Description", ""))}]
        patches += [{"op": "remove", "path": "/apiStages", "value": gone} for gone in sorted(had - wanted)]
        patches += [{"op": "add", "path": "/apiStages", "value": new} for new in sorted(wanted - had)]
        patches += [patch for patch in _limit_patches(props)
                    if patch["op"] != "remove" or patch["path"][1:] in current]
        await planes.apigateway("UpdateUsagePlan", {"usagePlanId": plan_id, "patchOperations": patches})
    return Record(target.type, plan_id, {"Id": plan_id}, probe=["apigateway", "GetUsagePlan", {"usagePlanId": plan_id}])


@applies("AWS::ApiGateway::UsagePlanKey")
async def usage_plan_key(planes: Planes, target: Target, props: dict[str, Any], old: Record | None) -> Record:
    require(props, "KeyId", "KeyType", "UsagePlanId")
    known(props, {"KeyId", "KeyType", "UsagePlanId"})
    key = {"usagePlanId": props["UsagePlanId"], "keyId": props["KeyId"]}
    if old is not None:
        await _gone_ok(planes, "DeleteUsagePlanKey", {"usagePlanId": old.attrs["UsagePlanId"], "keyId": old.id})
    await planes.apigateway("CreateUsagePlanKey", {**key, "keyType": props["KeyType"]})
    return Record(target.type, props["KeyId"], {"Id": props["KeyId"], "UsagePlanId": props["UsagePlanId"]},
                  probe=["apigateway", "GetUsagePlanKey", key])
