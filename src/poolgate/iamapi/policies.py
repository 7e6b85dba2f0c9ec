"""Customer managed policies: CreatePolicy, GetPolicy, ListPolicies, DeletePolicy, their versions
(Create/Get/Delete/ListPolicyVersions, at most five, the default one evaluated), and their attachments to roles and
users: Attach/DetachRolePolicy, ListAttachedRolePolicies, Attach/DetachUserPolicy, ListAttachedUserPolicies.

An attached policy counts for the role's
temporary credentials and the user's access keys exactly as an inline one (``store.find_role``, ``store.find_key``).
AWS managed policies (``arn:aws:iam::aws:policy/…``) are not served: attaching one is refused as IAM refuses a policy
that does not exist. Only roles made through the IAM API take managed policies (not those poolgate.yaml declares).

AWS's words besides common.py's: DeleteConflict "Cannot delete a policy attached to entities." (409; quoted in
99designs/iamy#22 and rebuy-de/aws-nuke#294); LimitExceeded "Cannot exceed quota for PoliciesPerRole: 10" and
"… PoliciesPerUser: 10" (IAM's default quota of 10 managed policies per role or user; the wording is UNCONFIRMED,
written after the confirmed "Cannot exceed quota for AccessKeysPerUser: 2"); EntityAlreadyExists "A policy called
{name} already exists. Duplicate names are not allowed.", NoSuchEntity "Policy {arn} version {id} does not exist
or is not attachable.", LimitExceeded "A managed policy can have up to 5 versions. Before you create a new version,
you must delete an existing version.", DeleteConflict "Cannot delete the default version of a policy." and "This
policy has more than one version. Before you delete a policy, you must delete the policy's versions. The default
version is deleted with the policy." are UNCONFIRMED (moto's words).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from sqlalchemy import Table, delete, func, select, update
from sqlalchemy.exc import IntegrityError

from ..errors import ServiceError
from ..http import Request
from ..iam import PolicyKind
from ..services import Services
from ..store.sql.tables import iam_roles
from ..store.sql.tables_iam_users import iam_policies, iam_role_attachments, iam_user_attachments, iam_users
from .common import caller_of, document, iso, no_user, not_attachable, policy_arn, policy_not_found, split_policy_arn
from .roles import IAM
from .store import forget

ATTACHED_LIMIT = 10
"""IAM's default quota of managed policies attached to one role or user (IAM User Guide, "IAM and AWS STS quotas")."""


def _policy_type(row: Any, attachments: int) -> dict[str, Any]:
    policy = {"PolicyName": row["name"], "PolicyId": row["policy_id"],
              "Arn": policy_arn(row["account"], row["path"], row["name"]), "Path": row["path"],
              "DefaultVersionId": row["default_version"], "AttachmentCount": attachments,
              "PermissionsBoundaryUsageCount": 0, "IsAttachable": True, "CreateDate": iso(row["created"]),
              "UpdateDate": iso(row["versions"][row["default_version"]]["created"])}
    if row["description"]:
        policy["Description"] = row["description"]
    return policy


async def _policy_row(conn: Any, account: str, arn: str, missing: Any = policy_not_found) -> Any:
    """The stored policy ``arn`` names in ``account``; ``missing(arn)`` when there is none."""
    owner, path, name = split_policy_arn(arn)
    row = None
    if owner == account:
        row = (await conn.execute(select(iam_policies).where(
            iam_policies.c.account == account, iam_policies.c.name_key == name.lower()))).mappings().first()
    if row is None or row["name"] != name or row["path"] != path:
        raise missing(arn)
    return row


async def _attachments(conn: Any, account: str, key: str) -> int:
    total = 0
    for table in (iam_role_attachments, iam_user_attachments):
        total += (await conn.execute(select(func.count()).select_from(table).where(
            table.c.account == account, table.c.policy_key == key))).scalar_one()
    return int(total)


