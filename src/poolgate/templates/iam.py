"""``AWS::IAM::Role``, ``AWS::IAM::Policy`` and ``AWS::IAM::ManagedPolicy`` through the IAM API's operations
(https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-iam-role.html, …-iam-policy,
…-iam-managedpolicy). ``Ref`` gives a role's name, an inline policy's name and a managed policy's ARN; ``Fn::GetAtt``
a role's ``Arn`` and ``RoleId``, a managed policy's ``PolicyArn``.

A role's ``Policies`` become inline policies, its ``ManagedPolicyArns`` attachments. AWS managed policies
(``arn:aws:iam::aws:policy/…``, which SAM and CDK give every function's role) are not served by poolgate and grant
nothing it decides, so they are left out (logged), never a refusal. A role, inline policy or managed policy is
updated in place (UpdateAssumeRolePolicy, UpdateRole, Put/Delete policies, Attach/Detach, a new default policy
version); a new ``RoleName``, ``ManagedPolicyName`` or ``Path`` replaces it, as CloudFormation
does. ``Groups`` are not served (no IAM groups): refused.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from ..errors import ServiceError
from .kinds import PropertyError, Record, Target, applies, known, removes, require
from .planes import NOT_FOUND, Planes

log = logging.getLogger("poolgate.templates")

_ROLE = {"AssumeRolePolicyDocument", "RoleName", "Path", "Description", "MaxSessionDuration", "Policies",
         "ManagedPolicyArns", "Tags", "PermissionsBoundary"}
_POLICY = {"PolicyName", "PolicyDocument", "Roles", "Users", "Groups"}
_MANAGED = {"ManagedPolicyName", "PolicyDocument", "Path", "Description", "Roles", "Users", "Groups"}


def _text(document: Any, prop: str) -> str:
    if isinstance(document, str):
        return document
    if not isinstance(document, dict):
        raise PropertyError(prop, "a policy document is a JSON object")
    return json.dumps(document)


async def _quietly(planes: Planes, name: str, params: dict[str, Any]) -> None:
    """A delete or detach of what may be gone already."""
    try:
        await planes.iam(name, params)
    except ServiceError as err:
        if err.code not in NOT_FOUND:
            raise


def _names(props: dict[str, Any], prop: str) -> list[str]:
    value = props.get(prop) or []
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise PropertyError(prop, "a list of names")
    return list(value)


def _customer_managed(arns: list[str], logical: str) -> list[str]:
    aws = [arn for arn in arns if arn.split(":")[4:5] == ["aws"]]
    if aws:
        log.info("%s: AWS managed policies are not served by poolgate and are left out: %s", logical, ", ".join(aws))
    return [arn for arn in arns if arn not in aws]


@applies("AWS::IAM::Role")
async def role(planes: Planes, target: Target, props: dict[str, Any], old: Record | None) -> Record:
    known(props, _ROLE)
    require(props, "AssumeRolePolicyDocument")
    name = props.get("RoleName") or target.default_name(64)
    trust = _text(props["AssumeRolePolicyDocument"], "AssumeRolePolicyDocument")
    inline: dict[str, str] = {}
    for item in props.get("Policies") or []:
        if not isinstance(item, dict) or not item.get("PolicyName") or "PolicyDocument" not in item:
            raise PropertyError("Policies", "each policy has a PolicyName and a PolicyDocument")
        inline[str(item["PolicyName"])] = _text(item["PolicyDocument"], "Policies")
    managed = _customer_managed(_names(props, "ManagedPolicyArns"), target.logical)
    if old is not None and old.id != name:  # a new name: CloudFormation replaces the role
        if not target.retain_replaced:
            await remove_role(planes, old)
        old = None
    common: dict[str, Any] = {k: props[k] for k in ("Description", "MaxSessionDuration") if k in props}
    if old is None:
        made = (await planes.iam("CreateRole", {"RoleName": name, "AssumeRolePolicyDocument": trust,
                                                 "Path": props.get("Path", "/"), **common}))["Role"]
    else:
        await planes.iam("UpdateAssumeRolePolicy", {"RoleName": name, "PolicyDocument": trust})
        await planes.iam("UpdateRole", {"RoleName": name, **common})
        made = (await planes.iam("GetRole", {"RoleName": name}))["Role"]
        for gone in set(old.attrs.get("Policies") or []) - set(inline):
            await _quietly(planes, "DeleteRolePolicy", {"RoleName": name, "PolicyName": gone})
        for gone in set(old.attrs.get("ManagedPolicyArns") or []) - set(managed):
            await _quietly(planes, "DetachRolePolicy", {"RoleName": name, "PolicyArn": gone})
    for policy, document in inline.items():
        await planes.iam("PutRolePolicy", {"RoleName": name, "PolicyName": policy, "PolicyDocument": document})
    for arn in managed:
        await planes.iam("AttachRolePolicy", {"RoleName": name, "PolicyArn": arn})
    return Record(target.type, name, {"Arn": made["Arn"], "RoleId": made["RoleId"], "Policies": sorted(inline),
                                      "ManagedPolicyArns": managed},
                  probe=["iam", "GetRole", {"RoleName": name}])


@removes("AWS::IAM::Role")
async def remove_role(planes: Planes, record: Record) -> None:
    """As CloudFormation deletes a role: its inline policies, its attachments, then the role."""
    name = record.id
    try:
        policies = (await planes.iam("ListRolePolicies", {"RoleName": name}))["PolicyNames"]
        attached = (await planes.iam("ListAttachedRolePolicies", {"RoleName": name}))["AttachedPolicies"]
    except ServiceError as err:
        if err.code in NOT_FOUND:
            return
        raise
    for policy in policies:
        await _quietly(planes, "DeleteRolePolicy", {"RoleName": name, "PolicyName": policy})
    for item in attached:
        await _quietly(planes, "DetachRolePolicy", {"RoleName": name, "PolicyArn": item["PolicyArn"]})
    await _quietly(planes, "DeleteRole", {"RoleName": name})


def _no_groups(props: dict[str, Any]) -> None:
    if props.get("Groups"):
        raise PropertyError("Groups", "poolgate has no IAM groups; name Roles or Users")


@applies("AWS::IAM::Policy")
async def inline_policy(planes: Planes, target: Target, props: dict[str, Any], old: Record | None) -> Record:
    known(props, _POLICY)
    require(props, "PolicyName", "PolicyDocument")
    _no_groups(props)
    name, document = str(props["PolicyName"]), _text(props["PolicyDocument"], "PolicyDocument")
    roles, users = _names(props, "Roles"), _names(props, "Users")
    if not roles and not users:
        raise PropertyError("Roles", "an inline policy names at least one role or user")
    if old is not None:
        kept = old.id == name
        await remove_inline_policy(planes, Record(old.type, old.id, {
            "Roles": [r for r in old.attrs.get("Roles", []) if not kept or r not in roles],
            "Users": [u for u in old.attrs.get("Users", []) if not kept or u not in users]}))
    for role_name in roles:
        await planes.iam("PutRolePolicy", {"RoleName": role_name, "PolicyName": name, "PolicyDocument": document})
    for user in users:
        await planes.iam("PutUserPolicy", {"UserName": user, "PolicyName": name, "PolicyDocument": document})
    return Record(target.type, name, {"Roles": roles, "Users": users}, probe=None)


@removes("AWS::IAM::Policy")
async def remove_inline_policy(planes: Planes, record: Record) -> None:
    for role_name in record.attrs.get("Roles", []):
        await _quietly(planes, "DeleteRolePolicy", {"RoleName": role_name, "PolicyName": record.id})
    for user in record.attrs.get("Users", []):
        await _quietly(planes, "DeleteUserPolicy", {"UserName": user, "PolicyName": record.id})


@applies("AWS::IAM::ManagedPolicy")
async def managed_policy(planes: Planes, target: Target, props: dict[str, Any], old: Record | None) -> Record:
    """A changed document becomes the policy's new default version (the previous one deleted); a new name or path
    replaces the policy."""
    known(props, _MANAGED)
    require(props, "PolicyDocument")
    _no_groups(props)
    name = props.get("ManagedPolicyName") or target.default_name(128)
    text = _text(props["PolicyDocument"], "PolicyDocument")
    roles, users = _names(props, "Roles"), _names(props, "Users")
    arn = f"arn:aws:iam::{target.account}:policy{props.get('Path', '/')}{name}"
    if old is not None and old.id != arn:
        if not target.retain_replaced:
            await remove_managed_policy(planes, old)
        old = None
    if old is None:
        params = {"PolicyName": name, "PolicyDocument": text, "Path": props.get("Path", "/")}
        if props.get("Description"):
            params["Description"] = props["Description"]
        arn = (await planes.iam("CreatePolicy", params))["Policy"]["Arn"]
    else:
        previous = (await planes.iam("GetPolicy", {"PolicyArn": arn}))["Policy"]["DefaultVersionId"]
        await planes.iam("CreatePolicyVersion", {"PolicyArn": arn, "PolicyDocument": text, "SetAsDefault": True})
        await _quietly(planes, "DeletePolicyVersion", {"PolicyArn": arn, "VersionId": previous})
        for gone in set(old.attrs.get("Roles", [])) - set(roles):
            await _quietly(planes, "DetachRolePolicy", {"RoleName": gone, "PolicyArn": arn})
        for gone in set(old.attrs.get("Users", [])) - set(users):
            await _quietly(planes, "DetachUserPolicy", {"UserName": gone, "PolicyArn": arn})
    for role_name in roles:
        await planes.iam("AttachRolePolicy", {"RoleName": role_name, "PolicyArn": arn})
    for user in users:
        await planes.iam("AttachUserPolicy", {"UserName": user, "PolicyArn": arn})
    return Record(target.type, arn, {"PolicyArn": arn, "Roles": roles, "Users": users},
                  probe=["iam", "GetPolicy", {"PolicyArn": arn}])


@removes("AWS::IAM::ManagedPolicy")
async def remove_managed_policy(planes: Planes, record: Record) -> None:
    arn = record.id
    for role_name in record.attrs.get("Roles", []):
        await _quietly(planes, "DetachRolePolicy", {"RoleName": role_name, "PolicyArn": arn})
    for user in record.attrs.get("Users", []):
        await _quietly(planes, "DetachUserPolicy", {"UserName": user, "PolicyArn": arn})
    try:
        versions = (await planes.iam("ListPolicyVersions", {"PolicyArn": arn}))["Versions"]
    except ServiceError as err:
        if err.code in NOT_FOUND:
            return
        raise
    for version in versions:
        if not version["IsDefaultVersion"]:
            await _quietly(planes, "DeletePolicyVersion", {"PolicyArn": arn, "VersionId": version["VersionId"]})
    await _quietly(planes, "DeletePolicy", {"PolicyArn": arn})
