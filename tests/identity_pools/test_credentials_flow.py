"""User-pool sign-in → GetId → GetCredentialsForIdentity → SigV4-signed calls to AWS_IAM methods (issue 16)."""

from __future__ import annotations

import time
from typing import Any

import pytest
import requests
from botocore.exceptions import ClientError

from tests.support import Server

from .conftest import TTL, UserPool, identity_client, role_arn, signed_get


def _identity_pool(client: Any, user_pool: UserPool, **extra: Any) -> str:
    return str(client.create_identity_pool(
        IdentityPoolName="federated", AllowUnauthenticatedIdentities=extra.pop("guests", False),
        CognitoIdentityProviders=[{"ProviderName": user_pool.provider, "ClientId": user_pool.client_id}],
        **extra)["IdentityPoolId"])


def _credentials(client: Any, pool_id: str, logins: dict[str, str] | None = None) -> tuple[str, dict[str, Any]]:
    identity_id = client.get_id(IdentityPoolId=pool_id, **({"Logins": logins} if logins else {}))["IdentityId"]
    result = client.get_credentials_for_identity(IdentityId=identity_id, **({"Logins": logins} if logins else {}))
    return str(identity_id), result["Credentials"]


def _error(excinfo: pytest.ExceptionInfo[ClientError]) -> tuple[str, str]:
    error = excinfo.value.response["Error"]
    return error["Code"], error["Message"]


def test_signed_in_user_gets_credentials_of_the_authenticated_role(server: Server, user_pool: UserPool) -> None:
    client = identity_client(server.url)
    pool_id = _identity_pool(client, user_pool)
    client.set_identity_pool_roles(IdentityPoolId=pool_id, Roles={"authenticated": role_arn("CognitoAuthRole")})
    logins = {user_pool.provider: user_pool.sign_in("alice")}
    identity_id, credentials = _credentials(client, pool_id, logins)
    assert identity_id.startswith("us-east-1:")
    assert credentials["AccessKeyId"].startswith("ASIA") and len(credentials["AccessKeyId"]) == 20
    assert credentials["SecretKey"] and credentials["SessionToken"]
    # The same user is the same identity, also with a fresh token.
    again = client.get_id(IdentityPoolId=pool_id, Logins={user_pool.provider: user_pool.sign_in("alice")})
    assert again["IdentityId"] == identity_id

    allowed = signed_get(server, credentials, "allowed")
    assert allowed.status_code == 200, allowed.text
    identity = allowed.json()["identity"]
    sub = user_pool.idp.admin_get_user(UserPoolId=user_pool.pool_id, Username="alice")["UserAttributes"]
    sub = next(a["Value"] for a in sub if a["Name"] == "sub")
    assert identity["cognitoIdentityId"] == identity_id
    assert identity["cognitoIdentityPoolId"] == pool_id
    assert identity["cognitoAuthenticationType"] == "authenticated"
    assert identity["cognitoAuthenticationProvider"] == (
        f"{user_pool.provider},{user_pool.provider}:CognitoSignIn:{sub}")
    assert identity["accessKey"] == credentials["AccessKeyId"]
    assert identity["userArn"] == "arn:aws:sts::000000000000:assumed-role/CognitoAuthRole/CognitoIdentityCredentials"
    assert identity["caller"].startswith("AROA") and identity["caller"].endswith(":CognitoIdentityCredentials")

    forbidden = signed_get(server, credentials, "forbidden")
    assert forbidden.status_code == 403, forbidden.text
    assert forbidden.json() == {"Message": (
        "User: arn:aws:sts::000000000000:assumed-role/CognitoAuthRole/CognitoIdentityCredentials is not authorized "
        "to perform: execute-api:Invoke on resource: arn:aws:execute-api:us-east-1:********0000:idpoolapi1/prod/"
        "GET/forbidden")}


