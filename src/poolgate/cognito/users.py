"""Creating users and describing them as UserType; shared by the admin and self-service operations."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from ..errors import ServiceError, invalid_parameter
from ..services import Services
from ..store.sql.tables import users
from . import identifiers, repo
from .credentials import NewPassword
from .domain import Pool, User
from .schema import check_attributes, immutable_attributes

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+$")
_PHONE = re.compile(r"^\+[0-9]{4,15}$")


def user_type(user: User, only: list[str] | None = None) -> dict[str, Any]:
    return {"Username": user.username, "Attributes": user.attribute_list(only),
            "UserCreateDate": user.created, "UserLastModifiedDate": user.modified,
            "Enabled": user.enabled, "UserStatus": user.status}


def resolve_new_username(pool: Pool, username: str, attributes: dict[str, str], sub: str) -> str:
    """Where the pool signs in by e-mail or phone, the username must be one; the stored name is the sub."""
    allowed = pool.username_attributes
    if not allowed:
        return username
    if "email" in allowed and _EMAIL.match(username):
        attributes.setdefault("email", username)
    elif "phone_number" in allowed and _PHONE.match(username):
        attributes.setdefault("phone_number", username)
    else:
        kinds = " or ".join("an email" if a == "email" else "a phone number" for a in allowed)
        raise invalid_parameter(f"Username should be either {kinds}." if len(allowed) > 1
                                else f"Username should be {kinds}.")
    return sub


def new_user_name(services: Services, pool: Pool, username: str, attributes: dict[str, str]) -> tuple[str, str]:
    """(sub, stored name) of a user about to be created, before PreSignUp runs: in pools that sign in by e-mail or
    phone the stored name is the new sub, and the e-mail or phone given as the username joins ``attributes``
    (real PreSignUp events: ``userName`` is the sub, ``userAttributes`` has the e-mail, localstack/localstack#9349).
    Pass the sub on to ``insert_user``."""
    sub = services.ids.uuid()
    return sub, resolve_new_username(pool, username, attributes, sub)


async def insert_user(conn: AsyncConnection, services: Services, pool: Pool, username: str,
                      attributes: dict[str, str], status: str, password_hash: NewPassword | str | None,
                      exists_message: str = "User already exists", sub: str | None = None,
                      force_aliases: bool = False) -> User:
    """Insert a user; pass the password as ``credentials.prepare_password``'s result so SRP works too.

    The database decides what is taken (``uq_users_username_key``, ``identifiers``), so calls racing for one name
    leave one user: a taken username is UsernameExistsException with ``exists_message`` (SignUp's text by default;
    AdminCreateUser says ``User account already exists``), a taken e-mail/phone/alias is UsernameExistsException
    naming it, unless ``force_aliases`` (AdminCreateUser's ForceAliasCreation) moves a verified alias here.
    ``sub`` is the one PreSignUp was told about (``new_user_name``); a fresh one otherwise."""
    sub = sub or services.ids.uuid()
    stored_name = resolve_new_username(pool, username, attributes, sub)
    check_attributes(pool.config, attributes, creating=True)
    now = services.clock.now()
    stored = (password_hash.columns(pool.id, stored_name) if isinstance(password_hash, NewPassword)
              else {"password_hash": password_hash})
    row = dict(pool_id=pool.id, username=stored_name, username_key=repo.username_key(pool, stored_name), sub=sub,
               status=status, enabled=True, attributes=attributes, **stored,
               password_set_at=now if password_hash else None, failed_attempts=0, locked_until=0.0,
               tokens_valid_after=0.0, created=now, modified=now, **repo.attribute_keys(attributes))
    if not await identifiers.insert_unless_taken(conn, users, row):
        raise ServiceError("UsernameExistsException", exists_message)
    kind = await identifiers.claim(conn, pool, stored_name, attributes, now, new_user=True, force=force_aliases)
    if kind is not None:
        raise identifiers.taken(kind, "UsernameExistsException")
    user = await repo.find_user(conn, pool, stored_name, aliases=False)
    assert user is not None
    return user


async def apply_attribute_changes(conn: AsyncConnection, services: Services, pool: Pool, user: User,
                                  changes: dict[str, str], *, admin: bool) -> dict[str, str]:
    """New attributes of ``user``; e-mail/phone changes drop the verified flag unless an admin sets it."""
    check_attributes(pool.config, changes, creating=False)
    frozen = immutable_attributes(pool.config) & set(changes)
    if frozen:
        name = sorted(frozen)[0]
        raise invalid_parameter(f"Attributes did not conform to the schema: {name}: cannot modify an immutable "
                                "attribute")
    merged = dict(user.attributes)
    for name, value in changes.items():
        if name in ("email", "phone_number") and merged.get(name) != value and f"{name}_verified" not in changes:
            merged[f"{name}_verified"] = "false"
        if value == "" and name in merged:
            del merged[name]
        else:
            merged[name] = value
    return merged
