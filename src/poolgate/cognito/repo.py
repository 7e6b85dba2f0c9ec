"""Reads and writes of user-pool rows; every function takes the caller's connection (its transaction)."""

from __future__ import annotations

import hmac
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import RowMapping, Select, bindparam, delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from ..errors import ServiceError, resource_not_found
from ..store.db import Database
from ..store.sql.tables import codes, groups, oauth_grants, user_groups, user_pool_clients, user_pools, users
from .domain import Client, Pool, User


async def get_pool(conn: AsyncConnection, pool_id: str) -> Pool:
    row = (await conn.execute(select(user_pools).where(user_pools.c.id == pool_id))).mappings().first()
    if row is None:
        raise resource_not_found(f"User pool {pool_id} does not exist.")
    return Pool.from_row(row)


async def find_pool(conn: AsyncConnection, pool_id: str) -> Pool | None:
    row = (await conn.execute(select(user_pools).where(user_pools.c.id == pool_id))).mappings().first()
    return Pool.from_row(row) if row else None


async def granted_scopes(conn: AsyncConnection, origin_jti: str) -> list[str] | None:
    """The OAuth scopes a hosted-UI sign-in (``origin_jti``) was granted; None for a JSON-API sign-in."""
    scopes = (await conn.execute(select(oauth_grants.c.scopes).where(oauth_grants.c.origin_jti == origin_jti))
              ).scalar()
    return list(scopes) if scopes is not None else None


async def get_client(conn: AsyncConnection, client_id: str, pool_id: str | None = None) -> Client:
    query = select(user_pool_clients).where(user_pool_clients.c.client_id == client_id)
    if pool_id is not None:
        query = query.where(user_pool_clients.c.pool_id == pool_id)
    row = (await conn.execute(query)).mappings().first()
    if row is None:
        raise resource_not_found(f"User pool client {client_id} does not exist.")
    return Client.from_row(row)


def username_key(pool: Pool, username: str) -> str:
    return username if pool.case_sensitive else username.lower()


def attribute_keys(attributes: dict[str, str]) -> dict[str, Any]:
    """The indexed lookup columns derived from a user's attributes."""
    email = attributes.get("email")
    pref = attributes.get("preferred_username")
    return {"email_key": email.lower() if email else None, "phone_key": attributes.get("phone_number"),
            "preferred_key": pref.lower() if pref else None}


def _by_precedence(groups: Iterable[tuple[str, int | None]]) -> list[str]:
    """Group names as ``cognito:groups`` lists them: lowest precedence first, those without one last."""
    return [name for name, precedence in sorted(groups, key=lambda g: (g[1] is None, g[1] or 0, g[0]))]


_USER_BY_NAME: Select[Any] = (
    select(users, groups.c.name.label("group_name"), groups.c.precedence.label("group_precedence"))
    .select_from(users.outerjoin(user_groups, (user_groups.c.pool_id == users.c.pool_id)
                                 & (user_groups.c.username == users.c.username))
                 .outerjoin(groups, (groups.c.pool_id == user_groups.c.pool_id)
                            & (groups.c.name == user_groups.c.group_name)))
    .where(users.c.pool_id == bindparam("pool_id"), users.c.username_key == bindparam("username_key")))
"""One round trip: the user row joined with its groups (one row per group). Built once: sign-ins run it
with their values, which skips building and cache-keying a statement per call."""


def _user_key(pool: Pool, name: str) -> dict[str, str]:
    """The values `_USER_BY_NAME` looks ``name`` up with."""
    return {"pool_id": pool.id, "username_key": username_key(pool, name)}


def _user_with_groups(rows: Sequence[RowMapping]) -> User:
    user = User.from_row(rows[0])
    user.groups = _by_precedence((r["group_name"], r["group_precedence"]) for r in rows if r["group_name"] is not None)
    return user


async def _user_named(conn: AsyncConnection, pool: Pool, name: str) -> User | None:
    rows = (await conn.execute(_USER_BY_NAME, _user_key(pool, name))).mappings().all()
    return _user_with_groups(rows) if rows else None


async def _user_by_alias(conn: AsyncConnection, pool: Pool, name: str) -> User | None:
    row = await _find_by_alias(conn, pool, name)
    return None if row is None else await _user_named(conn, pool, row["username"])


