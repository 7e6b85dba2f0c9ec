"""The identity-pool operations and identities over boto3: shapes, AWS's error texts (each with its source or
marked UNCONFIRMED), bad input, and GetId racing for one login."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.support import Server

from .conftest import UserPool, identity_client, role_arn

MISSING = "us-east-1:aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee"


def _error(excinfo: pytest.ExceptionInfo[ClientError]) -> tuple[str, str]:
    error = excinfo.value.response["Error"]
    return error["Code"], error["Message"]


def _pool(client: Any, user_pool: UserPool, **extra: Any) -> str:
    return str(client.create_identity_pool(
        IdentityPoolName="ops", AllowUnauthenticatedIdentities=True,
        CognitoIdentityProviders=[{"ProviderName": user_pool.provider, "ClientId": user_pool.client_id}],
        **extra)["IdentityPoolId"])


def test_pool_lifecycle(server: Server, user_pool: UserPool) -> None:
    client = identity_client(server.url)
    created = client.create_identity_pool(IdentityPoolName="life cycle", AllowUnauthenticatedIdentities=False,
                                          SupportedLoginProviders={"graph.facebook.com": "123"},
                                          IdentityPoolTags={"team": "a"})
    pool_id = created["IdentityPoolId"]
    assert pool_id.startswith("us-east-1:")
    described = client.describe_identity_pool(IdentityPoolId=pool_id)
    assert described["IdentityPoolName"] == "life cycle"
    assert described["AllowUnauthenticatedIdentities"] is False
    assert described["AllowClassicFlow"] is False
    assert described["SupportedLoginProviders"] == {"graph.facebook.com": "123"}
    assert described["IdentityPoolTags"] == {"team": "a"}
    updated = client.update_identity_pool(IdentityPoolId=pool_id, IdentityPoolName="renamed",
                                          AllowUnauthenticatedIdentities=True)
    assert updated["IdentityPoolName"] == "renamed" and "SupportedLoginProviders" not in updated
    names = {p["IdentityPoolId"]: p["IdentityPoolName"]
             for p in client.list_identity_pools(MaxResults=60)["IdentityPools"]}
    assert names[pool_id] == "renamed"
    assert client.get_identity_pool_roles(IdentityPoolId=pool_id)["Roles"] == {}
    client.delete_identity_pool(IdentityPoolId=pool_id)
    with pytest.raises(ClientError) as excinfo:
        client.describe_identity_pool(IdentityPoolId=pool_id)
    assert _error(excinfo) == ("ResourceNotFoundException", f"IdentityPool '{pool_id}' not found.")


def test_list_identity_pools_pages(server: Server) -> None:
    client = identity_client(server.url)
    made = {client.create_identity_pool(IdentityPoolName=f"page{i}", AllowUnauthenticatedIdentities=True
                                        )["IdentityPoolId"] for i in range(3)}
    seen: list[str] = []
    kwargs: dict[str, Any] = {"MaxResults": 2}
    while True:
        page = client.list_identity_pools(**kwargs)
        assert len(page["IdentityPools"]) <= 2
        seen += [p["IdentityPoolId"] for p in page["IdentityPools"]]
        if "NextToken" not in page:
            break
        kwargs["NextToken"] = page["NextToken"]
    assert made <= set(seen) and len(seen) == len(set(seen))
    with pytest.raises(ClientError) as excinfo:
        client.list_identity_pools(MaxResults=2, NextToken="garbage")
    assert _error(excinfo)[0] == "InvalidParameterException"


def test_not_found_texts(server: Server) -> None:
    client = identity_client(server.url)
    # aws-sdk-go awstesting/integration/smoke/cognitoidentity/cognitoidentity.feature (run against AWS):
    # "IdentityPool 'us-east-1:aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee' not found".
    for call in (lambda: client.describe_identity_pool(IdentityPoolId=MISSING),
                 lambda: client.get_id(IdentityPoolId=MISSING),
                 lambda: client.get_identity_pool_roles(IdentityPoolId=MISSING),
                 lambda: client.list_identities(IdentityPoolId=MISSING, MaxResults=10)):
        with pytest.raises(ClientError) as excinfo:
            call()
        assert _error(excinfo) == ("ResourceNotFoundException", f"IdentityPool '{MISSING}' not found.")
    with pytest.raises(ClientError) as excinfo:  # UNCONFIRMED wording
        client.describe_identity(IdentityId=MISSING)
    assert _error(excinfo) == ("ResourceNotFoundException", f"Identity '{MISSING}' not found.")
    with pytest.raises(ClientError) as excinfo:
        client.get_credentials_for_identity(IdentityId=MISSING)
    assert _error(excinfo)[0] == "ResourceNotFoundException"


def test_bad_input_is_refused_by_the_model(server: Server) -> None:
    client = identity_client(server.url, parameter_validation=False)
    for kwargs in ({"IdentityPoolName": "", "AllowUnauthenticatedIdentities": True},
                   {"IdentityPoolName": "bad/name", "AllowUnauthenticatedIdentities": True},
                   {"IdentityPoolName": "x" * 129, "AllowUnauthenticatedIdentities": True}):
        with pytest.raises(ClientError) as excinfo:
            client.create_identity_pool(**kwargs)
        assert _error(excinfo)[0] == "InvalidParameterException"
    pool_id = client.create_identity_pool(IdentityPoolName="roles", AllowUnauthenticatedIdentities=True
                                          )["IdentityPoolId"]
    with pytest.raises(ClientError) as excinfo:  # RoleType's pattern is (un)?authenticated
        client.set_identity_pool_roles(IdentityPoolId=pool_id, Roles={"admin": role_arn("CognitoAuthRole")})
    assert _error(excinfo)[0] == "InvalidParameterException"
    with pytest.raises(ClientError) as excinfo:  # a mapping for a provider the pool does not have
        client.set_identity_pool_roles(IdentityPoolId=pool_id, Roles={}, RoleMappings={
            "cognito-idp.us-east-1.amazonaws.com/us-east-1_nothere": {"Type": "Token",
                                                                      "AmbiguousRoleResolution": "Deny"}})
    assert _error(excinfo)[0] == "InvalidParameterException"


def test_identities_are_listed_described_and_deleted(server: Server, user_pool: UserPool) -> None:
    client = identity_client(server.url)
    pool_id = _pool(client, user_pool)
    signed_in = client.get_id(IdentityPoolId=pool_id, Logins={user_pool.provider: user_pool.sign_in("alice")}
                              )["IdentityId"]
    guest = client.get_id(IdentityPoolId=pool_id)["IdentityId"]
    assert client.get_id(IdentityPoolId=pool_id)["IdentityId"] != guest  # each guest GetId is a new identity
    described = client.describe_identity(IdentityId=signed_in)
    assert described["Logins"] == [user_pool.provider]
    assert client.describe_identity(IdentityId=guest)["Logins"] == []
    listed = client.list_identities(IdentityPoolId=pool_id, MaxResults=60)
    assert listed["IdentityPoolId"] == pool_id
    assert {signed_in, guest} <= {i["IdentityId"] for i in listed["Identities"]}
    assert client.delete_identities(IdentityIdsToDelete=[signed_in, MISSING])["UnprocessedIdentityIds"] == []
    with pytest.raises(ClientError):
        client.describe_identity(IdentityId=signed_in)
    again = client.get_id(IdentityPoolId=pool_id, Logins={user_pool.provider: user_pool.sign_in("alice")})
    assert again["IdentityId"] != signed_in  # the login made a new identity


def test_login_errors(server: Server, user_pool: UserPool) -> None:
    client = identity_client(server.url)
    pool_id = _pool(client, user_pool)
    token = user_pool.sign_in("alice")
    cases = [
        # a provider the identity pool does not list (aws-amplify/amplify-flutter#851, aws-amplify/amplify-js#2067)
        ({"cognito-idp.us-east-1.amazonaws.com/us-east-1_Other0000": token},
         "Token is not from a supported provider of this identity pool."),
        # a token signed by nobody we know (UNCONFIRMED wording)
        ({user_pool.provider: token[:-8] + "AAAAAAAA"},
         "Invalid login token. Not a valid OpenId Connect identity token."),
        ({user_pool.provider: "not-a-jwt"}, "Invalid login token. Not a valid OpenId Connect identity token."),
    ]
    for logins, message in cases:
        with pytest.raises(ClientError) as excinfo:
            client.get_id(IdentityPoolId=pool_id, Logins=logins)
        assert _error(excinfo) == ("NotAuthorizedException", message)
    access = user_pool.idp.initiate_auth(ClientId=user_pool.client_id, AuthFlow="USER_PASSWORD_AUTH",
                                         AuthParameters={"USERNAME": "alice", "PASSWORD": "Passw0rd!x"}
                                         )["AuthenticationResult"]["AccessToken"]
    with pytest.raises(ClientError) as excinfo:  # an access token is not an identity token
        client.get_id(IdentityPoolId=pool_id, Logins={user_pool.provider: access})
    assert _error(excinfo)[0] == "NotAuthorizedException"
    other_client = user_pool.idp.create_user_pool_client(UserPoolId=user_pool.pool_id, ClientName="other",
                                                         ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH",
                                                                            "ALLOW_REFRESH_TOKEN_AUTH"])
    other_id = other_client["UserPoolClient"]["ClientId"]
    other_token = user_pool.idp.initiate_auth(ClientId=other_id, AuthFlow="USER_PASSWORD_AUTH",
                                              AuthParameters={"USERNAME": "alice", "PASSWORD": "Passw0rd!x"}
                                              )["AuthenticationResult"]["IdToken"]
    with pytest.raises(ClientError) as excinfo:  # aud is not the provider's ClientId (UNCONFIRMED wording)
        client.get_id(IdentityPoolId=pool_id, Logins={user_pool.provider: other_token})
    assert _error(excinfo) == ("NotAuthorizedException", "Invalid login token. Incorrect token audience.")


def test_credentials_need_the_identitys_login(server: Server, user_pool: UserPool) -> None:
    client = identity_client(server.url)
    pool_id = _pool(client, user_pool)
    client.set_identity_pool_roles(IdentityPoolId=pool_id, Roles={"authenticated": role_arn("CognitoAuthRole"),
                                                                  "unauthenticated": role_arn("CognitoGuestRole")})
    identity_id = client.get_id(IdentityPoolId=pool_id, Logins={user_pool.provider: user_pool.sign_in("alice")}
                                )["IdentityId"]
    user_pool.add_user("mallory")
    # amazon-archives/amazon-cognito-identity-js#68 quotes AWS's words.
    message = "Logins don't match. Please include at least one valid login for this identity or identity pool."
    for logins in ({}, {user_pool.provider: user_pool.sign_in("mallory")}):
        with pytest.raises(ClientError) as excinfo:
            client.get_credentials_for_identity(IdentityId=identity_id, **({"Logins": logins} if logins else {}))
        assert _error(excinfo) == ("NotAuthorizedException", message)


def test_no_role_is_an_invalid_configuration(server: Server, user_pool: UserPool) -> None:
    client = identity_client(server.url)
    pool_id = _pool(client, user_pool)
    guest = client.get_id(IdentityPoolId=pool_id)["IdentityId"]
    with pytest.raises(ClientError) as excinfo:  # awslabs/aws-sdk-ios-samples#274 quotes AWS's body
        client.get_credentials_for_identity(IdentityId=guest)
    assert _error(excinfo) == ("InvalidIdentityPoolConfigurationException",
                               "Invalid identity pool configuration. Check assigned IAM roles for this pool.")


def test_concurrent_get_id_for_one_login_makes_one_identity(server: Server, user_pool: UserPool) -> None:
    pool_id = _pool(identity_client(server.url), user_pool)
    token = user_pool.sign_in("alice")

    def get_id(_: int) -> str:
        return str(identity_client(server.url).get_id(IdentityPoolId=pool_id, Logins={user_pool.provider: token}
                                                       )["IdentityId"])

    with ThreadPoolExecutor(16) as pool:
        ids = set(pool.map(get_id, range(32)))
    assert len(ids) == 1
    listed = identity_client(server.url).list_identities(IdentityPoolId=pool_id, MaxResults=60)["Identities"]
    assert [i["IdentityId"] for i in listed] == list(ids)


def test_poolgate_issuer_host_names_the_same_provider(server: Server, user_pool: UserPool) -> None:
    client = identity_client(server.url)
    pool_id = _pool(client, user_pool)
    token = user_pool.sign_in("alice")
    aws_named = client.get_id(IdentityPoolId=pool_id, Logins={user_pool.provider: token})["IdentityId"]
    local_name = f"{server.url.removeprefix('http://')}/{user_pool.pool_id}"
    assert client.get_id(IdentityPoolId=pool_id, Logins={local_name: token})["IdentityId"] == aws_named
    with pytest.raises(ClientError) as excinfo:  # another host is not this user pool's provider
        client.get_id(IdentityPoolId=pool_id, Logins={f"example.com/{user_pool.pool_id}": token})
    assert _error(excinfo)[0] == "NotAuthorizedException"
