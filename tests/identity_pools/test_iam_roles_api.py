"""The IAM API's role calls over boto3's iam client (query protocol, XML), and a role made through it serving an
identity pool: its trust policy lets the identity in, its inline policy decides the AWS_IAM method."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from tests.support import Server

from .conftest import ACCOUNT, API, UserPool, alice_credentials, identity_client, signed_get, trust


def _iam(url: str) -> Any:
    return boto3.client("iam", endpoint_url=url, region_name="us-east-1", aws_access_key_id="AKIDTEST",
                        aws_secret_access_key="secret", config=Config(retries={"max_attempts": 0}))


def _error(excinfo: pytest.ExceptionInfo[ClientError]) -> tuple[str, str, int]:
    response = excinfo.value.response
    return response["Error"]["Code"], response["Error"]["Message"], response["ResponseMetadata"]["HTTPStatusCode"]


def test_role_and_inline_policy_lifecycle(server: Server) -> None:
    iam = _iam(server.url)
    created = iam.create_role(RoleName="ApiMadeRole", AssumeRolePolicyDocument=json.dumps(trust()),
                              Description="made through the API")["Role"]
    assert created["Arn"] == f"arn:aws:iam::{ACCOUNT}:role/ApiMadeRole"
    assert created["RoleId"].startswith("AROA")
    role = iam.get_role(RoleName="ApiMadeRole")["Role"]
    assert role["AssumeRolePolicyDocument"] == trust()  # botocore decodes IAM's URL-encoded documents
    assert role["MaxSessionDuration"] == 3600
    with pytest.raises(ClientError) as excinfo:
        iam.create_role(RoleName="apimaderole", AssumeRolePolicyDocument=json.dumps(trust()))
    assert _error(excinfo) == ("EntityAlreadyExists", "Role with name apimaderole already exists.", 409)
    with pytest.raises(ClientError) as excinfo:  # declared in poolgate.yaml
        iam.create_role(RoleName="CognitoAuthRole", AssumeRolePolicyDocument=json.dumps(trust()))
    assert _error(excinfo)[0] == "EntityAlreadyExists"
    document = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "execute-api:Invoke",
                                                        "Resource": "*"}]}
    iam.put_role_policy(RoleName="ApiMadeRole", PolicyName="invoke", PolicyDocument=json.dumps(document))
    assert iam.get_role_policy(RoleName="ApiMadeRole", PolicyName="invoke")["PolicyDocument"] == document
    assert iam.list_role_policies(RoleName="ApiMadeRole")["PolicyNames"] == ["invoke"]
    with pytest.raises(ClientError) as excinfo:
        iam.delete_role(RoleName="ApiMadeRole")
    assert _error(excinfo) == ("DeleteConflict", "Cannot delete entity, must delete policies first.", 409)
    iam.delete_role_policy(RoleName="ApiMadeRole", PolicyName="invoke")
    iam.delete_role(RoleName="ApiMadeRole")
    with pytest.raises(ClientError) as excinfo:
        iam.get_role(RoleName="ApiMadeRole")
    assert _error(excinfo) == ("NoSuchEntity", "The role with name ApiMadeRole cannot be found.", 404)


def test_malformed_documents_are_refused(server: Server) -> None:
    iam = _iam(server.url)
    for document in ("{not json", json.dumps({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "sts:AssumeRoleWithWebIdentity"}]})):  # a trust policy names principals
        with pytest.raises(ClientError) as excinfo:
            iam.create_role(RoleName="Malformed", AssumeRolePolicyDocument=document)
        assert _error(excinfo)[0] == "MalformedPolicyDocument"
    iam.create_role(RoleName="Malformed2", AssumeRolePolicyDocument=json.dumps(trust()))
    with pytest.raises(ClientError) as excinfo:  # an inline policy names no principal
        iam.put_role_policy(RoleName="Malformed2", PolicyName="p", PolicyDocument=json.dumps(trust()))
    assert _error(excinfo)[0] == "MalformedPolicyDocument"
    allow = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "execute-api:Invoke",
                                                     "Resource": "*"}]}
    with pytest.raises(ClientError) as excinfo:
        iam.put_role_policy(RoleName="Nobody", PolicyName="p", PolicyDocument=json.dumps(allow))
    assert _error(excinfo) == ("NoSuchEntity", "The role with name Nobody cannot be found.", 404)


def test_concurrent_create_role_makes_one_role(server: Server) -> None:
    def create(i: int) -> str:
        try:
            _iam(server.url).create_role(RoleName="RacedRole" if i % 2 else "racedrole",
                                         AssumeRolePolicyDocument=json.dumps(trust()))
            return "created"
        except ClientError as err:
            return str(err.response["Error"]["Code"])

    with ThreadPoolExecutor(16) as pool:
        outcomes = list(pool.map(create, range(32)))
    assert outcomes.count("created") == 1
    assert set(outcomes) == {"created", "EntityAlreadyExists"}


def test_a_role_made_through_the_api_serves_an_identity_pool(server: Server, user_pool: UserPool) -> None:
    iam = _iam(server.url)
    arn = iam.create_role(RoleName="ApiIdentityRole", AssumeRolePolicyDocument=json.dumps(trust()))["Role"]["Arn"]
    _, credentials = alice_credentials(identity_client(server.url), user_pool, arn, "api-role")
    assert signed_get(server, credentials, "forbidden").status_code == 403  # no permission policy yet
    iam.put_role_policy(RoleName="ApiIdentityRole", PolicyName="forbidden-too", PolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "execute-api:Invoke",
                                                "Resource": f"arn:aws:execute-api:*:*:{API}/*/GET/forbidden"}]}))
    assert signed_get(server, credentials, "forbidden").status_code == 200  # the same credentials, the new policy


def test_a_managed_policy_attached_to_the_role_decides_too(server: Server, user_pool: UserPool) -> None:
    """The role's temporary credentials are decided by its attached managed policies as by its inline ones."""
    iam = _iam(server.url)
    arn = iam.create_role(RoleName="ManagedRole", AssumeRolePolicyDocument=json.dumps(trust()))["Role"]["Arn"]
    _, credentials = alice_credentials(identity_client(server.url), user_pool, arn, "managed-role")
    assert signed_get(server, credentials, "forbidden").status_code == 403
    policy = iam.create_policy(PolicyName="ForbiddenToo", PolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "execute-api:Invoke",
                                                "Resource": f"arn:aws:execute-api:*:*:{API}/*/GET/forbidden"}]})
    )["Policy"]["Arn"]
    iam.attach_role_policy(RoleName="ManagedRole", PolicyArn=policy)
    assert iam.list_attached_role_policies(RoleName="ManagedRole")["AttachedPolicies"] == [
        {"PolicyName": "ForbiddenToo", "PolicyArn": policy}]
    assert signed_get(server, credentials, "forbidden").status_code == 200
    iam.detach_role_policy(RoleName="ManagedRole", PolicyArn=policy)
    assert signed_get(server, credentials, "forbidden").status_code == 403
