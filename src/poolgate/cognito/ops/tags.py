"""TagResource, UntagResource, ListTagsForResource: a user pool's tags, the ``UserPoolTags`` DescribeUserPool shows.

The tags live in the pool's config (``UserPoolTags``), where CreateUserPool and UpdateUserPool put them and where
poolgate reads its own (``poolgate:issuer``), so the three doors agree.
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import update

from ...errors import ServiceError
from ...store.sql.tables import user_pools
from .. import repo
from ..domain import Pool
from ..service import COGNITO, Caller, Services, same_owner
from .pools import locked_config

_POOL_ARN = re.compile(r"^arn:aws:cognito-idp:([a-z0-9-]+):([0-9]{12}):userpool/([\w-]+_[0-9a-zA-Z]+)$")
MAX_TAGS = 50
"""Tags per resource (AWS's general limit; the API Reference's TagResource says "up to 50 tags" for a user pool)."""


async def _tagged_pool(services: Services, caller: Caller, arn: str) -> Pool:
    """The caller's pool named by ``arn``. An ARN that names no pool of the caller's is a ResourceNotFoundException
    naming it (message UNCONFIRMED: AWS's text for an unknown ARN was not found)."""
    found = _POOL_ARN.match(arn)
    missing = ServiceError("ResourceNotFoundException", f"Resource {arn} does not exist.")
    if found is None:
        raise missing
    region, account, pool_id = found.groups()
    async with services.db.read() as conn:
        pool = await repo.find_pool(conn, pool_id)
    if pool is None or (pool.region, pool.account) != (region, account):
        raise missing
    same_owner(caller, pool.region, pool.account, f"Resource {arn} does not exist.")
    return pool


async def _change_tags(services: Services, pool: Pool, tags: dict[str, str], remove: list[str]) -> None:
    async with services.db.begin() as conn:
        config = await locked_config(conn, pool.id)
        current = {k: v for k, v in (config.get("UserPoolTags") or {}).items() if k not in remove}
        current.update(tags)
        if len(current) > MAX_TAGS:
            # UNCONFIRMED: AWS's text for a 51st tag
            raise ServiceError("InvalidParameterException", f"A user pool can have at most {MAX_TAGS} tags.")
        config["UserPoolTags"] = current
        await conn.execute(update(user_pools).where(user_pools.c.id == pool.id)
                           .values(config=config, modified=services.clock.now()))
    services.records.forget_pool(pool.id)


@COGNITO.operation("TagResource")
async def tag_resource(services: Services, caller: Caller, params: dict[str, Any]) -> dict[str, Any]:
    pool = await _tagged_pool(services, caller, params["ResourceArn"])
    await _change_tags(services, pool, dict(params["Tags"]), [])
    return {}


@COGNITO.operation("UntagResource")
async def untag_resource(services: Services, caller: Caller, params: dict[str, Any]) -> dict[str, Any]:
    pool = await _tagged_pool(services, caller, params["ResourceArn"])
    await _change_tags(services, pool, {}, list(params["TagKeys"]))
    return {}


@COGNITO.operation("ListTagsForResource")
async def list_tags_for_resource(services: Services, caller: Caller, params: dict[str, Any]) -> dict[str, Any]:
    pool = await _tagged_pool(services, caller, params["ResourceArn"])
    return {"Tags": pool.tags}
