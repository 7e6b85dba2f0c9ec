"""CreateRole, GetRole, ListRoles, UpdateRole, UpdateAssumeRolePolicy, DeleteRole, PutRolePolicy, GetRolePolicy,
DeleteRolePolicy, ListRolePolicies.

Documents are parsed by ``iam/policy.py`` (a trust policy must name its principals; an inline policy must not), so
a role made here is evaluated exactly as one declared in poolgate.yaml. Names are unique per account ignoring case
(the primary key), across the file and the API. Policy documents come back URL-encoded, as IAM returns them (boto3
decodes them).

AWS's words (UNCONFIRMED: as moto and IAM users quote them): NoSuchEntity "The role with name {name} cannot be
found." and "The role policy with name {policy} cannot be found."; EntityAlreadyExists "Role with name {name} already
exists."; DeleteConflict "Cannot delete entity, must delete policies first." (inline policies; quoted with status 409
in awslabs/aws-orbit-workbench#633) and "Cannot delete entity, must detach all policies first." (managed policies
still attached: AWS's raw XML answer in ansible/ansible#22832). Invalid JSON: common.INVALID_JSON.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError

from ..awsproto.query import QueryService
from ..errors import ServiceError
from ..http import Request
from ..iam import PolicyKind
from ..services import Services
from ..store.sql.tables import iam_role_policies, iam_roles
from ..store.sql.tables_iam_users import iam_role_attachments
from .common import caller_of as _caller
from .common import document as _document
from .common import iso as _iso
from .store import declared, forget

IAM = QueryService("iam")


def _no_role(name: str) -> ServiceError:
    return ServiceError("NoSuchEntity", f"The role with name {name} cannot be found.", 404)


def _role_type(row: Any) -> dict[str, Any]:
    return {"Path": row["path"], "RoleName": row["name"], "RoleId": row["role_id"],
            "Arn": f"arn:aws:iam::{row['account']}:role{row['path']}{row['name']}", "CreateDate": _iso(row["created"]),
            "AssumeRolePolicyDocument": quote(json.dumps(row["trust"])), "Description": row["description"],
            "MaxSessionDuration": row["max_session"]}


async def _role_row(services: Services, account: str, name: str) -> Any:
    async with services.db.read() as conn:
        row = (await conn.execute(select(iam_roles).where(
            iam_roles.c.account == account, iam_roles.c.name_key == name.lower()))).mappings().first()
    if row is None or row["name"] != name:
        raise _no_role(name)
    return row


@IAM.operation("CreateRole")
async def create_role(services: Services, request: Request, params: dict[str, Any]) -> dict[str, Any]:
    caller = await _caller(services, request)
    name = params["RoleName"]
    exists = ServiceError("EntityAlreadyExists", f"Role with name {name} already exists.", 409)
    if declared(services).role(caller.account, name) is not None:
        raise exists
    trust = _document(params["AssumeRolePolicyDocument"], PolicyKind.TRUST)
    row = {"account": caller.account, "name_key": name.lower(), "name": name, "path": params.get("Path", "/"),
           "role_id": "AROA" + services.ids.short_id(17).upper(), "trust": trust,
           "description": params.get("Description"), "max_session": params.get("MaxSessionDuration", 3600),
           "created": services.clock.now()}
    try:
        async with services.db.begin() as conn:
            await conn.execute(iam_roles.insert().values(**row))
    except IntegrityError:
        raise exists from None
    forget(services)
    return {"Role": _role_type(row)}


@IAM.operation("GetRole")
async def get_role(services: Services, request: Request, params: dict[str, Any]) -> dict[str, Any]:
    caller = await _caller(services, request)
    return {"Role": _role_type(await _role_row(services, caller.account, params["RoleName"]))}


@IAM.operation("ListRoles")
async def list_roles(services: Services, request: Request, params: dict[str, Any]) -> dict[str, Any]:
    """The roles made through the API (those poolgate.yaml declares are not listed), by name."""
    caller = await _caller(services, request)
    prefix = params.get("PathPrefix", "/")
    async with services.db.read() as conn:
        rows = (await conn.execute(select(iam_roles).where(iam_roles.c.account == caller.account)
                                   .order_by(iam_roles.c.name_key))).mappings().all()
    return {"Roles": [_role_type(row) for row in rows if row["path"].startswith(prefix)], "IsTruncated": False}


@IAM.operation("UpdateRole")
async def update_role(services: Services, request: Request, params: dict[str, Any]) -> dict[str, Any]:
    caller = await _caller(services, request)
    row = await _role_row(services, caller.account, params["RoleName"])
    values = {column: params[member] for member, column in (("Description", "description"),
                                                            ("MaxSessionDuration", "max_session")) if member in params}
    if values:
        async with services.db.begin() as conn:
            await conn.execute(update(iam_roles).where(iam_roles.c.account == row["account"],
                                                       iam_roles.c.name_key == row["name_key"]).values(**values))
    return {}


@IAM.operation("UpdateAssumeRolePolicy")
async def update_assume_role_policy(services: Services, request: Request, params: dict[str, Any]) -> None:
    caller = await _caller(services, request)
    trust = _document(params["PolicyDocument"], PolicyKind.TRUST)
    row = await _role_row(services, caller.account, params["RoleName"])
    async with services.db.begin() as conn:
        await conn.execute(update(iam_roles).where(iam_roles.c.account == row["account"],
                                                   iam_roles.c.name_key == row["name_key"]).values(trust=trust))
    forget(services)
    return None


@IAM.operation("DeleteRole")
async def delete_role(services: Services, request: Request, params: dict[str, Any]) -> None:
    caller = await _caller(services, request)
    name = params["RoleName"]
    await _role_row(services, caller.account, name)
    try:
        async with services.db.begin() as conn:
            inline = (await conn.execute(select(iam_role_policies.c.name).where(
                iam_role_policies.c.account == caller.account, iam_role_policies.c.role_key == name.lower()))).first()
            if inline is not None:
                raise ServiceError("DeleteConflict", "Cannot delete entity, must delete policies first.", 409)
            attached = (await conn.execute(select(iam_role_attachments.c.policy_key).where(
                iam_role_attachments.c.account == caller.account, iam_role_attachments.c.role_key == name.lower()))
            ).first()
            if attached is not None:
                raise ServiceError("DeleteConflict", "Cannot delete entity, must detach all policies first.", 409)
            done = await conn.execute(delete(iam_roles).where(iam_roles.c.account == caller.account,
                                                              iam_roles.c.name_key == name.lower()))
    except IntegrityError:  # a policy was attached meanwhile (the attachment's foreign key)
        raise ServiceError("DeleteConflict", "Cannot delete entity, must detach all policies first.", 409) from None
    if done.rowcount == 0:
        raise _no_role(name)
    forget(services)
    return None


@IAM.operation("PutRolePolicy")
async def put_role_policy(services: Services, request: Request, params: dict[str, Any]) -> None:
    caller = await _caller(services, request)
    document = _document(params["PolicyDocument"], PolicyKind.IDENTITY)
    name = params["RoleName"]
    await _role_row(services, caller.account, name)
    key = {"account": caller.account, "role_key": name.lower(), "name": params["PolicyName"]}
    try:
        async with services.db.begin() as conn:
            await conn.execute(delete(iam_role_policies).where(*(iam_role_policies.c[k] == v for k, v in key.items())))
            await conn.execute(iam_role_policies.insert().values(**key, document=document))
    except IntegrityError:  # the role was deleted meanwhile (foreign key) or another put won
        raise _no_role(name) from None
    forget(services)
    return None


async def _policy_row(services: Services, account: str, role: str, policy: str) -> Any:
    await _role_row(services, account, role)
    async with services.db.read() as conn:
        row = (await conn.execute(select(iam_role_policies).where(
            iam_role_policies.c.account == account, iam_role_policies.c.role_key == role.lower(),
            iam_role_policies.c.name == policy))).mappings().first()
    if row is None:
        raise ServiceError("NoSuchEntity", f"The role policy with name {policy} cannot be found.", 404)
    return row


@IAM.operation("GetRolePolicy")
async def get_role_policy(services: Services, request: Request, params: dict[str, Any]) -> dict[str, Any]:
    caller = await _caller(services, request)
    row = await _policy_row(services, caller.account, params["RoleName"], params["PolicyName"])
    return {"RoleName": params["RoleName"], "PolicyName": row["name"],
            "PolicyDocument": quote(json.dumps(row["document"]))}


@IAM.operation("DeleteRolePolicy")
async def delete_role_policy(services: Services, request: Request, params: dict[str, Any]) -> None:
    caller = await _caller(services, request)
    row = await _policy_row(services, caller.account, params["RoleName"], params["PolicyName"])
    async with services.db.begin() as conn:
        await conn.execute(delete(iam_role_policies).where(
            iam_role_policies.c.account == row["account"], iam_role_policies.c.role_key == row["role_key"],
            iam_role_policies.c.name == row["name"]))
    forget(services)
    return None


@IAM.operation("ListRolePolicies")
async def list_role_policies(services: Services, request: Request, params: dict[str, Any]) -> dict[str, Any]:
    caller = await _caller(services, request)
    name = params["RoleName"]
    await _role_row(services, caller.account, name)
    async with services.db.read() as conn:
        names = (await conn.execute(select(iam_role_policies.c.name).where(
            iam_role_policies.c.account == caller.account, iam_role_policies.c.role_key == name.lower()
        ).order_by(iam_role_policies.c.name))).scalars().all()
    return {"PolicyNames": list(names), "IsTruncated": False}
