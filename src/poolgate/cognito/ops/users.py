"""Admin user management: AdminCreateUser … AdminDisableUser, and ListUsers."""

from __future__ import annotations

import secrets
import string
from typing import Any

from sqlalchemy import ColumnElement, delete, false, func, select

from ...errors import ServiceError, not_authorized
from ...store.sql.tables import refresh_tokens, users
from .. import hooks, repo
from ..credentials import prepare_password
from ..delivery import send_attribute_codes
from ..domain import Pool, User
from ..federation.links import forget_identities
from ..filters import UserFilter, parse_filter
from ..passwords import ADMIN_PREAMBLE, check_policy
from ..schema import attributes_from_list
from ..sender import Delivery
from ..service import COGNITO, Caller, Services, listing, next_page_token, page_window
from ..users import apply_attribute_changes, insert_user, new_user_name, user_type
from .mfa import user_mfa_fields
from .pools import owned_pool


def _temporary_password(policy: dict[str, Any]) -> str:
    length = max(int(policy.get("MinimumLength", 8)), 12)
    pools = [string.ascii_uppercase, string.ascii_lowercase, string.digits, "^$*.!@#%&"]
    chars = [secrets.choice(p) for p in pools]
    chars += [secrets.choice("".join(pools)) for _ in range(length - len(chars))]
    secrets.SystemRandom().shuffle(chars)
    return "".join(chars)


async def _pool_and_user(services: Services, caller: Caller, params: dict[str, Any]) -> tuple[Pool, User]:
    pool = await owned_pool(services, caller, params["UserPoolId"])
    async with services.db.read() as conn:
        user = await repo.get_user(conn, pool, params["Username"])
    return pool, user


@COGNITO.operation("AdminCreateUser")
async def admin_create_user(services: Services, caller: Caller, params: dict[str, Any]) -> dict[str, Any]:
    pool = await owned_pool(services, caller, params["UserPoolId"])
    attributes = attributes_from_list(params.get("UserAttributes"))
    action = params.get("MessageAction")
    if action == "RESEND":
        async with services.db.read() as conn:
            user = await repo.get_user(conn, pool, params["Username"])
        if user.status != "FORCE_CHANGE_PASSWORD":
            raise ServiceError("UnsupportedUserStateException", "User is not in FORCE_CHANGE_PASSWORD state.")
        temporary = params.get("TemporaryPassword") or _temporary_password(pool.password_policy)
    else:
        temporary = params.get("TemporaryPassword") or _temporary_password(pool.password_policy)
    check_policy(temporary, pool.password_policy, ADMIN_PREAMBLE)
    sub: str | None = None
    if action != "RESEND":
        sub, name = new_user_name(services, pool, params["Username"], attributes)
        # its answer is ignored: AdminCreateUser neither confirms nor verifies on PreSignUp's word (hooks.pre_sign_up)
        await hooks.pre_sign_up(services, pool, None, name, attributes, params, "PreSignUp_AdminCreateUser")
    hashed = await prepare_password(services.hasher, temporary)
    now = services.clock.now()
    async with services.db.begin() as conn:
        if action == "RESEND":
            await repo.update_user(conn, user, now, **hashed.columns(pool.id, user.username), password_set_at=now)
            user = await repo.get_user(conn, pool, user.username, aliases=False)
        else:
            user = await insert_user(conn, services, pool, params["Username"], attributes,
                                     "FORCE_CHANGE_PASSWORD", hashed, exists_message="User account already exists",
                                     sub=sub, force_aliases=bool(params.get("ForceAliasCreation")))
        if action != "SUPPRESS":
            for medium in params.get("DesiredDeliveryMediums") or ["SMS"]:
                attr = "email" if medium == "EMAIL" else "phone_number"
                dest = user.attributes.get(attr)
                if dest:
                    message = (f"Your username is {params['Username']} and temporary password is "
                               f"{temporary}. ")
                    message, _subject = await hooks.custom_message(
                        services, pool, user, hooks.MessageCause("CustomMessage_AdminCreateUser"), temporary,
                        medium, message, params["Username"])
                    await services.sender.send(conn, Delivery(pool.id, user.username, medium, dest, "invite",
                                                              temporary, message), now)
    return {"User": user_type(user)}


