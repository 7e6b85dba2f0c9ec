"""CreateUserPool, DescribeUserPool, ListUserPools, UpdateUserPool, DeleteUserPool, AddCustomAttributes."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, select, update

from ...awsproto.dispatch import service_model
from ...errors import ServiceError, invalid_parameter
from ...store.sql.tables import ALL_TABLES, user_pools
from .. import repo
from ..domain import Pool
from ..passwords import DEFAULT_POLICY
from ..schema import add_custom_attributes, merge_schema
from ..service import COGNITO, Caller, Services, listing, same_owner

_MUTABLE = ("Policies", "DeletionProtection", "LambdaConfig", "AutoVerifiedAttributes", "SmsVerificationMessage",
            "EmailVerificationMessage", "EmailVerificationSubject", "VerificationMessageTemplate",
            "SmsAuthenticationMessage", "UserAttributeUpdateSettings", "MfaConfiguration", "DeviceConfiguration",
            "EmailConfiguration", "SmsConfiguration", "UserPoolTags", "AdminCreateUserConfig",
            "UserPoolAddOns", "AccountRecoverySetting", "PoolName", "UserPoolTier")


_LEGACY_MESSAGES = (("SmsVerificationMessage", "SmsMessage"), ("EmailVerificationMessage", "EmailMessage"),
                    ("EmailVerificationSubject", "EmailSubject"))
"""The legacy verification-message settings and their VerificationMessageTemplate twins."""


def _mirror_messages(config: dict[str, Any], given: dict[str, Any]) -> None:
    """AWS keeps the legacy verification messages and VerificationMessageTemplate in step: a message given one way
    is reported both ways (hashicorp/terraform-provider-aws TestAccCognitoIDPUserPool_withVerificationMessageTemplate
    and _withEmailVerificationMessage, acceptance tests run against AWS: "Setting Verification template attributes
    like EmailMessage, EmailSubject or SmsMessage will implicitly set EmailVerificationMessage,
    EmailVerificationSubject and SmsVerificationMessage attributes" and the reverse; the AWS CLI's describe-user-pool
    example output shows both)."""
    given_template = given.get("VerificationMessageTemplate") or {}
    template = dict(config.get("VerificationMessageTemplate") or {})
    for legacy, key in _LEGACY_MESSAGES:
        if given.get(legacy) and key not in given_template:
            template[key] = given[legacy]
        elif given_template.get(key) and legacy not in given:
            config[legacy] = given_template[key]
    config["VerificationMessageTemplate"] = template


async def locked_config(conn: Any, pool_id: str) -> dict[str, Any]:
    """The pool's config, read after taking the pool's row for writing (a no-op UPDATE: a row lock on PostgreSQL,
    the write lock on SQLite), so that read-modify-write changes of one pool (tags, custom attributes, MFA …) made at
    the same time by any process wait for each other instead of losing one another's change."""
    await conn.execute(update(user_pools).where(user_pools.c.id == pool_id).values(modified=user_pools.c.modified))
    row = (await conn.execute(select(user_pools.c.config).where(user_pools.c.id == pool_id))).first()
    if row is None:
        raise ServiceError("ResourceNotFoundException", f"User pool {pool_id} does not exist.")
    return dict(row.config)


def _initial_config(params: dict[str, Any]) -> dict[str, Any]:
    config = {k: v for k, v in params.items() if k not in ("PoolName", "Schema")}
    policy = {**DEFAULT_POLICY, **((params.get("Policies") or {}).get("PasswordPolicy") or {})}
    config["Policies"] = {**(params.get("Policies") or {}), "PasswordPolicy": policy}
    config["SchemaAttributes"] = merge_schema(params.get("Schema"))
    config.setdefault("MfaConfiguration", "OFF")
    config.setdefault("LambdaConfig", {})
    config.setdefault("DeletionProtection", "INACTIVE")
    config.setdefault("AdminCreateUserConfig", {"AllowAdminCreateUserOnly": False, "UnusedAccountValidityDays": 7})
    config.setdefault("VerificationMessageTemplate", {"DefaultEmailOption": "CONFIRM_WITH_CODE"})
    config.setdefault("UserPoolTags", {})
    _mirror_messages(config, params)
    return config


async def create_pool(services: Services, region: str, account: str, params: dict[str, Any],
                      pool_id: str | None = None) -> Pool:
    """Create a pool (``pool_id`` pins the id, as ``poolgate.yaml`` may) with its two signing keys."""
    now = services.clock.now()
    new_id = pool_id or services.ids.pool_id(region)
    async with services.db.begin() as conn:
        await conn.execute(user_pools.insert().values(
            id=new_id, region=region, account=account, name=params["PoolName"],
            config=_initial_config(params), created=now, modified=now))
        await services.keys.create_for_pool(conn, new_id, now)
        pool = await repo.get_pool(conn, new_id)
    return pool


_POOL_MEMBERS = frozenset(service_model("cognito-idp").shape_for("UserPoolType").members)
"""What a UserPoolType holds: settings kept in the pool's config for other operations (the MFA factors of
SetUserPoolMfaConfig …) are not part of DescribeUserPool's answer."""


