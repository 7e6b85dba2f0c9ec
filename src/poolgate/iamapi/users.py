"""IAM users: CreateUser, GetUser, ListUsers, DeleteUser; their inline policies (Put/Get/Delete/ListUserPolicies)
and access keys (CreateAccessKey, ListAccessKeys, UpdateAccessKey, DeleteAccessKey).

A key made here signs requests like a key declared in poolgate.yaml: the data plane's AWS_IAM authorizer finds it
with ``store.find_key`` and decides by the user's inline and attached policies; an Inactive or deleted key is
refused as an unknown one ("The security token included in the request is invalid.", 403). Each process sees a
change made through another one within ``store.STORED_TTL``. At most two keys per user, held by the database
(a unique slot), so concurrent CreateAccessKey calls cannot make a third.

AWS's words: EntityAlreadyExists "User with name {name} already exists." (409; ucopacme/aws-orgs#12);
LimitExceeded "Cannot exceed quota for AccessKeysPerUser: 2" (409; bartekj/aws-tools#29, simonw/s3-credentials#64);
DeleteConflict "Cannot delete entity, must delete access keys first." (409; aws-controllers-k8s/community#2229),
"… must delete policies first." and "… must detach all policies first." (as for roles, roles.py) and "Cannot delete
entity, must remove referenced objects first." (LocalStack's AWS-recorded test_delete_user_after_service_credential_
created; here for a key or policy added while the user is deleted). UNCONFIRMED: NoSuchEntity "The user policy with
name {policy} cannot be found." and "The Access Key with id {id} cannot be found." (moto's words), and ValidationError
"Must specify userName when calling with non-User credentials" for a call without UserName by a caller that is no
IAM user; which of a user's remaining parts DeleteUser names first.
"""

from __future__ import annotations

import json
import secrets
import string
from typing import Any
from urllib.parse import quote

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError

from ..errors import ServiceError
from ..http import Request
from ..iam import IamUser, PolicyKind
from ..services import Services
from ..store.sql.tables_iam_users import iam_access_keys, iam_user_attachments, iam_user_policies, iam_users
from .common import caller_of, document, iso, no_user
from .roles import IAM
from .store import find_key, forget

KEYS_PER_USER = 2
_KEY_ALPHABET = string.ascii_uppercase + "234567"
_SECRET_ALPHABET = string.ascii_letters + string.digits + "+/"


def _user_type(row: Any) -> dict[str, Any]:
    return {"Path": row["path"], "UserName": row["name"], "UserId": row["user_id"],
            "Arn": f"arn:aws:iam::{row['account']}:user{row['path']}{row['name']}", "CreateDate": iso(row["created"])}


async def _user_row(conn: Any, account: str, name: str) -> Any:
    row = (await conn.execute(select(iam_users).where(
        iam_users.c.account == account, iam_users.c.name_key == name.lower()))).mappings().first()
    if row is None or row["name"] != name:
        raise no_user(name)
    return row


async def _user_name(services: Services, request: Request, params: dict[str, Any]) -> tuple[str, str]:
    """(account, user name): ``UserName``, or the IAM user whose access key signed the request."""
    caller = await caller_of(services, request)
    if params.get("UserName"):
        return caller.account, str(params["UserName"])
    owner = await find_key(services, caller.access_key) if caller.access_key else None
    if owner is None:
        raise ServiceError("ValidationError", "Must specify userName when calling with non-User credentials", 400)
    return owner.principal.account, owner.principal.name


@IAM.operation("CreateUser")
async def create_user(services: Services, request: Request, params: dict[str, Any]) -> dict[str, Any]:
    caller = await caller_of(services, request)
    name, path = params["UserName"], params.get("Path", "/")
    row = {"account": caller.account, "name_key": name.lower(), "name": name, "path": path,
           "user_id": IamUser(caller.account, name, path).user_id, "created": services.clock.now()}
    try:
        async with services.db.begin() as conn:
            await conn.execute(iam_users.insert().values(**row))
    except IntegrityError:
        raise ServiceError("EntityAlreadyExists", f"User with name {name} already exists.", 409) from None
    return {"User": _user_type(row)}


