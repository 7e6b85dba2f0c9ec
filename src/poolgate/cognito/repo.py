"""Reads and writes of user-pool rows; every function takes the caller's connection (its transaction)."""

from __future__ import annotations

import hmac
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import RowMapping, Select, bindparam, delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from ..errors import ServiceError, resource_not_found
from ..store.db import Database
from ..store.sql.tables import (
    codes,
    groups,
    oauth_grants,
    user_aliases,
    user_groups,
    user_pool_clients,
    user_pools,
    users,
)
from . import identifiers
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


_WITH_GROUPS = (users.outerjoin(user_groups, (user_groups.c.pool_id == users.c.pool_id)
                               & (user_groups.c.username == users.c.username))
                .outerjoin(groups, (groups.c.pool_id == user_groups.c.pool_id)
                           & (groups.c.name == user_groups.c.group_name)))
_GROUP_COLUMNS = (groups.c.name.label("group_name"), groups.c.precedence.label("group_precedence"))

_USER_BY_NAME: Select[Any] = (
    select(users, *_GROUP_COLUMNS).select_from(_WITH_GROUPS)
    .where(users.c.pool_id == bindparam("pool_id"), users.c.username_key == bindparam("username_key")))
"""One round trip: the user row joined with its groups (one row per group). Built once: sign-ins run it
with their values, which skips building and cache-keying a statement per call."""

_USER_BY_ALIAS: Select[Any] = (
    select(users, *_GROUP_COLUMNS, user_aliases.c.kind.label("alias_kind"),
           user_aliases.c.value_key.label("alias_key"))
    .select_from(_WITH_GROUPS.join(user_aliases, (user_aliases.c.pool_id == users.c.pool_id)
                                   & (user_aliases.c.username == users.c.username)))
    .where(user_aliases.c.pool_id == bindparam("pool_id"),
           user_aliases.c.value_key.in_([bindparam("exact"), bindparam("folded")])))
"""One round trip: the user holding an identifier (``identifiers``) that ``name`` may be, with its groups. The
identifier's own kind and key come along: a row counts only where ``name`` is that kind's key."""


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


def _alias_params(pool: Pool, name: str) -> dict[str, str] | None:
    """The values `_USER_BY_ALIAS` looks ``name`` up with; None where the pool signs in by no identifier."""
    if not identifiers.lookup_keys(pool, name):
        return None
    return {"pool_id": pool.id, "exact": name, "folded": name.lower()}


def _alias_holder(pool: Pool, name: str, rows: Sequence[RowMapping]) -> User | None:
    """The user among `_USER_BY_ALIAS`'s ``rows`` whose identifier ``name`` is (e-mail before phone before
    preferred_username, as ``identifiers.KINDS`` orders them)."""
    keys = identifiers.lookup_keys(pool, name)
    matching = [r for r in rows if keys.get(r["alias_kind"]) == r["alias_key"]]
    if not matching:
        return None
    kind = min((r["alias_kind"] for r in matching), key=identifiers.KINDS.index)
    return _user_with_groups([r for r in matching if r["alias_kind"] == kind])


async def _user_by_alias(conn: AsyncConnection, pool: Pool, name: str) -> User | None:
    params = _alias_params(pool, name)
    if params is None:
        return None
    return _alias_holder(pool, name, (await conn.execute(_USER_BY_ALIAS, params)).mappings().all())


async def find_user(conn: AsyncConnection, pool: Pool, name: str, *, aliases: bool = True) -> User | None:
    """The user that ``name`` signs in as: the username itself, or an e-mail/phone/alias the pool allows."""
    user = await _user_named(conn, pool, name)
    if user is None and aliases:
        user = await _user_by_alias(conn, pool, name)
    return user


async def find_signing_in_user(db: Database, pool: Pool, name: str) -> User | None:
    """``find_user`` for the sign-in path, each try one read (``Database.rows``). In pools that sign in by e-mail or
    phone the identifier comes first: their usernames are subs, which no one signs in with but by accident."""
    alias_params = _alias_params(pool, name)
    if alias_params is not None and pool.username_attributes:
        user = _alias_holder(pool, name, await db.rows(_USER_BY_ALIAS, alias_params))
        if user is not None:
            return user
    rows = await db.rows(_USER_BY_NAME, _user_key(pool, name))
    if rows:
        return _user_with_groups(rows)
    if alias_params is not None and not pool.username_attributes:
        return _alias_holder(pool, name, await db.rows(_USER_BY_ALIAS, alias_params))
    return None


async def get_user(conn: AsyncConnection, pool: Pool, name: str, *, aliases: bool = True) -> User:
    user = await find_user(conn, pool, name, aliases=aliases)
    if user is None:
        raise ServiceError("UserNotFoundException", "User does not exist.")
    return user


async def update_user(conn: AsyncConnection, user: User, now: float, *, pool: Pool | None = None,
                      force_aliases: bool = False, **values: Any) -> None:
    """Write ``values`` to ``user``'s row. New ``attributes`` also change the identifiers the user holds
    (``identifiers.claim``): one held by another user is AliasExistsException, unless ``force_aliases``
    (ForceAliasCreation) moves it. ``pool`` is ``user``'s; it is read when not given and needed."""
    if "attributes" in values:
        values.update(attribute_keys(values["attributes"]))
        pool = pool or await get_pool(conn, user.pool_id)
        kind = await identifiers.claim(conn, pool, user.username, values["attributes"], now, force=force_aliases)
        if kind is not None:
            raise identifiers.taken(kind, "AliasExistsException")
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
