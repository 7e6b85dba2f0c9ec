"""CreateUserPoolClient, DescribeUserPoolClient, ListUserPoolClients, UpdateUserPoolClient, DeleteUserPoolClient."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, select, update

from ...errors import invalid_parameter
from ...store.sql.tables import user_pool_clients
from .. import repo
from ..domain import Client
from ..federation.providers import check_supported
from ..schema import check_client_attributes
from ..service import COGNITO, Caller, Services, listing
from .pools import owned_pool

_DEFAULTS: dict[str, Any] = {
    "RefreshTokenValidity": 30,
    "AuthSessionValidity": 3,
    "EnableTokenRevocation": True,
    "AllowedOAuthFlowsUserPoolClient": False,
    "EnablePropagateAdditionalUserContextData": False,
}
"""Settings a new client reports when not given. PreventUserExistenceErrors is not among them: a client behaves
as LEGACY without it, but AWS only reports it once set (AWS CLI output of new clients)."""
_NOT_CONFIG = ("UserPoolId", "ClientName", "GenerateSecret", "ClientId")
_VALIDITY_LIMITS = {"AccessTokenValidity": (300, 86400), "IdTokenValidity": (300, 86400),
                    "RefreshTokenValidity": (3600, 3650 * 86400)}
_UNIT_SECONDS = {"seconds": 1, "minutes": 60, "hours": 3600, "days": 86400}
_DEFAULT_UNITS = {"AccessTokenValidity": "hours", "IdTokenValidity": "hours", "RefreshTokenValidity": "days"}


def _check_validity(config: dict[str, Any]) -> None:
    units = config.get("TokenValidityUnits") or {}
    for name, (low, high) in _VALIDITY_LIMITS.items():
        value = config.get(name)
        if value is None or (name == "RefreshTokenValidity" and value == 0):
            continue
        unit = units.get(name.replace("Validity", ""), _DEFAULT_UNITS[name])
        seconds = int(value) * _UNIT_SECONDS[unit]
        if not low <= seconds <= high:
            what = name.replace("TokenValidity", " token validity").replace("Id ", "ID ").lower()
            raise invalid_parameter(f"{what[:1].upper()}{what[1:]} must be between "
                                    f"{_human(low)} and {_human(high)}.")


def _human(seconds: int) -> str:
    for unit, size in (("days", 86400), ("hours", 3600), ("minutes", 60)):
        if seconds % size == 0:
            return f"{seconds // size} {unit[:-1] if seconds // size == 1 else unit}"
    return f"{seconds} seconds"


def describe(client: Client, pool_id: str) -> dict[str, Any]:
    out: dict[str, Any] = {"UserPoolId": pool_id, "ClientName": client.name, "ClientId": client.client_id,
                           "LastModifiedDate": client.modified, "CreationDate": client.created,
                           "TokenValidityUnits": {}, **client.config}
    rotation = client.config.get("RefreshTokenRotation") or {}
    # reported when never set, and with a grace period of 0 unless given: the API's answers that
    # terraform-provider-aws#47374 and #45650 had to allow for
    out["RefreshTokenRotation"] = {"Feature": rotation.get("Feature", "DISABLED"),
                                   "RetryGracePeriodSeconds": rotation.get("RetryGracePeriodSeconds", 0)}
    if client.secret:
        out["ClientSecret"] = client.secret
    return out


async def create_client(services: Services, pool_id: str, params: dict[str, Any],
                        client_id: str | None = None, secret: str | None = None) -> Client:
    config = {**_DEFAULTS, **{k: v for k, v in params.items() if k not in _NOT_CONFIG}}
    _check_validity(config)
    if config.get("ExplicitAuthFlows"):
        _check_flows(config["ExplicitAuthFlows"])
    async with services.db.read() as conn:
        pool = await repo.get_pool(conn, pool_id)
    check_client_attributes(pool.config, config.get("ReadAttributes"), config.get("WriteAttributes"), creating=True)
    await check_supported(services, pool_id, config.get("SupportedIdentityProviders"))
    now = services.clock.now()
    new_id = client_id or services.ids.client_id()
    if params.get("GenerateSecret") and secret is None:
        secret = services.ids.client_secret()
    async with services.db.begin() as conn:
        await conn.execute(user_pool_clients.insert().values(
            client_id=new_id, pool_id=pool_id, name=params["ClientName"], secret=secret, config=config,
            created=now, modified=now))
        return await repo.get_client(conn, new_id)


def _check_flows(flows: list[str]) -> None:
    new_style = any(f.startswith("ALLOW_") for f in flows)
    old_style = any(not f.startswith("ALLOW_") for f in flows)
    if new_style and old_style:
        raise invalid_parameter("ExplicitAuthFlows can only contain values starting with ALLOW_ or only "
                                "legacy values.")


@COGNITO.operation("CreateUserPoolClient")
async def create_user_pool_client(services: Services, caller: Caller, params: dict[str, Any]) -> dict[str, Any]:
    pool = await owned_pool(services, caller, params["UserPoolId"])
    client = await create_client(services, pool.id, params)
    return {"UserPoolClient": describe(client, pool.id)}


async def _owned_client(services: Services, caller: Caller, params: dict[str, Any]) -> Client:
    pool = await owned_pool(services, caller, params["UserPoolId"])
    async with services.db.read() as conn:
        return await repo.get_client(conn, params["ClientId"], pool.id)


@COGNITO.operation("DescribeUserPoolClient")
async def describe_user_pool_client(services: Services, caller: Caller, params: dict[str, Any]) -> dict[str, Any]:
    client = await _owned_client(services, caller, params)
    return {"UserPoolClient": describe(client, client.pool_id)}


@COGNITO.operation("ListUserPoolClients")
async def list_user_pool_clients(services: Services, caller: Caller, params: dict[str, Any]) -> dict[str, Any]:
    pool = await owned_pool(services, caller, params["UserPoolId"])
    async with services.db.read() as conn:
        rows = (await conn.execute(select(user_pool_clients).where(user_pool_clients.c.pool_id == pool.id)
                                   .order_by(user_pool_clients.c.created))).mappings().all()
    return listing(rows, "UserPoolClients",
                   lambda r: {"ClientId": r["client_id"], "UserPoolId": pool.id, "ClientName": r["name"]},
                   params.get("MaxResults"), params.get("NextToken"), caller.request_id)


@COGNITO.operation("UpdateUserPoolClient")
async def update_user_pool_client(services: Services, caller: Caller, params: dict[str, Any]) -> dict[str, Any]:
    client = await _owned_client(services, caller, params)
    updated = await update_client(services, client, params)
    return {"UserPoolClient": describe(updated, updated.pool_id)}


async def update_client(services: Services, client: Client, params: dict[str, Any]) -> Client:
    """UpdateUserPoolClient's effect on ``client``."""
    # AWS quirk: UpdateUserPoolClient replaces the settings; omitted ones return to their defaults.
    config = {**_DEFAULTS, **{k: v for k, v in params.items() if k not in _NOT_CONFIG}}
    _check_validity(config)
    if config.get("ExplicitAuthFlows"):
        _check_flows(config["ExplicitAuthFlows"])
    async with services.db.read() as conn:
        pool = await repo.get_pool(conn, client.pool_id)
    check_client_attributes(pool.config, config.get("ReadAttributes"), config.get("WriteAttributes"), creating=False)
    await check_supported(services, client.pool_id, config.get("SupportedIdentityProviders"))
    values: dict[str, Any] = {"config": config, "modified": services.clock.now()}
    if params.get("ClientName"):
        values["name"] = params["ClientName"]
    async with services.db.begin() as conn:
        await conn.execute(update(user_pool_clients)
                           .where(user_pool_clients.c.client_id == client.client_id).values(**values))
        updated = await repo.get_client(conn, client.client_id)
    services.records.forget_client(client.client_id)
    return updated


@COGNITO.operation("DeleteUserPoolClient")
async def delete_user_pool_client(services: Services, caller: Caller, params: dict[str, Any]) -> dict[str, Any]:
    client = await _owned_client(services, caller, params)
    async with services.db.begin() as conn:
        await conn.execute(delete(user_pool_clients).where(user_pool_clients.c.client_id == client.client_id))
    services.records.forget_client(client.client_id)
    return {}