@IAM.operation("GetUser")
async def get_user(services: Services, request: Request, params: dict[str, Any]) -> dict[str, Any]:
    account, name = await _user_name(services, request, params)
    async with services.db.read() as conn:
        return {"User": _user_type(await _user_row(conn, account, name))}


@IAM.operation("ListUsers")
async def list_users(services: Services, request: Request, params: dict[str, Any]) -> dict[str, Any]:
    caller = await caller_of(services, request)
    prefix = params.get("PathPrefix", "/")
    async with services.db.read() as conn:
        rows = (await conn.execute(select(iam_users).where(iam_users.c.account == caller.account)
                                   .order_by(iam_users.c.name_key))).mappings().all()
    return {"Users": [_user_type(row) for row in rows if row["path"].startswith(prefix)], "IsTruncated": False}


@IAM.operation("DeleteUser")
async def delete_user(services: Services, request: Request, params: dict[str, Any]) -> None:
    caller = await caller_of(services, request)
    name = params["UserName"]
    parts = ((iam_access_keys, "Cannot delete entity, must delete access keys first."),
             (iam_user_policies, "Cannot delete entity, must delete policies first."),
             (iam_user_attachments, "Cannot delete entity, must detach all policies first."))
    try:
        async with services.db.begin() as conn:
            row = await _user_row(conn, caller.account, name)
            for table, message in parts:
                if (await conn.execute(select(table.c.account).where(
                        table.c.account == row["account"], table.c.user_key == row["name_key"]))).first():
                    raise ServiceError("DeleteConflict", message, 409)
            await conn.execute(delete(iam_users).where(iam_users.c.account == row["account"],
                                                       iam_users.c.name_key == row["name_key"]))
    except IntegrityError:  # a key or policy added meanwhile: the foreign keys
        raise ServiceError("DeleteConflict", "Cannot delete entity, must remove referenced objects first.",
                           409) from None
    forget(services)
    return None


@IAM.operation("PutUserPolicy")
async def put_user_policy(services: Services, request: Request, params: dict[str, Any]) -> None:
    caller = await caller_of(services, request)
    parsed = document(params["PolicyDocument"], PolicyKind.IDENTITY)
    name = params["UserName"]
    try:
        async with services.db.begin() as conn:
            row = await _user_row(conn, caller.account, name)
            key = {"account": row["account"], "user_key": row["name_key"], "name": params["PolicyName"]}
            await conn.execute(delete(iam_user_policies).where(*(iam_user_policies.c[k] == v for k, v in key.items())))
            await conn.execute(iam_user_policies.insert().values(**key, document=parsed))
    except IntegrityError:  # the user was deleted meanwhile, or another put of the same name won
        async with services.db.read() as conn:
            await _user_row(conn, caller.account, name)
    forget(services)
    return None


async def _user_policy(services: Services, account: str, user: str, policy: str) -> Any:
    async with services.db.read() as conn:
        row = await _user_row(conn, account, user)
        found = (await conn.execute(select(iam_user_policies).where(
            iam_user_policies.c.account == account, iam_user_policies.c.user_key == row["name_key"],
            iam_user_policies.c.name == policy))).mappings().first()
    if found is None:
        raise ServiceError("NoSuchEntity", f"The user policy with name {policy} cannot be found.", 404)
    return found


@IAM.operation("GetUserPolicy")
async def get_user_policy(services: Services, request: Request, params: dict[str, Any]) -> dict[str, Any]:
    caller = await caller_of(services, request)
    row = await _user_policy(services, caller.account, params["UserName"], params["PolicyName"])
    return {"UserName": params["UserName"], "PolicyName": row["name"],
            "PolicyDocument": quote(json.dumps(row["document"]))}


@IAM.operation("DeleteUserPolicy")
async def delete_user_policy(services: Services, request: Request, params: dict[str, Any]) -> None:
    caller = await caller_of(services, request)
    row = await _user_policy(services, caller.account, params["UserName"], params["PolicyName"])
    async with services.db.begin() as conn:
        await conn.execute(delete(iam_user_policies).where(
            iam_user_policies.c.account == row["account"], iam_user_policies.c.user_key == row["user_key"],
            iam_user_policies.c.name == row["name"]))
    forget(services)
    return None