def test_expired_credentials_are_refused(server: Server, user_pool: UserPool) -> None:
    client = identity_client(server.url)
    pool_id = _identity_pool(client, user_pool)
    client.set_identity_pool_roles(IdentityPoolId=pool_id, Roles={"authenticated": role_arn("CognitoAuthRole")})
    _, credentials = _credentials(client, pool_id, {user_pool.provider: user_pool.sign_in("alice")})
    assert signed_get(server, credentials, "allowed").status_code == 200
    time.sleep(TTL + 0.5)
    expired = signed_get(server, credentials, "allowed")
    assert expired.status_code == 403
    assert expired.json() == {"message": "The security token included in the request is expired"}
    assert expired.headers["x-amzn-ErrorType"] == "ExpiredTokenException"


def test_session_token_must_be_the_one_issued(server: Server, user_pool: UserPool) -> None:
    client = identity_client(server.url)
    pool_id = _identity_pool(client, user_pool)
    client.set_identity_pool_roles(IdentityPoolId=pool_id, Roles={"authenticated": role_arn("CognitoAuthRole")})
    _, credentials = _credentials(client, pool_id, {user_pool.provider: user_pool.sign_in("alice")})
    forged = {**credentials, "SessionToken": credentials["SessionToken"][:-4] + "AAAA"}
    response = signed_get(server, forged, "allowed")
    assert response.status_code == 403
    assert response.json() == {"message": "The security token included in the request is invalid."}
    assert response.headers["x-amzn-ErrorType"] == "UnrecognizedClientException"
    wrong_secret = {**credentials, "SecretKey": "x" * 40}
    assert signed_get(server, wrong_secret, "allowed").status_code == 403


@pytest.mark.parametrize("mapping", ["Token", "Rules"])
def test_role_mapping_by_group(server: Server, user_pool: UserPool, mapping: str) -> None:
    idp = user_pool.idp
    idp.create_group(UserPoolId=user_pool.pool_id, GroupName="admins", RoleArn=role_arn("CognitoAdminRole"),
                     Precedence=1)
    user_pool.add_user("bob")
    idp.admin_add_user_to_group(UserPoolId=user_pool.pool_id, Username="bob", GroupName="admins")
    client = identity_client(server.url)
    pool_id = _identity_pool(client, user_pool)
    rule = {"Type": mapping, "AmbiguousRoleResolution": "AuthenticatedRole"}
    if mapping == "Rules":
        rule["RulesConfiguration"] = {"Rules": [{"Claim": "cognito:groups", "MatchType": "Contains",
                                                 "Value": "admins", "RoleARN": role_arn("CognitoAdminRole")}]}
    client.set_identity_pool_roles(IdentityPoolId=pool_id, Roles={"authenticated": role_arn("CognitoAuthRole")},
                                   RoleMappings={user_pool.provider: rule})
    roles = client.get_identity_pool_roles(IdentityPoolId=pool_id)
    assert roles["RoleMappings"][user_pool.provider]["Type"] == mapping

    _, bob = _credentials(client, pool_id, {user_pool.provider: user_pool.sign_in("bob")})
    admin = signed_get(server, bob, "admin")
    assert admin.status_code == 200, admin.text
    assert "/CognitoAdminRole/" in admin.json()["identity"]["userArn"]
    _, alice = _credentials(client, pool_id, {user_pool.provider: user_pool.sign_in("alice")})
    assert signed_get(server, alice, "admin").status_code == 403  # not in the group: the default role
    assert signed_get(server, alice, "allowed").status_code == 200


def test_ambiguous_role_resolution_deny(server: Server, user_pool: UserPool) -> None:
    client = identity_client(server.url)
    pool_id = _identity_pool(client, user_pool)
    client.set_identity_pool_roles(IdentityPoolId=pool_id, Roles={"authenticated": role_arn("CognitoAuthRole")},
                                   RoleMappings={user_pool.provider: {"Type": "Token",
                                                                      "AmbiguousRoleResolution": "Deny"}})
    logins = {user_pool.provider: user_pool.sign_in("alice")}
    identity_id = client.get_id(IdentityPoolId=pool_id, Logins=logins)["IdentityId"]
    with pytest.raises(ClientError) as excinfo:
        client.get_credentials_for_identity(IdentityId=identity_id, Logins=logins)
    assert _error(excinfo) == ("NotAuthorizedException", "The ambiguous role mapping rules denied this request.")


