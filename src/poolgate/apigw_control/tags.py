"""Tags of REST APIs and stages: TagResource, UntagResource, GetTags, by ARN
(``arn:aws:apigateway:{region}::/restapis/{id}`` and ``…/restapis/{id}/stages/{name}``,
https://docs.aws.amazon.com/apigateway/latest/developerguide/arn-format-reference.html). Stored with the API
or the stage, returned by GetRestApi/GetStage as ``tags``. Other taggable resources are not served yet."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import update

from ..store.sql.tables import apigw_rest_apis, apigw_stages
from . import repo
from .registry import Call, Shape, bad_request, operation

_ARN = re.compile(r"^arn:aws[a-z-]*:apigateway:(?P<region>[^:]+)::/restapis/(?P<api>[^/]+)"
                  r"(?:/stages/(?P<stage>[^/]+))?$")


async def _target(call: Call, arn: str) -> tuple[str, str | None, dict[str, Any]]:
    """(api id, stage name or None, the stored config holding ``tags``)."""
    found = _ARN.match(arn)
    if found is None or found.group("region") != call.caller.region:
        # Wording UNCONFIRMED.
        raise bad_request(f"Invalid resource ARN specified: {arn} (poolgate tags REST APIs and stages)")
    api = await repo.api_row(call, found.group("api"))
    stage_name = found.group("stage")
    if stage_name is None:
        return api["id"], None, dict(api["config"])
    stage = await repo.stage(call, api["id"], stage_name)
    return api["id"], stage_name, dict(stage["config"])


async def _save(call: Call, api_id: str, stage: str | None, config: dict[str, Any]) -> None:
    if stage is None:
        await call.conn.execute(update(apigw_rest_apis).where(apigw_rest_apis.c.id == api_id).values(config=config))
    else:
        await call.conn.execute(update(apigw_stages).where(apigw_stages.c.api_id == api_id,
                                                           apigw_stages.c.name == stage).values(config=config))


@operation("TagResource", writes=True)
async def tag_resource(call: Call, params: dict[str, Any]) -> Shape:
    api_id, stage, config = await _target(call, params["resourceArn"])
    config["tags"] = {**(config.get("tags") or {}), **params["tags"]}
    await _save(call, api_id, stage, config)
    return {}


@operation("UntagResource", writes=True)
async def untag_resource(call: Call, params: dict[str, Any]) -> Shape:
    api_id, stage, config = await _target(call, params["resourceArn"])
    config["tags"] = {key: value for key, value in (config.get("tags") or {}).items()
                      if key not in params["tagKeys"]}
    await _save(call, api_id, stage, config)
    return {}


@operation("GetTags")
async def get_tags(call: Call, params: dict[str, Any]) -> Shape:
    _, _, config = await _target(call, params["resourceArn"])
    return {"tags": dict(config.get("tags") or {})}