@COGNITO.operation("AdminGetUser")
async def admin_get_user(services: Services, caller: Caller, params: dict[str, Any]) -> dict[str, Any]:
    pool, user = await _pool_and_user(services, caller, params)
    out = user_type(user)
    out["UserAttributes"] = out.pop("Attributes")
    out.update(await user_mfa_fields(services, pool, user))
    return out


@COGNITO.operation("AdminConfirmSignUp")
async def admin_confirm_sign_up(services: Services, caller: Caller, params: dict[str, Any]) -> dict[str, Any]:
    pool, user = await _pool_and_user(services, caller, params)
    if user.status != "UNCONFIRMED":
        raise not_authorized(f"User cannot be confirmed. Current status is {user.status}")
    async with services.db.begin() as conn:
        await repo.update_user(conn, user, services.clock.now(), status="CONFIRMED")
    user.status = "CONFIRMED"
    # "the AdminConfirmSignUp API action invokes the Lambda function that is specified for the post confirmation
    # trigger" (Cognito API Reference, AdminConfirmSignUp, ClientMetadata): as ConfirmSignUp, after the change
    await hooks.post_confirmation(services, pool, None, user, "PostConfirmation_ConfirmSignUp",
                                  params.get("ClientMetadata"))
    return {}


@COGNITO.operation("AdminSetUserPassword")
async def admin_set_user_password(services: Services, caller: Caller, params: dict[str, Any]) -> dict[str, Any]:
    pool, user = await _pool_and_user(services, caller, params)
    check_policy(params["Password"], pool.password_policy)
    hashed = await prepare_password(services.hasher, params["Password"])
    status = "CONFIRMED" if params.get("Permanent") else "FORCE_CHANGE_PASSWORD"
    now = services.clock.now()
    async with services.db.begin() as conn:
        await repo.update_user(conn, user, now, **hashed.columns(pool.id, user.username), password_set_at=now,
                               status=status,
                               failed_attempts=0, locked_until=0.0)
    return {}


@COGNITO.operation("AdminDeleteUser")
async def admin_delete_user(services: Services, caller: Caller, params: dict[str, Any]) -> dict[str, Any]:
    pool, user = await _pool_and_user(services, caller, params)
    async with services.db.begin() as conn:
        await delete_user_rows(conn, pool.id, user.username)
    return {}


async def delete_user_rows(conn: Any, pool_id: str, username: str) -> None:
    await conn.execute(delete(refresh_tokens).where(refresh_tokens.c.pool_id == pool_id,
                                                    refresh_tokens.c.username == username))
    await conn.execute(delete(users).where(users.c.pool_id == pool_id, users.c.username == username))


@COGNITO.operation("AdminUpdateUserAttributes")
async def admin_update_user_attributes(services: Services, caller: Caller, params: dict[str, Any]
                                       ) -> dict[str, Any]:
    pool, user = await _pool_and_user(services, caller, params)
    changes = attributes_from_list(params["UserAttributes"])
    async with services.db.begin() as conn:
        merged = await apply_attribute_changes(conn, services, pool, user, changes, admin=True)
        await repo.update_user(conn, user, services.clock.now(), attributes=merged, pool=pool)
        user.attributes = merged
        # "When you use the AdminUpdateUserAttributes API action, Amazon Cognito invokes the function that is
        # assigned to the custom message trigger" (Cognito API Reference, AdminUpdateUserAttributes, ClientMetadata)
        await send_attribute_codes(conn, services, pool, user, changes,
                                   hooks.MessageCause("CustomMessage_UpdateUserAttribute", None,
                                                      params.get("ClientMetadata")))
    return {}


