"""CreateGroup, GetGroup, ListGroups, UpdateGroup, DeleteGroup and group membership."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError

from ...errors import ServiceError, resource_not_found
from ...store.sql.tables import groups, user_groups, users
from .. import repo
from ..domain import User
from ..service import COGNITO, Caller, Services, listing
from ..users import user_type
from .pools import owned_pool


def _group_type(row: Any, pool_id: str) -> dict[str, Any]:
    out: dict[str, Any] = {"GroupName": row["name"], "UserPoolId": pool_id,
                           "LastModifiedDate": row["modified"], "CreationDate": row["created"]}
    if row["description"] is not None:
        out["Description"] = row["description"]
    if row["role_arn"] is not None:
        out["RoleArn"] = row["role_arn"]
    if row["precedence"] is not None:
        out["Precedence"] = row["precedence"]
    return out


async def _group_row(conn: Any, pool_id: str, name: str) -> Any:
    row = (await conn.execute(select(groups).where(groups.c.pool_id == pool_id, groups.c.name == name))
           ).mappings().first()
    if row is None:
        raise resource_not_found("Group not found.")
    return row


async def create_group(services: Services, pool_id: str, params: dict[str, Any]) -> dict[str, Any]:
    now = services.clock.now()
    try:
        async with services.db.begin() as conn:
            await conn.execute(groups.insert().values(
                pool_id=pool_id, name=params["GroupName"], description=params.get("Description"),
                role_arn=params.get("RoleArn"), precedence=params.get("Precedence"), created=now, modified=now))
            row = await _group_row(conn, pool_id, params["GroupName"])
    except IntegrityError as exc:
        raise ServiceError("GroupExistsException", "A group with the name already exists in the user pool.") from exc
    return _group_type(row, pool_id)


@COGNITO.operation("CreateGroup")
async def create_group_op(services: Services, caller: Caller, params: dict[str, Any]) -> dict[str, Any]:
    pool = await owned_pool(services, caller, params["UserPoolId"])
    return {"Group": await create_group(services, pool.id, params)}


@COGNITO.operation("GetGroup")
async def get_group(services: Services, caller: Caller, params: dict[str, Any]) -> dict[str, Any]:
    pool = await owned_pool(services, caller, params["UserPoolId"])
    async with services.db.read() as conn:
        row = await _group_row(conn, pool.id, params["GroupName"])
    return {"Group": _group_type(row, pool.id)}


@COGNITO.operation("UpdateGroup")
async def update_group(services: Services, caller: Caller, params: dict[str, Any]) -> dict[str, Any]:
    pool = await owned_pool(services, caller, params["UserPoolId"])
    values: dict[str, Any] = {"modified": services.clock.now()}
    for key, column in (("Description", "description"), ("RoleArn", "role_arn"), ("Precedence", "precedence")):
        if key in params:
            values[column] = params[key]
    async with services.db.begin() as conn:
        await _group_row(conn, pool.id, params["GroupName"])
        await conn.execute(update(groups).where(groups.c.pool_id == pool.id, groups.c.name == params["GroupName"])
                           .values(**values))
        row = await _group_row(conn, pool.id, params["GroupName"])
    return {"Group": _group_type(row, pool.id)}


@COGNITO.operation("ListGroups")
async def list_groups(services: Services, caller: Caller, params: dict[str, Any]) -> dict[str, Any]:
    pool = await owned_pool(services, caller, params["UserPoolId"])
    async with services.db.read() as conn:
        rows = (await conn.execute(select(groups).where(groups.c.pool_id == pool.id).order_by(groups.c.name))
                ).mappings().all()
    return listing(rows, "Groups", lambda r: _group_type(r, pool.id), params.get("Limit"),
                   params.get("NextToken"), caller.request_id)


@COGNITO.operation("DeleteGroup")
async def delete_group(services: Services, caller: Caller, params: dict[str, Any]) -> dict[str, Any]:
    pool = await owned_pool(services, caller, params["UserPoolId"])
    async with services.db.begin() as conn:
        await _group_row(conn, pool.id, params["GroupName"])
        await conn.execute(delete(user_groups).where(user_groups.c.pool_id == pool.id,
                                                     user_groups.c.group_name == params["GroupName"]))
        await conn.execute(delete(groups).where(groups.c.pool_id == pool.id, groups.c.name == params["GroupName"]))
    return {}


async def add_user_to_group(services: Services, pool_id: str, username: str, group: str) -> None:
    async with services.db.begin() as conn:
        pool = await repo.get_pool(conn, pool_id)
        user = await repo.get_user(conn, pool, username)
        await _group_row(conn, pool.id, group)
        if group not in user.groups:
            await conn.execute(user_groups.insert().values(pool_id=pool.id, username=user.username,
                                                           group_name=group))


@COGNITO.operation("AdminAddUserToGroup")
async def admin_add_user_to_group(services: Services, caller: Caller, params: dict[str, Any]) -> dict[str, Any]:
    pool = await owned_pool(services, caller, params["UserPoolId"])
    await add_user_to_group(services, pool.id, params["Username"], params["GroupName"])
    return {}


@COGNITO.operation("AdminRemoveUserFromGroup")
async def admin_remove_user_from_group(services: Services, caller: Caller, params: dict[str, Any]
                                       ) -> dict[str, Any]:
    pool = await owned_pool(services, caller, params["UserPoolId"])
    async with services.db.begin() as conn:
        user = await repo.get_user(conn, pool, params["Username"])
        await _group_row(conn, pool.id, params["GroupName"])
        await conn.execute(delete(user_groups).where(user_groups.c.pool_id == pool.id,
                                                     user_groups.c.username == user.username,
                                                     user_groups.c.group_name == params["GroupName"]))
    return {}


@COGNITO.operation("AdminListGroupsForUser")
async def admin_list_groups_for_user(services: Services, caller: Caller, params: dict[str, Any]
                                     ) -> dict[str, Any]:
    pool = await owned_pool(services, caller, params["UserPoolId"])
    async with services.db.read() as conn:
        user = await repo.get_user(conn, pool, params["Username"])
        rows = (await conn.execute(
            select(groups).join(user_groups, (user_groups.c.pool_id == groups.c.pool_id)
                                & (user_groups.c.group_name == groups.c.name))
            .where(user_groups.c.pool_id == pool.id, user_groups.c.username == user.username)
            .order_by(groups.c.name))).mappings().all()
    return listing(rows, "Groups", lambda r: _group_type(r, pool.id), params.get("Limit"),
                   params.get("NextToken"), caller.request_id)


@COGNITO.operation("ListUsersInGroup")
async def list_users_in_group(services: Services, caller: Caller, params: dict[str, Any]) -> dict[str, Any]:
    pool = await owned_pool(services, caller, params["UserPoolId"])
    async with services.db.read() as conn:
        await _group_row(conn, pool.id, params["GroupName"])
        rows = (await conn.execute(
            select(users).join(user_groups, (user_groups.c.pool_id == users.c.pool_id)
                               & (user_groups.c.username == users.c.username))
            .where(user_groups.c.pool_id == pool.id, user_groups.c.group_name == params["GroupName"])
            .order_by(users.c.username))).mappings().all()
    return listing(rows, "Users", lambda r: user_type(User.from_row(r)), params.get("Limit"),
                   params.get("NextToken"), caller.request_id)