def test_unauthenticated_identities(server: Server, user_pool: UserPool) -> None:
    client = identity_client(server.url)
    pool_id = _identity_pool(client, user_pool, guests=True)
    client.set_identity_pool_roles(IdentityPoolId=pool_id, Roles={"authenticated": role_arn("CognitoAuthRole"),
                                                                  "unauthenticated": role_arn("CognitoGuestRole")})
    identity_id, credentials = _credentials(client, pool_id)
    public = signed_get(server, credentials, "public")
    assert public.status_code == 200, public.text
    identity = public.json()["identity"]
    assert identity["cognitoAuthenticationType"] == "unauthenticated"
    assert identity["cognitoIdentityId"] == identity_id
    assert identity["cognitoAuthenticationProvider"] is None
    assert signed_get(server, credentials, "allowed").status_code == 403

    closed = _identity_pool(client, user_pool)
    with pytest.raises(ClientError) as excinfo:
        client.get_id(IdentityPoolId=closed)
    # AWS's words: amazon-archives/samljs-serverless-sample#3 (x-amzn-ErrorMessage), aws/aws-sdk-js-v3#3113.
    assert _error(excinfo) == ("NotAuthorizedException",
                               "Unauthenticated access is not supported for this identity pool.")


@pytest.mark.parametrize("role", ["OtherPoolRole", "UntrustedRole", "CognitoGuestRole", "NotDeclaredRole"])
def test_the_roles_trust_policy_must_let_the_identity_in(server: Server, user_pool: UserPool, role: str) -> None:
    """OtherPoolRole trusts another identity pool (aud), UntrustedRole has no trust policy, CognitoGuestRole trusts
    only unauthenticated identities; a role not declared cannot be assumed at all."""
    client = identity_client(server.url)
    pool_id = _identity_pool(client, user_pool)
    client.set_identity_pool_roles(IdentityPoolId=pool_id, Roles={"authenticated": role_arn(role)})
    logins = {user_pool.provider: user_pool.sign_in("alice")}
    identity_id = client.get_id(IdentityPoolId=pool_id, Logins=logins)["IdentityId"]
    with pytest.raises(ClientError) as excinfo:  # AWS's answer to a refusing trust policy (rolemap.NO_ROLE)
        client.get_credentials_for_identity(IdentityId=identity_id, Logins=logins)
    assert _error(excinfo) == ("InvalidIdentityPoolConfigurationException",
                               "Invalid identity pool configuration. Check assigned IAM roles for this pool.")


def test_presigned_request_carries_the_session_token_in_its_query(server: Server, user_pool: UserPool) -> None:
    from botocore.auth import SigV4QueryAuth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    client = identity_client(server.url)
    pool_id = _identity_pool(client, user_pool)
    client.set_identity_pool_roles(IdentityPoolId=pool_id, Roles={"authenticated": role_arn("CognitoAuthRole")})
    _, credentials = _credentials(client, pool_id, {user_pool.provider: user_pool.sign_in("alice")})
    url = f"{server.url}/restapis/idpoolapi1/prod/_user_request_/allowed"
    request = AWSRequest(method="GET", url=url)
    SigV4QueryAuth(Credentials(credentials["AccessKeyId"], credentials["SecretKey"], credentials["SessionToken"]),
                   "execute-api", "us-east-1", expires=60).add_auth(request)
    assert "X-Amz-Security-Token=" in request.url
    response = requests.get(request.url, timeout=30)
    assert response.status_code == 200, response.text
    assert response.json()["identity"]["cognitoAuthenticationType"] == "authenticated"
