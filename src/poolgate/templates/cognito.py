"""``AWS::Cognito::UserPool``, ``UserPoolClient``, ``UserPoolGroup``, ``UserPoolDomain``,
``UserPoolResourceServer`` through the cognito-idp operations. CloudFormation's properties are the
operations' members (https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-cognito-userpool.html)
but for ``UserPoolName`` (``PoolName``); what cannot change after creation (the schema, the sign-in
attributes) is left out of the update, as CloudFormation would replace the pool (poolgate keeps it: its users
stay)."""

from __future__ import annotations

from typing import Any

from .kinds import PropertyError, Record, Target, applies, known, require
from .planes import Planes, members

_POOL_ONLY_AT_CREATION = {"PoolName", "Schema", "AliasAttributes", "UsernameAttributes", "UsernameConfiguration"}
_POOL_IGNORED = {"EnabledMfas"}
"""Set with SetUserPoolMfaConfig, not CreateUserPool; accepted and not applied (UNCONFIRMED need)."""


def _arn(target: Target, pool_id: str) -> str:
    return f"arn:aws:cognito-idp:{target.region}:{target.account}:userpool/{pool_id}"


@applies("AWS::Cognito::UserPool")
async def user_pool(planes: Planes, target: Target, props: dict[str, Any], old: Record | None) -> Record:
    params = {("PoolName" if key == "UserPoolName" else key): value for key, value in props.items()
              if key not in _POOL_IGNORED}
    params.setdefault("PoolName", target.default_name(128))
    known(params, members("cognito", "CreateUserPool"))
    if old is None:
        pool = (await planes.cognito("CreateUserPool", params))["UserPool"]
        pool_id = pool["Id"]
    else:
        pool_id = old.id
        allowed = members("cognito", "UpdateUserPool")
        update = {k: v for k, v in params.items() if k in allowed and k not in _POOL_ONLY_AT_CREATION}
        await planes.cognito("UpdateUserPool", {**update, "UserPoolId": pool_id})
    provider = f"cognito-idp.{target.region}.amazonaws.com/{pool_id}"
    return Record(target.type, pool_id, {"Arn": _arn(target, pool_id), "ProviderName": provider,
                                         "ProviderURL": f"https://{provider}", "UserPoolId": pool_id},
                  probe=["cognito", "DescribeUserPool", {"UserPoolId": pool_id}])


@applies("AWS::Cognito::UserPoolClient")
async def client(planes: Planes, target: Target, props: dict[str, Any], old: Record | None) -> Record:
    require(props, "UserPoolId")
    params = dict(props)
    params.setdefault("ClientName", target.logical)
    known(params, members("cognito", "CreateUserPoolClient"))
    pool_id = params["UserPoolId"]
    if old is None or old.attrs.get("UserPoolId") != pool_id:
        created = (await planes.cognito("CreateUserPoolClient", params))["UserPoolClient"]
    else:
        update = {k: v for k, v in params.items() if k != "GenerateSecret"}
        created = (await planes.cognito("UpdateUserPoolClient", {**update, "ClientId": old.id}))["UserPoolClient"]
    client_id = created["ClientId"]
    attrs = {"Name": created.get("ClientName", ""), "UserPoolId": pool_id, "ClientId": client_id}
    if created.get("ClientSecret"):
        attrs["ClientSecret"] = created["ClientSecret"]
    return Record(target.type, client_id, attrs,
                  probe=["cognito", "DescribeUserPoolClient", {"UserPoolId": pool_id, "ClientId": client_id}])


@applies("AWS::Cognito::UserPoolGroup")
async def group(planes: Planes, target: Target, props: dict[str, Any], old: Record | None) -> Record:
    require(props, "UserPoolId")
    params = dict(props)
    params.setdefault("GroupName", target.default_name(128))
    known(params, members("cognito", "CreateGroup"))
    if old is not None and old.id == params["GroupName"] and old.attrs.get("UserPoolId") == params["UserPoolId"]:
        await planes.cognito("UpdateGroup", params)
    else:
        await planes.cognito("CreateGroup", params)
    probe = ["cognito", "GetGroup", {"UserPoolId": params["UserPoolId"], "GroupName": params["GroupName"]}]
    return Record(target.type, params["GroupName"], {"UserPoolId": params["UserPoolId"]}, probe=probe)


@applies("AWS::Cognito::UserPoolDomain")
async def domain(planes: Planes, target: Target, props: dict[str, Any], old: Record | None) -> Record:
    require(props, "Domain", "UserPoolId")
    known(props, members("cognito", "CreateUserPoolDomain"))
    described = (await planes.cognito("DescribeUserPoolDomain", {"Domain": props["Domain"]}))["DomainDescription"]
    if described.get("UserPoolId") != props["UserPoolId"]:
        if described.get("UserPoolId"):
            raise PropertyError("Domain", f"{props['Domain']} is the domain of user pool {described['UserPoolId']}")
        await planes.cognito("CreateUserPoolDomain", props)
    # DescribeUserPoolDomain answers an empty description for a domain no pool has (AWS does the same).
    return Record(target.type, props["Domain"], {"CloudFrontDistribution": f"{props['Domain']}.poolgate.local",
                                                 "UserPoolId": props["UserPoolId"]}, probe=None)


@applies("AWS::Cognito::UserPoolResourceServer")
async def resource_server(planes: Planes, target: Target, props: dict[str, Any], old: Record | None) -> Record:
    require(props, "UserPoolId", "Identifier", "Name")
    known(props, members("cognito", "CreateResourceServer"))
    same = old is not None and old.id == props["Identifier"] and old.attrs.get("UserPoolId") == props["UserPoolId"]
    await planes.cognito("UpdateResourceServer" if same else "CreateResourceServer", props)
    probe = ["cognito", "DescribeResourceServer", {"UserPoolId": props["UserPoolId"],
                                                   "Identifier": props["Identifier"]}]
    return Record(target.type, props["Identifier"], {"UserPoolId": props["UserPoolId"]}, probe=probe)
