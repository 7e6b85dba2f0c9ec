"""Stages: CreateStage, GetStages, GetStage, UpdateStage, DeleteStage.

Stage settings (deployment, variables, method settings) take effect at once, as on AWS: every write here bumps
the change counter that each process polls (``dataplane/stored.py``). Recorded words: localstack
tests/aws/services/apigateway/test_apigateway_common.snapshot.json (``test_create_update_stages``,
``test_update_stage_remove_wildcard``).
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import delete, insert, update

from ..store.sql.tables import apigw_stages
from . import repo, shapes
from .patch import Patch, boolean, integer, patches
from .registry import Call, Shape, bad_request, conflict, operation

_STAGE_NAME = re.compile(r"^[A-Za-z0-9_-]{1,128}$")
_VARIABLE_NAME = re.compile(r"^[A-Za-z0-9_]{1,64}$")
_VARIABLE_VALUE = re.compile(r"^[A-Za-z0-9\-._~:/?#&=,]{1,512}$")
_SETTINGS = {
    "metrics/enabled": ("metricsEnabled", "bool"), "logging/dataTrace": ("dataTraceEnabled", "bool"),
    "logging/loglevel": ("loggingLevel", "text"), "throttling/burstLimit": ("throttlingBurstLimit", "int"),
    "throttling/rateLimit": ("throttlingRateLimit", "float"), "caching/ttlInSeconds": ("cacheTtlInSeconds", "int"),
    "caching/enabled": ("cachingEnabled", "bool"), "caching/dataEncrypted": ("cacheDataEncrypted", "bool"),
    "caching/requireAuthorizationForCacheControl": ("requireAuthorizationForCacheControl", "bool"),
    "caching/unauthorizedCacheControlHeaderStrategy": ("unauthorizedCacheControlHeaderStrategy", "text"),
}
_TOP = {"/description": "text", "/tracingEnabled": "bool", "/cacheClusterEnabled": "bool",
        "/cacheClusterSize": "text", "/clientCertificateId": "text", "/documentationVersion": "text"}
_VALID_PATHS = (
    "/deploymentId, /description, /cacheClusterEnabled, /cacheClusterSize, /clientCertificateId, /accessLogSettings, "
    "/accessLogSettings/destinationArn, /accessLogSettings/format, /{resourcePath}/{httpMethod}/metrics/enabled, "
    "/{resourcePath}/{httpMethod}/logging/dataTrace, /{resourcePath}/{httpMethod}/logging/loglevel, "
    "/{resourcePath}/{httpMethod}/throttling/burstLimit/{resourcePath}/{httpMethod}/throttling/rateLimit/"
    "{resourcePath}/{httpMethod}/caching/ttlInSeconds, /{resourcePath}/{httpMethod}/caching/enabled, "
    "/{resourcePath}/{httpMethod}/caching/dataEncrypted, "
    "/{resourcePath}/{httpMethod}/caching/requireAuthorizationForCacheControl, "
    "/{resourcePath}/{httpMethod}/caching/unauthorizedCacheControlHeaderStrategy, /*/*/metrics/enabled, "
    "/*/*/logging/dataTrace, /*/*/logging/loglevel, /*/*/throttling/burstLimit /*/*/throttling/rateLimit "
    "/*/*/caching/ttlInSeconds, /*/*/caching/enabled, /*/*/caching/dataEncrypted, "
    "/*/*/caching/requireAuthorizationForCacheControl, /*/*/caching/unauthorizedCacheControlHeaderStrategy, "
    "/variables/{variable_name}, /tracingEnabled")
"""AWS's list, verbatim (its missing commas included): recorded ``test_create_update_stages``."""


def _invalid_setting_path(path: str) -> Exception:
    return bad_request(f"Invalid method setting path: {path}. Must be one of: [{_VALID_PATHS}]")


def check_variables(variables: dict[str, str]) -> None:
    for name, value in variables.items():
        if not _VARIABLE_NAME.match(name):
            # Wording UNCONFIRMED.
            raise bad_request(f"Stage variable name {name} must be alphanumeric and may contain underscores")
        if not _VARIABLE_VALUE.match(value):
            raise bad_request(f"Stage variable value {value} is invalid: allowed characters are "
                              "a-zA-Z0-9-._~:/?#&=,")  # wording UNCONFIRMED


async def create_or_point_stage(call: Call, api_id: str, name: str, deployment_id: str,
                                settings: dict[str, Any]) -> None:
    """CreateDeployment's ``stageName``: the stage now serves ``deployment_id`` (created when new)."""
    if not _STAGE_NAME.match(name):
        raise bad_request("Stage name only allows a-zA-Z0-9_-")  # wording UNCONFIRMED
    check_variables(settings.get("variables", {}))
    existing = next((row for row in await repo.stages(call, api_id) if row["name"] == name), None)
    if existing is None:
        await call.conn.execute(insert(apigw_stages).values(api_id=api_id, name=name, deployment_id=deployment_id,
                                                            config=settings, created=call.now, modified=call.now))
    else:
        await call.conn.execute(update(apigw_stages).where(apigw_stages.c.api_id == api_id,
                                                           apigw_stages.c.name == name)
                                .values(deployment_id=deployment_id, config={**existing["config"], **settings},
                                        modified=call.now))
    await repo.bump(call.conn)
    call.served_changed = True