@COGNITO.operation("AdminDeleteUserAttributes")
async def admin_delete_user_attributes(services: Services, caller: Caller, params: dict[str, Any]
                                       ) -> dict[str, Any]:
    _pool, user = await _pool_and_user(services, caller, params)
    merged = {k: v for k, v in user.attributes.items() if k not in params["UserAttributeNames"]}
    async with services.db.begin() as conn:
        await repo.update_user(conn, user, services.clock.now(), attributes=merged)
        if "identities" in params["UserAttributeNames"]:
            await forget_identities(conn, user.pool_id, user.username)  # unlinks them (issue 16)
    return {}


async def _set_enabled(services: Services, caller: Caller, params: dict[str, Any], enabled: bool) -> None:
    _, user = await _pool_and_user(services, caller, params)
    async with services.db.begin() as conn:
        await repo.update_user(conn, user, services.clock.now(), enabled=enabled)


@COGNITO.operation("AdminDisableUser")
async def admin_disable_user(services: Services, caller: Caller, params: dict[str, Any]) -> dict[str, Any]:
    await _set_enabled(services, caller, params, False)
    return {}


@COGNITO.operation("AdminEnableUser")
async def admin_enable_user(services: Services, caller: Caller, params: dict[str, Any]) -> dict[str, Any]:
    await _set_enabled(services, caller, params, True)
    return {}


@COGNITO.operation("ListUsers")
async def list_users(services: Services, caller: Caller, params: dict[str, Any]) -> dict[str, Any]:
    pool = await owned_pool(services, caller, params["UserPoolId"])
    wanted = parse_filter(params.get("Filter"))
    only = params.get("AttributesToGet")
    query = select(users).where(users.c.pool_id == pool.id).order_by(users.c.created, users.c.username)
    condition = _sql_condition(wanted) if wanted else None
    if wanted is None or condition is not None:
        # The whole filter is SQL: only the page is read, however large the pool.
        start, size = page_window(params.get("Limit"), params.get("PaginationToken"), caller.request_id)
        if condition is not None:
            query = query.where(condition)
        async with services.db.read() as conn:
            rows = (await conn.execute(query.offset(start).limit(size + 1))).mappings().all()
        result: dict[str, Any] = {"Users": [user_type(User.from_row(r), only) for r in rows[:size]]}
        token = next_page_token(start, size, len(rows) > size)
        if token:
            result["PaginationToken"] = token
        return result
    async with services.db.read() as conn:  # attributes live in a JSON column: filtered here
        if wanted.attribute == "email" and not wanted.prefix:
            query = query.where(users.c.email_key == wanted.value.lower())
        rows = (await conn.execute(query)).mappings().all()
    found = [u for u in map(User.from_row, rows) if wanted.matches(u)]
    return listing(found, "Users", lambda u: user_type(u, only), params.get("Limit"), params.get("PaginationToken"),
                   caller.request_id, "PaginationToken")


def _sql_condition(wanted: UserFilter) -> ColumnElement[bool] | None:
    """The filter as SQL when it names a column (username, sub, status); None for attributes."""
    value = wanted.value
    if wanted.attribute in ("username", "sub"):
        column = users.c.username if wanted.attribute == "username" else users.c.sub
        # substr, not LIKE: case-sensitive on every database, and no wildcard escaping to get wrong
        return func.substr(column, 1, len(value)) == value if wanted.prefix else column == value
    if wanted.attribute == "cognito:user_status":
        status = func.upper(users.c.status)
        return func.substr(status, 1, len(value)) == value.upper() if wanted.prefix else status == value.upper()
    if wanted.attribute == "status":
        matches = [enabled for enabled, label in ((True, "enabled"), (False, "disabled"))
                   if (label.startswith(value.lower()) if wanted.prefix else label == value.lower())]
        return users.c.enabled.in_(matches) if matches else false()
    return None
