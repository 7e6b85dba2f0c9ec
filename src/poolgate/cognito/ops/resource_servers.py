"""Resource servers and their custom scopes (``{identifier}/{scope}``): Create/Describe/List/Update/Delete."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, func, select, update

from ...errors import ServiceError, invalid_parameter, resource_not_found
from ...store.sql.tables import resource_servers
from ..service import COGNITO, Caller, Services, listing
from .pools import owned_pool

MAX_RESOURCE_SERVERS = 25
MAX_SCOPES = 100


def _describe(row: Any) -> dict[str, Any]:
    return {"UserPoolId": row["pool_id"], "Identifier": row["identifier"], "Name": row["name"],
            "Scopes": list(row["scopes"])}


def _scopes(params: dict[str, Any]) -> list[dict[str, str]]:
    scopes = [{"ScopeName": s["ScopeName"], "ScopeDescription": s["ScopeDescription"]}
              for s in params.get("Scopes") or []]
    if len(scopes) > MAX_SCOPES:
        raise ServiceError("LimitExceededException", f"A resource server can have at most {MAX_SCOPES} scopes.")
    names = [s["ScopeName"] for s in scopes]
    if len(set(names)) != len(names):
        raise invalid_parameter("Duplicate scopes are not allowed.")
    return scopes


async def create_resource_server(services: Services, pool_id: str, params: dict[str, Any]) -> dict[str, Any]:
    """Create a resource server (``poolgate.yaml``'s ``resourceServers:`` uses this too)."""
    scopes = _scopes(params)
    async with services.db.begin() as conn:
        where = (resource_servers.c.pool_id == pool_id, resource_servers.c.identifier == params["Identifier"])
        if (await conn.execute(select(resource_servers.c.identifier).where(*where))).first() is not None:
            raise invalid_parameter(f"{params['Identifier']} already exists in user pool {pool_id}.")
        count = (await conn.execute(select(func.count()).select_from(resource_servers)
                                    .where(resource_servers.c.pool_id == pool_id))).scalar_one()
        if count >= MAX_RESOURCE_SERVERS:
            raise ServiceError("LimitExceededException",
                               f"A user pool can have at most {MAX_RESOURCE_SERVERS} resource servers.")
        await conn.execute(resource_servers.insert().values(
            pool_id=pool_id, identifier=params["Identifier"], name=params["Name"], scopes=scopes,
            created=services.clock.now()))
        row = (await conn.execute(select(resource_servers).where(*where))).mappings().one()
    return _describe(row)


async def _get(services: Services, pool_id: str, identifier: str) -> Any:
    async with services.db.read() as conn:
        row = (await conn.execute(select(resource_servers).where(
            resource_servers.c.pool_id == pool_id, resource_servers.c.identifier == identifier))).mappings().first()
    if row is None:
        raise resource_not_found(f"Resource server {identifier} does not exist in user pool {pool_id}.")
    return row


@COGNITO.operation("CreateResourceServer")
async def create_resource_server_op(services: Services, caller: Caller, params: dict[str, Any]) -> dict[str, Any]:
    pool = await owned_pool(services, caller, params["UserPoolId"])
    return {"ResourceServer": await create_resource_server(services, pool.id, params)}


@COGNITO.operation("DescribeResourceServer")
async def describe_resource_server(services: Services, caller: Caller, params: dict[str, Any]) -> dict[str, Any]:
    pool = await owned_pool(services, caller, params["UserPoolId"])
    return {"ResourceServer": _describe(await _get(services, pool.id, params["Identifier"]))}


@COGNITO.operation("ListResourceServers")
async def list_resource_servers(services: Services, caller: Caller, params: dict[str, Any]) -> dict[str, Any]:
    pool = await owned_pool(services, caller, params["UserPoolId"])
    async with services.db.read() as conn:
        rows = (await conn.execute(select(resource_servers).where(resource_servers.c.pool_id == pool.id)
                                   .order_by(resource_servers.c.created, resource_servers.c.identifier))
                ).mappings().all()
    return listing(rows, "ResourceServers", _describe, params.get("MaxResults"), params.get("NextToken"),
                   caller.request_id)


@COGNITO.operation("UpdateResourceServer")
async def update_resource_server(services: Services, caller: Caller, params: dict[str, Any]) -> dict[str, Any]:
    pool = await owned_pool(services, caller, params["UserPoolId"])
    row = await _get(services, pool.id, params["Identifier"])
    scopes = _scopes(params)
    where = (resource_servers.c.pool_id == pool.id, resource_servers.c.identifier == row["identifier"])
    async with services.db.begin() as conn:
        await conn.execute(update(resource_servers).where(*where).values(name=params["Name"], scopes=scopes))
        updated = (await conn.execute(select(resource_servers).where(*where))).mappings().one()
    return {"ResourceServer": _describe(updated)}


@COGNITO.operation("DeleteResourceServer")
async def delete_resource_server(services: Services, caller: Caller, params: dict[str, Any]) -> dict[str, Any]:
    pool = await owned_pool(services, caller, params["UserPoolId"])
    row = await _get(services, pool.id, params["Identifier"])
    async with services.db.begin() as conn:
        await conn.execute(delete(resource_servers).where(
            resource_servers.c.pool_id == pool.id, resource_servers.c.identifier == row["identifier"]))
    return {}
