"""GetId, ListIdentities, DescribeIdentity, DeleteIdentities.

An identity is found by its logins: one identity per (identity pool, provider, subject), enforced by the primary
key of ``identity_logins``, so that concurrent GetId calls for one user agree on one IdentityId. A guest (GetId
without Logins, when the pool allows unauthenticated identities) gets a new identity each time, as on AWS (the
SDKs keep the id they got).

"Unauthenticated access is not supported for this identity pool." (NotAuthorizedException): AWS's words as its
x-amzn-ErrorMessage header carried them (amazon-archives/samljs-serverless-sample#3; aws/aws-sdk-js-v3#3113).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError

from ..cognito.service import paginate
from ..errors import ServiceError
from ..store.sql.tables import identity_logins, identity_pool_identities
from .logins import Login, check_logins
from .service import IDENTITY, Caller, Services, identity_row, new_id, not_authorized, pool_row

UNAUTHENTICATED_REFUSED = "Unauthenticated access is not supported for this identity pool."
LOGINS_DONT_MATCH = "Logins don't match. Please include at least one valid login for this identity or identity pool."
"""NotAuthorizedException of GetCredentialsForIdentity and GetOpenIdToken: AWS's words quoted in
amazon-archives/amazon-cognito-identity-js#68."""


async def guest_identity(services: Services, pool: Any) -> str:
    if not pool["config"].get("AllowUnauthenticatedIdentities"):
        raise not_authorized(UNAUTHENTICATED_REFUSED)
    identity_id = new_id(services, pool["region"])
    now = services.clock.now()
    async with services.db.begin() as conn:
        await conn.execute(identity_pool_identities.insert().values(
            id=identity_id, pool_id=pool["id"], logins=[], created=now, modified=now))
    return identity_id


async def identity_for_logins(services: Services, pool: Any, logins: list[Login]) -> str:
    """The identity these logins belong to, made on first use; new logins are linked to it."""
    for _ in range(3):
        try:
            return await _identity_for_logins(services, pool, logins)
        except IntegrityError:
            continue  # another request made the identity (or linked the login) first: read it again
    raise ServiceError("ResourceConflictException", "Concurrent requests for these logins; try again.")


async def _identity_for_logins(services: Services, pool: Any, logins: list[Login]) -> str:
    now = services.clock.now()
    async with services.db.begin() as conn:
        owners: dict[tuple[str, str], str] = {}
        for login in logins:
            row = (await conn.execute(select(identity_logins.c.identity_id).where(
                identity_logins.c.pool_id == pool["id"], identity_logins.c.provider == login.provider,
                identity_logins.c.subject == login.subject))).first()
            if row is not None:
                owners[(login.provider, login.subject)] = str(row[0])
        found = set(owners.values())
        if len(found) > 1:  # UNCONFIRMED wording; AWS merges such identities for developer providers only
            raise ServiceError("ResourceConflictException", "Logins are associated with different identities.")
        identity_id = found.pop() if found else new_id(services, pool["region"])
        current = (await conn.execute(select(identity_pool_identities.c.logins).where(
            identity_pool_identities.c.id == identity_id))).first()
        names = sorted({*(current[0] if current else []), *(login.provider for login in logins)})
        if current is None:
            await conn.execute(identity_pool_identities.insert().values(
                id=identity_id, pool_id=pool["id"], logins=names, created=now, modified=now))
        elif names != sorted(current[0]):
            await conn.execute(update(identity_pool_identities).where(
                identity_pool_identities.c.id == identity_id).values(logins=names, modified=now))
        for login in logins:
            # A plain INSERT: if another request linked the login meanwhile, the primary key refuses it.
            if (login.provider, login.subject) not in owners:
                await conn.execute(identity_logins.insert().values(
                    pool_id=pool["id"], provider=login.provider, subject=login.subject, identity_id=identity_id))
    return identity_id


async def proven_login(services: Services, identity: Any, pool: Any, logins: dict[str, str]) -> Login | None:
    """The checked login that proves the caller is this identity (None for a guest identity)."""
    if not identity["logins"]:
        if logins:  # UNCONFIRMED: AWS may link the login to the guest identity instead
            raise not_authorized(LOGINS_DONT_MATCH)
        if not pool["config"].get("AllowUnauthenticatedIdentities"):
            raise not_authorized(UNAUTHENTICATED_REFUSED)
        return None
    if not logins:
        raise not_authorized(LOGINS_DONT_MATCH)
    for login in await check_logins(services, pool, logins):
        async with services.db.read() as conn:
            owner = (await conn.execute(select(identity_logins.c.identity_id).where(
                identity_logins.c.pool_id == pool["id"], identity_logins.c.provider == login.provider,
                identity_logins.c.subject == login.subject))).first()
        if owner is not None and owner[0] == identity["id"]:
            return login
    raise not_authorized(LOGINS_DONT_MATCH)


@IDENTITY.operation("GetId")
async def get_id(services: Services, caller: Caller, params: dict[str, Any]) -> dict[str, Any]:
    pool = await pool_row(services, params["IdentityPoolId"])
    logins = params.get("Logins") or {}
    if not logins:
        return {"IdentityId": await guest_identity(services, pool)}
    checked = await check_logins(services, pool, logins)
    return {"IdentityId": await identity_for_logins(services, pool, checked)}


def _description(row: Any) -> dict[str, Any]:
    return {"IdentityId": row["id"], "Logins": list(row["logins"]), "CreationDate": row["created"],
            "LastModifiedDate": row["modified"]}


@IDENTITY.operation("DescribeIdentity")
async def describe_identity(services: Services, caller: Caller, params: dict[str, Any]) -> dict[str, Any]:
    row = await identity_row(services, params["IdentityId"])
    await pool_row(services, row["pool_id"], caller)  # another account's identity is not found
    return _description(row)


@IDENTITY.operation("ListIdentities")
async def list_identities(services: Services, caller: Caller, params: dict[str, Any]) -> dict[str, Any]:
    pool = await pool_row(services, params["IdentityPoolId"], caller)
    async with services.db.read() as conn:
        rows = (await conn.execute(select(identity_pool_identities).where(
            identity_pool_identities.c.pool_id == pool["id"]).order_by(
            identity_pool_identities.c.created, identity_pool_identities.c.id))).mappings().all()
    page, token = paginate(list(rows), params["MaxResults"], params.get("NextToken"), caller.request_id)
    out: dict[str, Any] = {"IdentityPoolId": pool["id"], "Identities": [_description(r) for r in page]}
    if token:
        out["NextToken"] = token
    return out


@IDENTITY.operation("DeleteIdentities")
async def delete_identities(services: Services, caller: Caller, params: dict[str, Any]) -> dict[str, Any]:
    """Ids that do not exist are passed over (UNCONFIRMED: AWS's answer for them); another account's identities
    are answered as unprocessed with AccessDenied."""
    unprocessed = []
    for identity_id in params["IdentityIdsToDelete"]:
        try:
            row = await identity_row(services, identity_id)
        except ServiceError:
            continue
        try:
            await pool_row(services, row["pool_id"], caller)
        except ServiceError:
            unprocessed.append({"IdentityId": identity_id, "ErrorCode": "AccessDenied"})
            continue
        async with services.db.begin() as conn:
            await conn.execute(delete(identity_logins).where(identity_logins.c.identity_id == identity_id))
            await conn.execute(delete(identity_pool_identities).where(identity_pool_identities.c.id == identity_id))
    return {"UnprocessedIdentityIds": unprocessed}
