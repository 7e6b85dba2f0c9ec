"""sts:GetCallerIdentity and sts:AssumeRoleWithWebIdentity over boto3's sts client (query protocol, XML)."""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from tests.support import Server

from .conftest import UserPool, identity_client, role_arn, signed_get


def _sts(url: str, **credentials: str) -> Any:
    keys = credentials or {"aws_access_key_id": "AKIDTEST", "aws_secret_access_key": "secret"}
    return boto3.client("sts", endpoint_url=url, region_name="us-east-1", config=Config(retries={"max_attempts": 0}),
                        **keys)


def _open_id_token(server: Server, user_pool: UserPool) -> tuple[str, str, str]:
    client = identity_client(server.url)
    pool_id = client.create_identity_pool(
        IdentityPoolName="basic", AllowUnauthenticatedIdentities=False, AllowClassicFlow=True,
        CognitoIdentityProviders=[{"ProviderName": user_pool.provider}])["IdentityPoolId"]
    logins = {user_pool.provider: user_pool.sign_in("alice")}
    identity_id = client.get_id(IdentityPoolId=pool_id, Logins=logins)["IdentityId"]
    return pool_id, identity_id, client.get_open_id_token(IdentityId=identity_id, Logins=logins)["Token"]


def test_basic_flow_open_id_token_then_assume_role(server: Server, user_pool: UserPool) -> None:
    pool_id, identity_id, token = _open_id_token(server, user_pool)
    sts = _sts(server.url)
    result = sts.assume_role_with_web_identity(RoleArn=role_arn("CognitoAuthRole"), RoleSessionName="web",
                                               WebIdentityToken=token)
    assert result["SubjectFromWebIdentityToken"] == identity_id
    assert result["Audience"] == pool_id
    assert result["AssumedRoleUser"]["Arn"] == "arn:aws:sts::000000000000:assumed-role/CognitoAuthRole/web"
    creds = result["Credentials"]
    assert creds["AccessKeyId"].startswith("ASIA")
    temporary = {"AccessKeyId": creds["AccessKeyId"], "SecretKey": creds["SecretAccessKey"],
                 "SessionToken": creds["SessionToken"]}
    response = signed_get(server, temporary, "allowed")
    assert response.status_code == 200, response.text
    identity = response.json()["identity"]
    assert identity["cognitoIdentityId"] == identity_id and identity["cognitoIdentityPoolId"] == pool_id
    assert identity["userArn"] == "arn:aws:sts::000000000000:assumed-role/CognitoAuthRole/web"
    assert signed_get(server, temporary, "forbidden").status_code == 403

    who = _sts(server.url, aws_access_key_id=creds["AccessKeyId"], aws_secret_access_key=creds["SecretAccessKey"],
               aws_session_token=creds["SessionToken"]).get_caller_identity()
    assert who["Arn"] == "arn:aws:sts::000000000000:assumed-role/CognitoAuthRole/web"
    assert who["Account"] == "000000000000" and who["UserId"].endswith(":web")


def test_assume_role_is_refused_when_the_trust_policy_does_not_allow(server: Server, user_pool: UserPool) -> None:
    _, _, token = _open_id_token(server, user_pool)
    sts = _sts(server.url)
    for role in ("OtherPoolRole", "UntrustedRole", "NotDeclaredRole", "CognitoGuestRole"):
        with pytest.raises(ClientError) as excinfo:
            sts.assume_role_with_web_identity(RoleArn=role_arn(role), RoleSessionName="web", WebIdentityToken=token)
        error = excinfo.value.response["Error"]
        assert (error["Code"], error["Message"]) == ("AccessDenied",
                                                     "Not authorized to perform sts:AssumeRoleWithWebIdentity")
        assert excinfo.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403
    with pytest.raises(ClientError) as excinfo:
        sts.assume_role_with_web_identity(RoleArn=role_arn("CognitoAuthRole"), RoleSessionName="web",
                                          WebIdentityToken=token[:-6] + "AAAAAA")
    assert excinfo.value.response["Error"]["Code"] == "InvalidIdentityToken"
    with pytest.raises(ClientError) as excinfo:
        sts.assume_role_with_web_identity(RoleArn=role_arn("CognitoAuthRole"), RoleSessionName="web",
                                          WebIdentityToken=token, DurationSeconds=7200)
    assert excinfo.value.response["Error"]["Code"] == "ValidationError"


def test_user_pool_id_token_needs_an_oidc_provider_trust(server: Server, user_pool: UserPool) -> None:
    """CognitoAuthRole trusts only cognito-identity.amazonaws.com: a user pool's ID token is refused."""
    with pytest.raises(ClientError) as excinfo:
        _sts(server.url).assume_role_with_web_identity(RoleArn=role_arn("CognitoAuthRole"), RoleSessionName="sess",
                                                       WebIdentityToken=user_pool.sign_in("alice"))
    assert excinfo.value.response["Error"]["Code"] == "AccessDenied"


def test_get_caller_identity_of_the_servers_credentials(server: Server) -> None:
    who = _sts(server.url).get_caller_identity()
    assert who == {**who, "Account": "000000000000", "Arn": "arn:aws:iam::000000000000:root"}


def test_signature_faults_are_named_as_query_services_name_them(server: Server, user_pool: UserPool) -> None:
    _, _, token = _open_id_token(server, user_pool)
    creds = _sts(server.url).assume_role_with_web_identity(RoleArn=role_arn("CognitoAuthRole"), RoleSessionName="web",
                                                            WebIdentityToken=token)["Credentials"]
    wrong = _sts(server.url, aws_access_key_id=creds["AccessKeyId"], aws_secret_access_key="x" * 40,
                 aws_session_token=creds["SessionToken"])
    with pytest.raises(ClientError) as excinfo:
        wrong.get_caller_identity()
    assert excinfo.value.response["Error"]["Code"] == "SignatureDoesNotMatch"
    assert excinfo.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403
    no_token = _sts(server.url, aws_access_key_id=creds["AccessKeyId"], aws_secret_access_key=creds["SecretAccessKey"])
    with pytest.raises(ClientError) as excinfo:
        no_token.get_caller_identity()
    assert excinfo.value.response["Error"] == {**excinfo.value.response["Error"], "Code": "InvalidClientTokenId",
                                               "Message": "The security token included in the request is invalid."}
