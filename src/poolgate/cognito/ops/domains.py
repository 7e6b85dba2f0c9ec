"""User pool domains (the hosted UI's address) and their look: CreateUserPoolDomain … GetUICustomization."""

from __future__ import annotations

import base64
import binascii
from typing import Any

from sqlalchemy import delete, select, update

from ...errors import invalid_parameter
from ...store.sql.tables import ui_customizations, user_pool_domains, user_pools
from .. import repo
from ..hosted_ui import domain_base_url, find_ui_customization
from ..service import COGNITO, Caller, Services
from .pools import owned_pool

MAX_IMAGE_BYTES = 100 * 1024
MAX_CSS_CHARS = 131072
_IMAGE_TYPES = {b"\x89PNG\r\n\x1a\n": "image/png", b"\xff\xd8\xff": "image/jpeg"}


async def _set_pool_domain(conn: Any, pool_id: str, domain: str | None) -> None:
    """Mirror the domain into the pool's config so that DescribeUserPool reports ``Domain``."""
    row = (await conn.execute(select(user_pools.c.config).where(user_pools.c.id == pool_id))).first()
    config = dict(row.config)
    if domain:
        config["Domain"] = domain
    else:
        config.pop("Domain", None)
    await conn.execute(update(user_pools).where(user_pools.c.id == pool_id).values(config=config))


async def create_domain(services: Services, pool_id: str, account: str, domain: str,
                        config: dict[str, Any] | None = None) -> None:
    """Attach ``domain`` to a pool (``poolgate.yaml``'s ``domain:`` key uses this too)."""
    now = services.clock.now()
    async with services.db.begin() as conn:
        taken = (await conn.execute(select(user_pool_domains).where(user_pool_domains.c.domain == domain))
                 ).mappings().first()
        if taken is not None:
            raise invalid_parameter("Domain already associated with another user pool.")
        mine = (await conn.execute(select(user_pool_domains.c.domain)
                                   .where(user_pool_domains.c.pool_id == pool_id))).first()
        if mine is not None:
            raise invalid_parameter(f"User pool {pool_id} already has a domain configured.")
        await conn.execute(user_pool_domains.insert().values(
            domain=domain, pool_id=pool_id, account=account, config=config or {}, created=now, modified=now))
        await _set_pool_domain(conn, pool_id, domain)


def _domain_config(params: dict[str, Any]) -> dict[str, Any]:
    return {k: params[k] for k in ("ManagedLoginVersion", "CustomDomainConfig") if k in params}