async def find_user(conn: AsyncConnection, pool: Pool, name: str, *, aliases: bool = True) -> User | None:
    """The user that ``name`` signs in as: the username itself, or an e-mail/phone/alias the pool allows."""
    user = await _user_named(conn, pool, name)
    if user is None and aliases:
        user = await _user_by_alias(conn, pool, name)
    return user


async def find_signing_in_user(db: Database, pool: Pool, name: str) -> User | None:
    """``find_user`` for the sign-in path: the common case, the username itself, in one read (``Database.rows``);
    aliases take the general path."""
    rows = await db.rows(_USER_BY_NAME, _user_key(pool, name))
    if rows:
        return _user_with_groups(rows)
    async with db.read() as conn:
        return await _user_by_alias(conn, pool, name)


async def _find_by_alias(conn: AsyncConnection, pool: Pool, name: str) -> Any:
    candidates: list[tuple[Any, str, bool]] = []
    via_username = pool.username_attributes
    via_alias = pool.alias_attributes
    if "email" in via_username or "email" in via_alias:
        candidates.append((users.c.email_key, name.lower(), "email" in via_alias))
    if "phone_number" in via_username or "phone_number" in via_alias:
        candidates.append((users.c.phone_key, name, "phone_number" in via_alias))
    if "preferred_username" in via_alias:
        candidates.append((users.c.preferred_key, name.lower(), False))
    for column, value, must_be_verified in candidates:
        rows = (await conn.execute(select(users).where(users.c.pool_id == pool.id, column == value))).mappings()
        for row in rows:
            attrs = row["attributes"]
            verified_flag = "email_verified" if column is users.c.email_key else "phone_number_verified"
            if must_be_verified and str(attrs.get(verified_flag, "false")).lower() != "true":
                continue
            return row
    return None


async def get_user(conn: AsyncConnection, pool: Pool, name: str, *, aliases: bool = True) -> User:
    user = await find_user(conn, pool, name, aliases=aliases)
    if user is None:
        raise ServiceError("UserNotFoundException", "User does not exist.")
    return user


async def update_user(conn: AsyncConnection, user: User, now: float, **values: Any) -> None:
    if "attributes" in values:
        values.update(attribute_keys(values["attributes"]))
    await conn.execute(update(users).where(users.c.pool_id == user.pool_id, users.c.username == user.username)
                       .values(modified=now, **values))


async def count_users(conn: AsyncConnection, pool_id: str) -> int:
    return int((await conn.execute(select(func.count()).select_from(users)
                                   .where(users.c.pool_id == pool_id))).scalar_one())


async def put_code(conn: AsyncConnection, pool_id: str, username: str, purpose: str, code: str,
                   now: float, ttl: float) -> None:
    await conn.execute(delete(codes).where(codes.c.pool_id == pool_id, codes.c.username == username,
                                           codes.c.purpose == purpose))
    await conn.execute(codes.insert().values(pool_id=pool_id, username=username, purpose=purpose, code=code,
                                             created=now, expires=now + ttl, attempts=0))


MAX_CODE_ATTEMPTS = 5


async def check_code(conn: AsyncConnection, pool_id: str, username: str, purpose: str, given: str,
                     now: float) -> ServiceError | None:
    """Consume a code, or return the error to raise once this transaction has committed.

    Returning (not raising) keeps the attempt counter's update from being rolled back.
    """
    where = (codes.c.pool_id == pool_id, codes.c.username == username, codes.c.purpose == purpose)
    row = (await conn.execute(select(codes).where(*where))).mappings().first()
    if row is None or row["expires"] <= now:
        return ServiceError("ExpiredCodeException", "Invalid code provided, please request a code again.")
    if row["attempts"] >= MAX_CODE_ATTEMPTS:
        return ServiceError("LimitExceededException", "Attempt limit exceeded, please try after some time.")
    if not hmac.compare_digest(row["code"].encode(), given.encode()):
        await conn.execute(update(codes).where(*where).values(attempts=row["attempts"] + 1))
        return ServiceError("CodeMismatchException", "Invalid verification code provided, please try again.")
    await conn.execute(delete(codes).where(*where))
    return None