@operation("CreateStage", writes=True)
async def create_stage(call: Call, params: dict[str, Any]) -> Shape:
    api_id, name = params["restApiId"], params["stageName"]
    await repo.api_row(call, api_id)
    if not _STAGE_NAME.match(name):
        raise bad_request("Stage name only allows a-zA-Z0-9_-")  # wording UNCONFIRMED
    deployment = await repo.deployment(call, api_id, params["deploymentId"])
    if any(row["name"] == name for row in await repo.stages(call, api_id)):
        raise conflict("Stage already exists")  # wording UNCONFIRMED (moto's StageAlreadyExists)
    config: dict[str, Any] = {}
    for key in ("description", "cacheClusterEnabled", "cacheClusterSize", "variables", "documentationVersion",
                "tracingEnabled", "tags"):
        if params.get(key) is not None:
            config[key] = params[key]
    check_variables(config.get("variables", {}))
    await call.conn.execute(insert(apigw_stages).values(api_id=api_id, name=name, deployment_id=deployment["id"],
                                                        config=config, created=call.now, modified=call.now))
    await repo.bump(call.conn)
    call.served_changed = True
    return shapes.stage(await repo.stage(call, api_id, name))


@operation("GetStages")
async def get_stages(call: Call, params: dict[str, Any]) -> Shape:
    api_id = params["restApiId"]
    await repo.api_row(call, api_id)
    wanted = params.get("deploymentId")
    return {"item": [shapes.stage(row) for row in await repo.stages(call, api_id)
                     if wanted is None or row["deployment_id"] == wanted]}


@operation("GetStage")
async def get_stage(call: Call, params: dict[str, Any]) -> Shape:
    api_id = params["restApiId"]
    await repo.api_row(call, api_id)
    return shapes.stage(await repo.stage(call, api_id, params["stageName"]))


def _value(patch: Patch, kind: str) -> Any:
    if kind == "bool":
        return boolean(patch)
    if kind == "int":
        return integer(patch)
    if kind == "float":
        try:
            return float(str(patch.value))
        except ValueError:
            raise bad_request(f"Invalid value {patch.value!r} for {patch.path}: must be a number") from None
    return str(patch.value)


def _method_setting(config: dict[str, Any], patch: Patch) -> bool:
    """``/{resourcePath}/{httpMethod}/{group}/{setting}`` (or ``/*/*``); the key keeps the path as written
    (``~1pets/GET``, ``*/*``), as GetStage reports it. False when the path is no method setting."""
    raw = patch.path.split("/")[1:]
    settings = dict(config.get("methodSettings", {}))
    if len(raw) == 2 and patch.op == "remove":
        key = "/".join(raw)
        if key not in settings:
            # Recorded: ``test_update_stage_remove_wildcard`` (delete-error), trailing space included.
            raise bad_request(f"Cannot remove method setting {key} because there is no method setting for this "
                              "method ")
        del settings[key]
        config["methodSettings"] = settings
        return True
    if len(raw) != 4 or f"{raw[2]}/{raw[3]}" not in _SETTINGS:
        return False
    key = f"{raw[0]}/{raw[1]}"
    name, kind = _SETTINGS[f"{raw[2]}/{raw[3]}"]
    setting = dict(settings.get(key, {}))
    if patch.op == "remove":
        setting.pop(name, None)
    else:
        setting[name] = _value(patch, kind)
    settings[key] = setting
    config["methodSettings"] = settings
    return True


@operation("UpdateStage", writes=True)
async def update_stage(call: Call, params: dict[str, Any]) -> Shape:
    api_id, name = params["restApiId"], params["stageName"]
    await repo.api_row(call, api_id)
    row = await repo.stage(call, api_id, name)
    config, deployment_id = dict(row["config"]), row["deployment_id"]
    for patch in patches(params):
        steps = patch.steps
        if patch.path == "/deploymentId" and patch.op == "replace":
            deployment_id = (await repo.deployment(call, api_id, str(patch.value)))["id"]
        elif patch.path in _TOP and patch.op == "replace":
            config[patch.path[1:]] = _value(patch, _TOP[patch.path])
        elif len(steps) == 2 and steps[0] == "variables" and patch.op in ("replace", "add", "remove"):
            variables = dict(config.get("variables", {}))
            if patch.op == "remove":
                variables.pop(steps[1], None)
            else:
                variables[steps[1]] = str(patch.value)
                check_variables({steps[1]: variables[steps[1]]})
            config["variables"] = variables
        elif not _method_setting(config, patch):
            raise _invalid_setting_path(patch.path)
    await call.conn.execute(update(apigw_stages).where(apigw_stages.c.api_id == api_id, apigw_stages.c.name == name)
                            .values(deployment_id=deployment_id, config=config, modified=call.now))
    await repo.bump(call.conn)
    call.served_changed = True
    return shapes.stage(await repo.stage(call, api_id, name))


@operation("DeleteStage", writes=True)
async def delete_stage(call: Call, params: dict[str, Any]) -> Shape:
    api_id, name = params["restApiId"], params["stageName"]
    await repo.api_row(call, api_id)
    await repo.stage(call, api_id, name)
    await call.conn.execute(delete(apigw_stages).where(apigw_stages.c.api_id == api_id, apigw_stages.c.name == name))
    await repo.bump(call.conn)
    call.served_changed = True
    return {}