@IAM.operation("ListUserPolicies")
async def list_user_policies(services: Services, request: Request, params: dict[str, Any]) -> dict[str, Any]:
    caller = await caller_of(services, request)
    async with services.db.read() as conn:
        row = await _user_row(conn, caller.account, params["UserName"])
        names = (await conn.execute(select(iam_user_policies.c.name).where(
            iam_user_policies.c.account == row["account"], iam_user_policies.c.user_key == row["name_key"])
            .order_by(iam_user_policies.c.name))).scalars().all()
    return {"PolicyNames": list(names), "IsTruncated": False}


def _key_metadata(user: str, row: Any) -> dict[str, Any]:
    return {"UserName": user, "AccessKeyId": row["access_key_id"], "Status": row["status"],
            "CreateDate": iso(row["created"])}


@IAM.operation("CreateAccessKey")
async def create_access_key(services: Services, request: Request, params: dict[str, Any]) -> dict[str, Any]:
    account, name = await _user_name(services, request, params)
    limit = ServiceError("LimitExceeded", f"Cannot exceed quota for AccessKeysPerUser: {KEYS_PER_USER}", 409)
    row = {"access_key_id": "AKIA" + "".join(secrets.choice(_KEY_ALPHABET) for _ in range(16)),
           "secret": "".join(secrets.choice(_SECRET_ALPHABET) for _ in range(40)), "account": account,
           "status": "Active", "created": services.clock.now()}
    try:
        async with services.db.begin() as conn:
            user = await _user_row(conn, account, name)
            taken = set((await conn.execute(select(iam_access_keys.c.slot).where(
                iam_access_keys.c.account == account, iam_access_keys.c.user_key == user["name_key"]))).scalars())
            free = [slot for slot in range(KEYS_PER_USER) if slot not in taken]
            if not free:
                raise limit
            await conn.execute(iam_access_keys.insert().values(**row, user_key=user["name_key"], slot=free[0]))
    except IntegrityError:  # another CreateAccessKey took the slot meanwhile, or the user was deleted
        async with services.db.read() as conn:
            await _user_row(conn, account, name)
        raise limit from None
    forget(services)
    return {"AccessKey": {**_key_metadata(user["name"], row), "SecretAccessKey": row["secret"]}}


@IAM.operation("ListAccessKeys")
async def list_access_keys(services: Services, request: Request, params: dict[str, Any]) -> dict[str, Any]:
    account, name = await _user_name(services, request, params)
    async with services.db.read() as conn:
        user = await _user_row(conn, account, name)
        rows = (await conn.execute(select(iam_access_keys).where(
            iam_access_keys.c.account == account, iam_access_keys.c.user_key == user["name_key"])
            .order_by(iam_access_keys.c.created))).mappings().all()
    return {"AccessKeyMetadata": [_key_metadata(user["name"], row) for row in rows], "IsTruncated": False}


async def _key_where(services: Services, request: Request, params: dict[str, Any]) -> tuple[Any, ...]:
    """The conditions naming the key ``AccessKeyId`` of the user; NoSuchEntity when the user or key is not there."""
    account, name = await _user_name(services, request, params)
    key_id = params["AccessKeyId"]
    async with services.db.read() as conn:
        user = await _user_row(conn, account, name)
    where = (iam_access_keys.c.access_key_id == key_id, iam_access_keys.c.account == account,
             iam_access_keys.c.user_key == user["name_key"])
    return where


def _no_key(key_id: str) -> ServiceError:
    return ServiceError("NoSuchEntity", f"The Access Key with id {key_id} cannot be found.", 404)


@IAM.operation("UpdateAccessKey")
async def update_access_key(services: Services, request: Request, params: dict[str, Any]) -> None:
    where = await _key_where(services, request, params)
    async with services.db.begin() as conn:
        done = await conn.execute(update(iam_access_keys).where(*where).values(status=params["Status"]))
    if done.rowcount == 0:
        raise _no_key(params["AccessKeyId"])
    forget(services)
    return None


@IAM.operation("DeleteAccessKey")
async def delete_access_key(services: Services, request: Request, params: dict[str, Any]) -> None:
    where = await _key_where(services, request, params)
    async with services.db.begin() as conn:
        done = await conn.execute(delete(iam_access_keys).where(*where))
    if done.rowcount == 0:
        raise _no_key(params["AccessKeyId"])
    forget(services)
    return None