@IAM.operation("CreatePolicy")
async def create_policy(services: Services, request: Request, params: dict[str, Any]) -> dict[str, Any]:
    caller = await caller_of(services, request)
    name = params["PolicyName"]
    parsed = document(params["PolicyDocument"], PolicyKind.IDENTITY)
    row = {"account": caller.account, "name_key": name.lower(), "name": name, "path": params.get("Path", "/"),
           "policy_id": "ANPA" + services.ids.short_id(17).upper(), "description": params.get("Description"),
           "document": parsed, "default_version": "v1", "revision": 0, "created": services.clock.now()}
    row["versions"] = {"v1": {"document": parsed, "created": row["created"]}}
    try:
        async with services.db.begin() as conn:
            await conn.execute(iam_policies.insert().values(**row))
    except IntegrityError:
        raise ServiceError("EntityAlreadyExists", f"A policy called {name} already exists. Duplicate names are not "
                           "allowed.", 409) from None
    return {"Policy": _policy_type(row, 0)}


@IAM.operation("GetPolicy")
async def get_policy(services: Services, request: Request, params: dict[str, Any]) -> dict[str, Any]:
    caller = await caller_of(services, request)
    async with services.db.read() as conn:
        row = await _policy_row(conn, caller.account, params["PolicyArn"])
        return {"Policy": _policy_type(row, await _attachments(conn, row["account"], row["name_key"]))}


def _version_type(row: Any, version: str) -> dict[str, Any]:
    item = row["versions"][version]
    return {"Document": quote(json.dumps(item["document"])), "VersionId": version,
            "IsDefaultVersion": version == row["default_version"], "CreateDate": iso(item["created"])}


def _no_version(arn: str, version: str) -> ServiceError:
    return ServiceError("NoSuchEntity", f"Policy {arn} version {version} does not exist or is not attachable.", 404)


@IAM.operation("GetPolicyVersion")
async def get_policy_version(services: Services, request: Request, params: dict[str, Any]) -> dict[str, Any]:
    caller = await caller_of(services, request)
    arn, version = params["PolicyArn"], params["VersionId"]
    async with services.db.read() as conn:
        row = await _policy_row(conn, caller.account, arn)
    if version not in row["versions"]:
        raise _no_version(arn, version)
    return {"PolicyVersion": _version_type(row, version)}


@IAM.operation("ListPolicyVersions")
async def list_policy_versions(services: Services, request: Request, params: dict[str, Any]) -> dict[str, Any]:
    caller = await caller_of(services, request)
    async with services.db.read() as conn:
        row = await _policy_row(conn, caller.account, params["PolicyArn"])
    versions = sorted(row["versions"], key=lambda v: -int(v[1:]))
    return {"Versions": [{k: v for k, v in _version_type(row, version).items() if k != "Document"}
                         for version in versions], "IsTruncated": False}


async def _save_versions(services: Services, row: Any, versions: dict[str, Any], default: str) -> None:
    """Store the versions if nobody changed them meanwhile (else ConcurrentModification, as IAM answers)."""
    async with services.db.begin() as conn:
        done = await conn.execute(update(iam_policies).where(
            iam_policies.c.account == row["account"], iam_policies.c.name_key == row["name_key"],
            iam_policies.c.revision == row["revision"])
            .values(versions=versions, default_version=default, document=versions[default]["document"],
                    revision=row["revision"] + 1))
    if done.rowcount == 0:
        raise ServiceError("ConcurrentModification", "The policy was changed by another request meanwhile; try "
                           "again.", 409)
    forget(services)


@IAM.operation("CreatePolicyVersion")
async def create_policy_version(services: Services, request: Request, params: dict[str, Any]) -> dict[str, Any]:
    caller = await caller_of(services, request)
    parsed = document(params["PolicyDocument"], PolicyKind.IDENTITY)
    async with services.db.read() as conn:
        row = await _policy_row(conn, caller.account, params["PolicyArn"])
    versions = dict(row["versions"])
    if len(versions) >= 5:
        raise ServiceError("LimitExceeded", "A managed policy can have up to 5 versions. Before you create a new "
                           "version, you must delete an existing version.", 409)
    version = f"v{max(int(v[1:]) for v in versions) + 1}"
    versions[version] = {"document": parsed, "created": services.clock.now()}
    default = version if params.get("SetAsDefault") else row["default_version"]
    await _save_versions(services, row, versions, default)
    return {"PolicyVersion": _version_type({**row, "versions": versions, "default_version": default}, version)}


