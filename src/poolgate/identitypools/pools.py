"""CreateIdentityPool, DescribeIdentityPool, UpdateIdentityPool, DeleteIdentityPool, ListIdentityPools,
SetIdentityPoolRoles, GetIdentityPoolRoles (https://docs.aws.amazon.com/cognitoidentity/latest/APIReference/)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, select, update

from ..cognito.service import paginate
from ..errors import ServiceError
from ..store.sql.tables import identity_pools
from .logins import provider_pool_id
from .service import IDENTITY, Caller, Services, new_id, pool_not_found, pool_row

_CONFIG_FIELDS = ("IdentityPoolName", "AllowUnauthenticatedIdentities", "AllowClassicFlow", "SupportedLoginProviders",
                  "DeveloperProviderName", "OpenIdConnectProviderARNs", "CognitoIdentityProviders",
                  "SamlProviderARNs", "IdentityPoolTags")


def _config(params: dict[str, Any]) -> dict[str, Any]:
    config = {name: params[name] for name in _CONFIG_FIELDS if name in params}
    config.setdefault("AllowClassicFlow", False)
    for provider in config.get("CognitoIdentityProviders", []):
        provider.setdefault("ServerSideTokenCheck", False)
    return config


def _pool_type(row: Any) -> dict[str, Any]:
    return {"IdentityPoolId": row["id"], **row["config"]}


@IDENTITY.operation("CreateIdentityPool")
async def create_identity_pool(services: Services, caller: Caller, params: dict[str, Any]) -> dict[str, Any]:
    pool_id = new_id(services, caller.region)
    config = _config(params)
    async with services.db.begin() as conn:
        await conn.execute(identity_pools.insert().values(
            id=pool_id, account=caller.account, region=caller.region, name=config["IdentityPoolName"],
            config=config, roles={}, created=services.clock.now()))
    return {"IdentityPoolId": pool_id, **config}


@IDENTITY.operation("DescribeIdentityPool")
async def describe_identity_pool(services: Services, caller: Caller, params: dict[str, Any]) -> dict[str, Any]:
    return _pool_type(await pool_row(services, params["IdentityPoolId"], caller))


@IDENTITY.operation("UpdateIdentityPool")
async def update_identity_pool(services: Services, caller: Caller, params: dict[str, Any]) -> dict[str, Any]:
    """Replaces the pool's settings with the request's (fields left out are cleared), as AWS does."""
    pool_id = params["IdentityPoolId"]
    await pool_row(services, pool_id, caller)
    config = _config(params)
    async with services.db.begin() as conn:
        done = await conn.execute(update(identity_pools).where(identity_pools.c.id == pool_id).values(
            name=config["IdentityPoolName"], config=config))
    if done.rowcount == 0:
        raise pool_not_found(pool_id)
    return {"IdentityPoolId": pool_id, **config}


@IDENTITY.operation("DeleteIdentityPool")
async def delete_identity_pool(services: Services, caller: Caller, params: dict[str, Any]) -> dict[str, Any]:
    pool_id = params["IdentityPoolId"]
    await pool_row(services, pool_id, caller)
    async with services.db.begin() as conn:
        # Identities and logins go with the pool (ON DELETE CASCADE); credentials already handed out stay
        # valid until they expire, as STS credentials do. UNCONFIRMED whether AWS revokes them.
        done = await conn.execute(delete(identity_pools).where(identity_pools.c.id == pool_id))
    if done.rowcount == 0:
        raise pool_not_found(pool_id)
    return {}


@IDENTITY.operation("ListIdentityPools")
async def list_identity_pools(services: Services, caller: Caller, params: dict[str, Any]) -> dict[str, Any]:
    async with services.db.read() as conn:
        rows = (await conn.execute(select(identity_pools.c.id, identity_pools.c.name).where(
            identity_pools.c.account == caller.account, identity_pools.c.region == caller.region
        ).order_by(identity_pools.c.created, identity_pools.c.id))).mappings().all()
    page, token = paginate(list(rows), params["MaxResults"], params.get("NextToken"), caller.request_id)
    out: dict[str, Any] = {"IdentityPools": [{"IdentityPoolId": r["id"], "IdentityPoolName": r["name"]}
                                             for r in page]}
    if token:
        out["NextToken"] = token
    return out


def _check_mappings(pool: Any, mappings: dict[str, Any]) -> None:
    """Business rules botocore's model cannot say. Messages UNCONFIRMED (worded after the API reference's
    RoleMapping page: "Type … Required", "RulesConfiguration … Required if you specify Rules")."""
    configured = {provider_pool_id(p["ProviderName"]) for p in pool["config"].get("CognitoIdentityProviders", [])}
    configured |= set(pool["config"].get("SupportedLoginProviders", {}))
    for provider, mapping in mappings.items():
        if provider not in configured and provider_pool_id(provider) not in configured:
            raise ServiceError("InvalidParameterException",
                               f"Role mapping provider {provider} is not a provider of this identity pool.")
        if mapping["Type"] == "Rules" and not mapping.get("RulesConfiguration", {}).get("Rules"):
            raise ServiceError("InvalidParameterException",
                               "RulesConfiguration is required when the role mapping type is Rules.")
        if "AmbiguousRoleResolution" not in mapping:
            raise ServiceError("InvalidParameterException", "AmbiguousRoleResolution is required.")


@IDENTITY.operation("SetIdentityPoolRoles")
async def set_identity_pool_roles(services: Services, caller: Caller, params: dict[str, Any]) -> dict[str, Any]:
    pool_id = params["IdentityPoolId"]
    pool = await pool_row(services, pool_id, caller)
    for role_type in params["Roles"]:
        # awsproto/validate.py checks map values, not keys; RoleType's pattern is (un)?authenticated. The
        # wording follows AWS's validation messages for map keys (UNCONFIRMED for this operation).
        if role_type not in ("authenticated", "unauthenticated"):
            raise ServiceError("InvalidParameterException", (
                f"1 validation error detected: Value '{role_type}' at 'roles' failed to satisfy constraint: Map keys "
                "must satisfy constraint: [Member must satisfy regular expression pattern: (un)?authenticated]"))
    mappings = params.get("RoleMappings", {})
    _check_mappings(pool, mappings)
    roles = {"Roles": params["Roles"], "RoleMappings": mappings}
    async with services.db.begin() as conn:
        await conn.execute(update(identity_pools).where(identity_pools.c.id == pool_id).values(roles=roles))
    return {}


@IDENTITY.operation("GetIdentityPoolRoles")
async def get_identity_pool_roles(services: Services, caller: Caller, params: dict[str, Any]) -> dict[str, Any]:
    pool = await pool_row(services, params["IdentityPoolId"], caller)
    out: dict[str, Any] = {"IdentityPoolId": pool["id"], "Roles": pool["roles"].get("Roles", {})}
    if pool["roles"].get("RoleMappings"):
        out["RoleMappings"] = pool["roles"]["RoleMappings"]
    return out

