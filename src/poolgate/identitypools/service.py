"""The cognito-identity JSON service: operations register themselves here (``@IDENTITY.operation``)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from ..awsproto.dispatch import Caller, JsonService
from ..errors import ServiceError
from ..services import Services
from ..store.sql.tables import identity_pool_identities, identity_pools

IDENTITY = JsonService("cognito-identity")

__all__ = ["IDENTITY", "Caller", "Services", "identity_not_found", "not_authorized", "pool_not_found"]


def pool_not_found(pool_id: str) -> ServiceError:
    """AWS's words, from the AWS SDK for Go's smoke test run against AWS
    (aws-sdk-go awstesting/integration/smoke/cognitoidentity/cognitoidentity.feature):
    ``IdentityPool 'us-east-1:aaaaaaaa-…' not found``; the trailing full stop is UNCONFIRMED (the feature file
    checks that the message includes the text)."""
    return ServiceError("ResourceNotFoundException", f"IdentityPool '{pool_id}' not found.")


def identity_not_found(identity_id: str) -> ServiceError:
    """UNCONFIRMED: worded after ``pool_not_found`` (moto's ``Identity '…' not found.``)."""
    return ServiceError("ResourceNotFoundException", f"Identity '{identity_id}' not found.")


def not_authorized(message: str) -> ServiceError:
    return ServiceError("NotAuthorizedException", message)


async def pool_row(services: Services, pool_id: str, caller: Caller | None = None) -> Any:
    """The stored pool; ResourceNotFoundException when it does not exist or (for signed calls) belongs to
    another account or region than the caller's."""
    async with services.db.read() as conn:
        row = (await conn.execute(select(identity_pools).where(identity_pools.c.id == pool_id))).mappings().first()
    if row is None or (caller is not None and (row["account"], row["region"]) != (caller.account, caller.region)):
        raise pool_not_found(pool_id)
    return row


async def identity_row(services: Services, identity_id: str) -> Any:
    async with services.db.read() as conn:
        row = (await conn.execute(select(identity_pool_identities).where(
            identity_pool_identities.c.id == identity_id))).mappings().first()
    if row is None:
        raise identity_not_found(identity_id)
    return row


def process_cache(services: Services, name: str) -> dict[str, Any]:
    """A cache of this process kept in ``services.extras[name]``, emptied by ``POST /_poolgate/reset``."""
    cache: dict[str, Any] | None = services.extras.get(name)
    if cache is None:
        cache = services.extras[name] = {}
        emptied = cache

        async def forget() -> None:
            emptied.clear()

        services.extras.setdefault("on_reset", []).append(forget)
    return cache


def new_id(services: Services, region: str) -> str:
    """Identity pool and identity ids: ``{region}:{uuid}``."""
    return f"{region}:{services.ids.uuid()}"