def _output(config: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if "ManagedLoginVersion" in config:
        out["ManagedLoginVersion"] = config["ManagedLoginVersion"]
    if config.get("CustomDomainConfig"):
        out["CloudFrontDomain"] = "poolgate.cloudfront.localhost"
    return out


@COGNITO.operation("CreateUserPoolDomain")
async def create_user_pool_domain(services: Services, caller: Caller, params: dict[str, Any]) -> dict[str, Any]:
    pool = await owned_pool(services, caller, params["UserPoolId"])
    config = _domain_config(params)
    await create_domain(services, pool.id, pool.account, params["Domain"], config)
    return _output(config)


@COGNITO.operation("DescribeUserPoolDomain")
async def describe_user_pool_domain(services: Services, caller: Caller, params: dict[str, Any]) -> dict[str, Any]:
    async with services.db.read() as conn:
        row = (await conn.execute(select(user_pool_domains).where(user_pool_domains.c.domain == params["Domain"]))
               ).mappings().first()
        pool = await repo.find_pool(conn, row["pool_id"]) if row else None
    if row is None or pool is None or pool.account != caller.account or pool.region != caller.region:
        # AWS quirk: an unknown domain is an empty description, not an error.
        return {"DomainDescription": {}}
    description: dict[str, Any] = {
        "UserPoolId": row["pool_id"], "AWSAccountId": row["account"], "Domain": row["domain"],
        "S3Bucket": "aws-cognito-prod-poolgate-assets", "CloudFrontDistribution": f"{row['domain']}.auth.localhost",
        "Version": "20230101000000", "Status": "ACTIVE"}
    description.update({k: v for k, v in row["config"].items() if k in ("CustomDomainConfig", "ManagedLoginVersion")})
    return {"DomainDescription": description}


async def _pool_domain(services: Services, pool_id: str, domain: str) -> dict[str, Any]:
    async with services.db.read() as conn:
        row = (await conn.execute(select(user_pool_domains).where(
            user_pool_domains.c.domain == domain, user_pool_domains.c.pool_id == pool_id))).mappings().first()
    if row is None:
        raise invalid_parameter("No such domain or user pool exists.")
    return dict(row)


@COGNITO.operation("UpdateUserPoolDomain")
async def update_user_pool_domain(services: Services, caller: Caller, params: dict[str, Any]) -> dict[str, Any]:
    pool = await owned_pool(services, caller, params["UserPoolId"])
    row = await _pool_domain(services, pool.id, params["Domain"])
    config = {**row["config"], **_domain_config(params)}
    async with services.db.begin() as conn:
        await conn.execute(update(user_pool_domains).where(user_pool_domains.c.domain == row["domain"])
                           .values(config=config, modified=services.clock.now()))
    return _output(config)


@COGNITO.operation("DeleteUserPoolDomain")
async def delete_user_pool_domain(services: Services, caller: Caller, params: dict[str, Any]) -> dict[str, Any]:
    pool = await owned_pool(services, caller, params["UserPoolId"])
    row = await _pool_domain(services, pool.id, params["Domain"])
    async with services.db.begin() as conn:
        await conn.execute(delete(user_pool_domains).where(user_pool_domains.c.domain == row["domain"]))
        await _set_pool_domain(conn, pool.id, None)
    return {}


def _image(blob: str) -> tuple[bytes, str]:
    try:
        data = base64.b64decode(blob, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise invalid_parameter("The image file is not valid base64.") from exc
    if len(data) > MAX_IMAGE_BYTES:
        raise invalid_parameter("Logo image size exceeds maximum size of 100KB.")
    for magic, kind in _IMAGE_TYPES.items():
        if data.startswith(magic):
            return data, kind
    raise invalid_parameter("Invalid image file type. Only png and jpeg are supported.")


def _ui_output(services: Services, pool_id: str, client_id: str, row: Any, domain: str | None) -> dict[str, Any]:
    out: dict[str, Any] = {"UserPoolId": pool_id, "ClientId": client_id}
    if row is None:
        return out
    if row["image"] is not None and domain:
        out["ImageUrl"] = f"{domain_base_url(services, domain)}/static/logo?client_id={row['client_id']}" \
                          f"&v={int(row['modified'])}"
    if row["css"] is not None:
        out["CSS"] = row["css"]
        out["CSSVersion"] = str(int(row["modified"] * 1000))
    out["LastModifiedDate"] = row["modified"]
    out["CreationDate"] = row["created"]
    return out


async def _pool_domain_name(services: Services, pool_id: str) -> str | None:
    async with services.db.read() as conn:
        return (await conn.execute(select(user_pool_domains.c.domain)
                                   .where(user_pool_domains.c.pool_id == pool_id))).scalar()


@COGNITO.operation("SetUICustomization")
async def set_ui_customization(services: Services, caller: Caller, params: dict[str, Any]) -> dict[str, Any]:
    pool = await owned_pool(services, caller, params["UserPoolId"])
    domain = await _pool_domain_name(services, pool.id)
    if domain is None:
        raise invalid_parameter("There has to be an existing domain associated with this user pool")
    client_id = params.get("ClientId") or "ALL"
    if client_id != "ALL":
        async with services.db.read() as conn:
            await repo.get_client(conn, client_id, pool.id)
    css = params.get("CSS")
    if css is not None and len(css) > MAX_CSS_CHARS:
        raise invalid_parameter("CSS is too long.")
    image, image_type = _image(params["ImageFile"]) if params.get("ImageFile") else (None, None)
    now = services.clock.now()
    where = (ui_customizations.c.pool_id == pool.id, ui_customizations.c.client_id == client_id)
    async with services.db.begin() as conn:
        existing = (await conn.execute(select(ui_customizations).where(*where))).mappings().first()
        created = existing["created"] if existing else now
        await conn.execute(delete(ui_customizations).where(*where))
        await conn.execute(ui_customizations.insert().values(
            pool_id=pool.id, client_id=client_id, css=css, image=image, image_type=image_type,
            created=created, modified=now))
        row = (await conn.execute(select(ui_customizations).where(*where))).mappings().first()
    return {"UICustomization": _ui_output(services, pool.id, client_id, row, domain)}


@COGNITO.operation("GetUICustomization")
async def get_ui_customization(services: Services, caller: Caller, params: dict[str, Any]) -> dict[str, Any]:
    pool = await owned_pool(services, caller, params["UserPoolId"])
    client_id = params.get("ClientId") or "ALL"
    async with services.db.read() as conn:
        if client_id != "ALL":
            await repo.get_client(conn, client_id, pool.id)
        row = await find_ui_customization(conn, pool.id, client_id)
    domain = await _pool_domain_name(services, pool.id)
    return {"UICustomization": _ui_output(services, pool.id, client_id, row, domain)}


async def ensure_domain(services: Services, pool_id: str, account: str, domain: str) -> None:
    """``poolgate.yaml``'s ``domain:``: attach the domain unless the pool already has it."""
    if await _pool_domain_name(services, pool_id) != domain:
        await create_domain(services, pool_id, account, domain)