@IAM.operation("DeletePolicyVersion")
async def delete_policy_version(services: Services, request: Request, params: dict[str, Any]) -> None:
    caller = await caller_of(services, request)
    arn, version = params["PolicyArn"], params["VersionId"]
    async with services.db.read() as conn:
        row = await _policy_row(conn, caller.account, arn)
    if version not in row["versions"]:
        raise _no_version(arn, version)
    if version == row["default_version"]:
        raise ServiceError("DeleteConflict", "Cannot delete the default version of a policy.", 409)
    versions = {k: v for k, v in row["versions"].items() if k != version}
    await _save_versions(services, row, versions, row["default_version"])
    return None


@IAM.operation("ListPolicies")
async def list_policies(services: Services, request: Request, params: dict[str, Any]) -> dict[str, Any]:
    """The account's own policies (``Scope`` ``AWS`` lists none: poolgate has no AWS managed policies), by name;
    ``Marker`` is the name to go on from."""
    caller = await caller_of(services, request)
    if params.get("Scope") == "AWS":
        return {"Policies": [], "IsTruncated": False}
    prefix = params.get("PathPrefix", "/")
    limit = params.get("MaxItems", 100)
    query = select(iam_policies).where(iam_policies.c.account == caller.account).order_by(iam_policies.c.name_key)
    if params.get("Marker"):
        query = query.where(iam_policies.c.name_key >= params["Marker"])
    policies: list[dict[str, Any]] = []
    marker = None
    async with services.db.read() as conn:
        for row in (await conn.execute(query)).mappings():
            if not row["path"].startswith(prefix):
                continue
            count = await _attachments(conn, caller.account, row["name_key"])
            if params.get("OnlyAttached") and count == 0:
                continue
            if len(policies) == limit:
                marker = row["name_key"]
                break
            policies.append(_policy_type(row, count))
    result: dict[str, Any] = {"Policies": policies, "IsTruncated": marker is not None}
    if marker is not None:
        result["Marker"] = marker
    return result


@IAM.operation("DeletePolicy")
async def delete_policy(services: Services, request: Request, params: dict[str, Any]) -> None:
    caller = await caller_of(services, request)
    conflict = ServiceError("DeleteConflict", "Cannot delete a policy attached to entities.", 409)
    try:
        async with services.db.begin() as conn:
            row = await _policy_row(conn, caller.account, params["PolicyArn"])
            if await _attachments(conn, row["account"], row["name_key"]):
                raise conflict
            if len(row["versions"]) > 1:
                raise ServiceError("DeleteConflict", "This policy has more than one version. Before you delete a "
                                   "policy, you must delete the policy's versions. The default version is deleted "
                                   "with the policy.", 409)
            await conn.execute(delete(iam_policies).where(iam_policies.c.account == row["account"],
                                                          iam_policies.c.name_key == row["name_key"]))
    except IntegrityError:  # attached meanwhile: the attachment's foreign key
        raise conflict from None
    return None


@dataclass(frozen=True, slots=True)
class _Owner:
    """Roles or users, as attachments see them."""

    table: Table
    attachments: Table
    column: str
    quota: str

    def missing(self, name: str) -> ServiceError:
        if self.table is iam_users:
            return no_user(name)
        return ServiceError("NoSuchEntity", f"The role with name {name} cannot be found.", 404)

    async def key(self, conn: Any, account: str, name: str) -> str:
        row = (await conn.execute(select(self.table.c.name).where(
            self.table.c.account == account, self.table.c.name_key == name.lower()))).first()
        if row is None or row[0] != name:
            raise self.missing(name)
        return name.lower()


ROLE = _Owner(iam_roles, iam_role_attachments, "role_key", "PoliciesPerRole")
USER = _Owner(iam_users, iam_user_attachments, "user_key", "PoliciesPerUser")


