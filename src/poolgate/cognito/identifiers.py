"""The identifiers a user pool makes unique besides the username, claimed in the database (``user_aliases``).

What Cognito makes unique (Cognito Developer Guide, "User pool attributes": "Aliases" and "Option 2"):

- in a pool that signs in by e-mail or phone (``UsernameAttributes``), "The email or phone number must be unique,
  and it must not already be in use by another user. It does not have to be verified.": the value is claimed as
  soon as a user holds it, whatever the user's status;
- in a pool with ``AliasAttributes``, "Alias values must be unique in a user pool. If an alias is configured for an
  email address or phone number, the value provided can be in a verified state in only one account": an e-mail or
  phone is claimed while it is verified, a preferred_username while it is set. Claiming one that another user
  holds is AliasExistsException, unless ``ForceAliasCreation`` "moves the alias from the previous account to the
  newly created account, and it also marks the attribute unverified in the previous account".

AdminUpdateUserAttributes that verifies an e-mail/phone another user holds is AliasExistsException here, as the
operation's model declares; one report says AWS moved the alias instead (boto/boto3#3213): UNCONFIRMED.

E-mail and preferred_username compare case-insensitively when the pool's ``UsernameConfiguration.CaseSensitive`` is
false ("This option also enables both preferred_username and email alias to be case insensitive", API Reference,
UsernameConfigurationType); phone numbers compare as written (E.164).

A claim is a row whose primary key is (pool, value, kind): two users claiming one value at once, on one server or
on two, cannot both succeed. Claims are written with ``INSERT … ON CONFLICT DO NOTHING``, so a lost claim is a
row count of 0 inside a transaction that can go on (to move the alias, or to fail with the caller's error).
"""

from __future__ import annotations

from typing import Any, NamedTuple

from sqlalchemy import Table, delete, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection

from ..errors import ServiceError
from ..store.sql.tables import user_aliases, users
from .domain import Pool

KINDS = ("email", "phone_number", "preferred_username")
"""The attributes that can be identifiers, in the order sign-in tries them."""

VERIFIABLE = ("email", "phone_number")


class Identifier(NamedTuple):
    kind: str
    key: str


def identifier_key(pool: Pool, kind: str, value: str) -> str:
    """The form ``value`` is claimed and looked up in."""
    return value if kind == "phone_number" or pool.case_sensitive else value.lower()


def _verified(attributes: dict[str, str], kind: str) -> bool:
    return str(attributes.get(f"{kind}_verified", "false")).lower() == "true"


def claimed_identifiers(pool: Pool, attributes: dict[str, str]) -> set[Identifier]:
    """The identifiers a user with ``attributes`` holds in ``pool``."""
    claimed: set[Identifier] = set()
    for kind in KINDS:
        value = attributes.get(kind)
        if not value:
            continue
        if kind in pool.username_attributes or (
                kind in pool.alias_attributes and (kind not in VERIFIABLE or _verified(attributes, kind))):
            claimed.add(Identifier(kind, identifier_key(pool, kind, value)))
    return claimed


def lookup_keys(pool: Pool, name: str) -> dict[str, str]:
    """The key ``name`` has as each kind of identifier the pool signs in by (none when it has none)."""
    kinds = [k for k in KINDS if k in pool.username_attributes or k in pool.alias_attributes]
    return {kind: identifier_key(pool, kind, name) for kind in kinds}


def taken(kind: str, code: str) -> ServiceError:
    """The error for a claim another user holds: UsernameExistsException where users are created (SignUp,
    AdminCreateUser: their models declare no AliasExistsException; creating a user with another's verified alias
    e-mail is "UsernameExistsException ... the message properly states the conflict is on email", boto/boto3#3213),
    AliasExistsException where attributes change (moto's AWS-modelled test_use_existing_email__when_email_is_login,
    aws/aws-sdk-net#4387).

    "An account with the given email already exists." is AWS's text for e-mail (aws/aws-sdk-js#4308, captured;
    moto's AliasExistsException); the phone_number and preferred_username wording is UNCONFIRMED (by analogy)."""
    return ServiceError(code, f"An account with the given {kind} already exists.")


_INSERTS: dict[tuple[str, str], Any] = {}
"""``INSERT … ON CONFLICT DO NOTHING`` per (dialect, table), built once: SignUp runs them with its values."""


async def insert_unless_taken(conn: AsyncConnection, table: Table, values: dict[str, Any]) -> bool:
    """``INSERT … ON CONFLICT DO NOTHING``: False when a unique key of ``table`` is taken already (also by a
    transaction still running: the database makes this one wait for its outcome). The transaction stays usable."""
    key = (conn.dialect.name, table.name)
    statement = _INSERTS.get(key)
    if statement is None:
        dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
        statement = _INSERTS[key] = dialect.insert(table).on_conflict_do_nothing()
    result = await conn.execute(statement, values)
    return bool(result.rowcount)


async def claim(conn: AsyncConnection, pool: Pool, username: str, attributes: dict[str, str], now: float, *,
                new_user: bool = False, force: bool = False) -> str | None:
    """Make the claims of ``username`` those its ``attributes`` call for; the kind of the first identifier another
    user holds, or None. ``force`` (ForceAliasCreation) moves a verified e-mail/phone alias from its holder, whose
    attribute becomes unverified. On a non-None answer the caller raises (``taken``), undoing the transaction."""
    if not (pool.username_attributes or pool.alias_attributes):
        return None  # a pool that signs in by username only holds no claims (both settings are immutable)
    wanted = claimed_identifiers(pool, attributes)
    held: set[Identifier] = set()
    if not new_user:
        rows = await conn.execute(select(user_aliases.c.kind, user_aliases.c.value_key).where(
            user_aliases.c.pool_id == pool.id, user_aliases.c.username == username))
        held = {Identifier(kind, key) for kind, key in rows}
        for gone in held - wanted:
            await conn.execute(delete(user_aliases).where(*_claim_where(pool, gone)))
    for kind, key in sorted(wanted - held, key=lambda i: KINDS.index(i.kind)):
        row = {"pool_id": pool.id, "kind": kind, "value_key": key, "username": username}
        if await insert_unless_taken(conn, user_aliases, row):
            continue
        movable = force and kind in VERIFIABLE and kind in pool.alias_attributes
        if not (movable and await _move(conn, pool, Identifier(kind, key), username, now)):
            return kind
    return None


def _claim_where(pool: Pool, identifier: Identifier) -> tuple[Any, ...]:
    return (user_aliases.c.pool_id == pool.id, user_aliases.c.kind == identifier.kind,
            user_aliases.c.value_key == identifier.key)


async def _move(conn: AsyncConnection, pool: Pool, identifier: Identifier, username: str, now: float) -> bool:
    """Take over ``identifier`` from the user holding it, whose ``<kind>_verified`` becomes false."""
    holder = (await conn.execute(select(user_aliases.c.username).where(*_claim_where(pool, identifier))
                                 .with_for_update())).scalar()
    if holder is None:  # released meanwhile: claim it afresh
        row = {"pool_id": pool.id, "kind": identifier.kind, "value_key": identifier.key, "username": username}
        return await insert_unless_taken(conn, user_aliases, row)
    where = (users.c.pool_id == pool.id, users.c.username == holder)
    attributes = (await conn.execute(select(users.c.attributes).where(*where).with_for_update())).scalar()
    await conn.execute(update(users).where(*where).values(
        attributes={**(attributes or {}), f"{identifier.kind}_verified": "false"}, modified=now))
    await conn.execute(update(user_aliases).where(*_claim_where(pool, identifier)).values(username=username))
    return True