async def describe(services: Services, pool: Pool) -> dict[str, Any]:
    """DescribeUserPool's UserPoolType, with the defaults AWS reports for settings nobody set (AWS CLI output
    of new pools: EmailConfiguration COGNITO_DEFAULT, SignInPolicy PASSWORD; UserPoolTier ESSENTIALS is the
    documented default)."""
    async with services.db.read() as conn:
        count = await repo.count_users(conn, pool.id)
    out: dict[str, Any] = {"Id": pool.id, "Name": pool.name, "Arn": pool.arn,
                           "LastModifiedDate": pool.modified, "CreationDate": pool.created,
                           "EstimatedNumberOfUsers": count}
    out.update((k, v) for k, v in pool.config.items() if k in _POOL_MEMBERS)
    policies = out.get("Policies") or {}
    if "SignInPolicy" not in policies:
        out["Policies"] = {**policies, "SignInPolicy": {"AllowedFirstAuthFactors": ["PASSWORD"]}}
    out.setdefault("EmailConfiguration", {"EmailSendingAccount": "COGNITO_DEFAULT"})
    out.setdefault("UserPoolTier", "ESSENTIALS")
    return out


async def owned_pool(services: Services, caller: Caller, pool_id: str) -> Pool:
    async with services.db.read() as conn:
        pool = await repo.get_pool(conn, pool_id)
    same_owner(caller, pool.region, pool.account, f"User pool {pool_id} does not exist.")
    return pool


@COGNITO.operation("CreateUserPool")
async def create_user_pool(services: Services, caller: Caller, params: dict[str, Any]) -> dict[str, Any]:
    pool = await create_pool(services, caller.region, caller.account, params)
    return {"UserPool": await describe(services, pool)}


@COGNITO.operation("DescribeUserPool")
async def describe_user_pool(services: Services, caller: Caller, params: dict[str, Any]) -> dict[str, Any]:
    pool = await owned_pool(services, caller, params["UserPoolId"])
    return {"UserPool": await describe(services, pool)}


@COGNITO.operation("ListUserPools")
async def list_user_pools(services: Services, caller: Caller, params: dict[str, Any]) -> dict[str, Any]:
    async with services.db.read() as conn:
        rows = (await conn.execute(
            select(user_pools).where(user_pools.c.region == caller.region, user_pools.c.account == caller.account)
            .order_by(user_pools.c.created, user_pools.c.id))).mappings().all()
    return listing(rows, "UserPools", lambda r: {"Id": r["id"], "Name": r["name"],
                                                 "LambdaConfig": r["config"].get("LambdaConfig", {}),
                                                 "LastModifiedDate": r["modified"], "CreationDate": r["created"]},
                   params.get("MaxResults"), params.get("NextToken"), caller.request_id)


@COGNITO.operation("UpdateUserPool")
async def update_user_pool(services: Services, caller: Caller, params: dict[str, Any]) -> dict[str, Any]:
    await update_pool(services, await owned_pool(services, caller, params["UserPoolId"]), params)
    return {}


async def update_pool(services: Services, pool: Pool, params: dict[str, Any]) -> None:
    """UpdateUserPool's effect: the mutable settings given in ``params`` replace the pool's."""
    values: dict[str, Any] = {"modified": services.clock.now()}
    if params.get("PoolName"):
        values["name"] = params["PoolName"]
    async with services.db.begin() as conn:
        config = await locked_config(conn, pool.id)
        for key in _MUTABLE:
            if key in params and key != "PoolName":
                config[key] = params[key]
        if "Policies" in params:
            policy = {**DEFAULT_POLICY, **((params["Policies"] or {}).get("PasswordPolicy") or {})}
            config["Policies"] = {**params["Policies"], "PasswordPolicy": policy}
        _mirror_messages(config, params)
        await conn.execute(update(user_pools).where(user_pools.c.id == pool.id).values(config=config, **values))
    services.records.forget_pool(pool.id)


@COGNITO.operation("AddCustomAttributes")
async def add_custom_attributes_op(services: Services, caller: Caller, params: dict[str, Any]) -> dict[str, Any]:
    """AddCustomAttributes: ``custom:<name>`` or ``dev:custom:<name>`` appended to the pool's schema; a name the pool
    has is an InvalidParameterException, however many callers add it at once (the pool's row is locked)."""
    pool = await owned_pool(services, caller, params["UserPoolId"])
    async with services.db.begin() as conn:
        config = await locked_config(conn, pool.id)
        config["SchemaAttributes"] = add_custom_attributes(config.get("SchemaAttributes") or [],
                                                           params["CustomAttributes"])
        await conn.execute(update(user_pools).where(user_pools.c.id == pool.id)
                           .values(config=config, modified=services.clock.now()))
    services.records.forget_pool(pool.id)
    return {}


@COGNITO.operation("DeleteUserPool")
async def delete_user_pool(services: Services, caller: Caller, params: dict[str, Any]) -> dict[str, Any]:
    pool = await owned_pool(services, caller, params["UserPoolId"])
    if pool.config.get("DeletionProtection") == "ACTIVE":
        raise invalid_parameter("The user pool cannot be deleted because deletion protection is activated. "
                                "Deletion protection must be inactivated first.")
    async with services.db.begin() as conn:
        await _delete_pool_rows(conn, pool.id)
    services.keys.forget(pool.id)
    services.records.forget_pool(pool.id)
    return {}


async def _delete_pool_rows(conn: Any, pool_id: str) -> None:
    for table in ALL_TABLES:
        if "pool_id" in table.c:
            await conn.execute(delete(table).where(table.c.pool_id == pool_id))
    await conn.execute(delete(user_pools).where(user_pools.c.id == pool_id))