async def attach(services: Services, request: Request, owner: _Owner, name: str, arn: str) -> None:
    """Attach ``arn`` to the role or user ``name``; attaching what is attached already changes nothing."""
    caller = await caller_of(services, request)
    table = owner.attachments
    try:
        async with services.db.begin() as conn:
            key = await owner.key(conn, caller.account, name)
            policy = await _policy_row(conn, caller.account, arn, not_attachable)
            mine = (table.c.account == caller.account) & (table.c[owner.column] == key)
            attached = set((await conn.execute(select(table.c.policy_key).where(mine))).scalars())
            if policy["name_key"] in attached:
                return None
            if len(attached) >= ATTACHED_LIMIT:
                raise ServiceError("LimitExceeded", f"Cannot exceed quota for {owner.quota}: {ATTACHED_LIMIT}", 409)
            await conn.execute(table.insert().values(account=caller.account, policy_key=policy["name_key"],
                                                     **{owner.column: key}))
    except IntegrityError:  # attached by another call meanwhile, or the role, user or policy deleted
        async with services.db.read() as conn:
            key = await owner.key(conn, caller.account, name)
            await _policy_row(conn, caller.account, arn, not_attachable)
    forget(services)
    return None


async def detach(services: Services, request: Request, owner: _Owner, name: str, arn: str) -> None:
    caller = await caller_of(services, request)
    table = owner.attachments
    async with services.db.begin() as conn:
        key = await owner.key(conn, caller.account, name)
        policy = await _policy_row(conn, caller.account, arn)
        done = await conn.execute(delete(table).where(table.c.account == caller.account, table.c[owner.column] == key,
                                                      table.c.policy_key == policy["name_key"]))
    if done.rowcount == 0:
        raise policy_not_found(arn)
    forget(services)
    return None


async def attached(services: Services, request: Request, owner: _Owner, name: str) -> dict[str, Any]:
    caller = await caller_of(services, request)
    table = owner.attachments
    async with services.db.read() as conn:
        key = await owner.key(conn, caller.account, name)
        rows = (await conn.execute(select(iam_policies.c.name, iam_policies.c.path).join(
            table, (table.c.account == iam_policies.c.account) & (table.c.policy_key == iam_policies.c.name_key))
            .where(table.c.account == caller.account, table.c[owner.column] == key)
            .order_by(iam_policies.c.name_key))).mappings().all()
    return {"AttachedPolicies": [{"PolicyName": row["name"],
                                  "PolicyArn": policy_arn(caller.account, row["path"], row["name"])} for row in rows],
            "IsTruncated": False}


@IAM.operation("AttachRolePolicy")
async def attach_role_policy(services: Services, request: Request, params: dict[str, Any]) -> None:
    return await attach(services, request, ROLE, params["RoleName"], params["PolicyArn"])


@IAM.operation("DetachRolePolicy")
async def detach_role_policy(services: Services, request: Request, params: dict[str, Any]) -> None:
    return await detach(services, request, ROLE, params["RoleName"], params["PolicyArn"])


@IAM.operation("ListAttachedRolePolicies")
async def list_attached_role_policies(services: Services, request: Request, params: dict[str, Any]
                                      ) -> dict[str, Any]:
    return await attached(services, request, ROLE, params["RoleName"])


@IAM.operation("AttachUserPolicy")
async def attach_user_policy(services: Services, request: Request, params: dict[str, Any]) -> None:
    return await attach(services, request, USER, params["UserName"], params["PolicyArn"])


@IAM.operation("DetachUserPolicy")
async def detach_user_policy(services: Services, request: Request, params: dict[str, Any]) -> None:
    return await detach(services, request, USER, params["UserName"], params["PolicyArn"])


@IAM.operation("ListAttachedUserPolicies")
async def list_attached_user_policies(services: Services, request: Request, params: dict[str, Any]
                                      ) -> dict[str, Any]:
    return await attached(services, request, USER, params["UserName"])
