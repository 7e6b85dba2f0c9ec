"""Pools and app clients: create, describe (with AWS's defaults), update, list and delete."""

from __future__ import annotations

import json
from typing import Any

from ..support import Server
from .helpers import PASSWORD, admin_user, error_of, new_client, new_pool, sign_in, unique


def test_pool_defaults_update_and_delete(server: Server, idp: Any) -> None:
    name = unique("pool")
    pool = idp.create_user_pool(PoolName=name)["UserPool"]
    assert pool["Name"] == name and pool["Id"].startswith("us-east-1_") and len(pool["Id"]) == len("us-east-1_") + 9
    assert pool["Policies"]["PasswordPolicy"] == {
        "MinimumLength": 8, "RequireUppercase": True, "RequireLowercase": True, "RequireNumbers": True,
        "RequireSymbols": True, "TemporaryPasswordValidityDays": 7}
    assert pool["MfaConfiguration"] == "OFF"
    assert {a["Name"] for a in pool["SchemaAttributes"]} >= {"sub", "email", "phone_number", "email_verified"}
    described = idp.describe_user_pool(UserPoolId=pool["Id"])["UserPool"]
    assert described["Id"] == pool["Id"] and described["EstimatedNumberOfUsers"] == 0
    # what AWS reports for settings a new pool was not given
    assert described["EmailConfiguration"] == {"EmailSendingAccount": "COGNITO_DEFAULT"}
    assert described["UserPoolTier"] == "ESSENTIALS"
    assert described["Policies"]["SignInPolicy"] == {"AllowedFirstAuthFactors": ["PASSWORD"]}
    [birthdate] = [a for a in described["SchemaAttributes"] if a["Name"] == "birthdate"]
    assert birthdate["StringAttributeConstraints"] == {"MinLength": "10", "MaxLength": "10"}
    # only UserPoolType's members: the MFA factors belong to GetUserPoolMfaConfig (checked on the raw body,
    # which boto3 would filter)
    idp.set_user_pool_mfa_config(UserPoolId=pool["Id"], MfaConfiguration="OPTIONAL",
                                 SoftwareTokenMfaConfiguration={"Enabled": True})
    raw: list[bytes] = []
    idp.meta.events.register("after-call.cognito-idp.DescribeUserPool",
                             lambda http_response, **_: raw.append(http_response.content))
    idp.describe_user_pool(UserPoolId=pool["Id"])
    body = json.loads(raw[-1])["UserPool"]
    assert body["MfaConfiguration"] == "OPTIONAL" and "SoftwareTokenMfaConfiguration" not in body
    assert len(repr(body["CreationDate"]).partition(".")[2]) <= 3  # milliseconds, as AWS reports dates
    idp.set_user_pool_mfa_config(UserPoolId=pool["Id"], MfaConfiguration="OFF")

    idp.update_user_pool(UserPoolId=pool["Id"], Policies={"PasswordPolicy": {
        "MinimumLength": 6, "RequireUppercase": False, "RequireLowercase": True, "RequireNumbers": False,
        "RequireSymbols": False}})
    policy = idp.describe_user_pool(UserPoolId=pool["Id"])["UserPool"]["Policies"]["PasswordPolicy"]
    assert policy["MinimumLength"] == 6 and policy["RequireSymbols"] is False
    client_id = new_client(idp, pool["Id"])["ClientId"]
    idp.sign_up(ClientId=client_id, Username="simple", Password="simple")  # the new policy applies at once

    idp.delete_user_pool(UserPoolId=pool["Id"])
    err = error_of(idp.describe_user_pool, UserPoolId=pool["Id"])
    assert (err.code, err.message) == ("ResourceNotFoundException", f"User pool {pool['Id']} does not exist.")
    assert error_of(idp.initiate_auth, ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH",
                    AuthParameters={"USERNAME": "simple", "PASSWORD": "simple"}).code == "ResourceNotFoundException"


def test_client_defaults_secret_update_and_delete(server: Server, idp: Any) -> None:
    pool_id = new_pool(idp)
    client = idp.create_user_pool_client(UserPoolId=pool_id, ClientName="web")["UserPoolClient"]
    assert len(client["ClientId"]) == 26 and client["ClientId"].isalnum() and client["ClientId"].islower()
    assert "ClientSecret" not in client
    for key, value in {"RefreshTokenValidity": 30, "AuthSessionValidity": 3, "EnableTokenRevocation": True,
                       "AllowedOAuthFlowsUserPoolClient": False, "TokenValidityUnits": {}}.items():
        assert client[key] == value, key
    assert "PreventUserExistenceErrors" not in client  # LEGACY in effect, but AWS reports it only once set
    secret = idp.create_user_pool_client(UserPoolId=pool_id, ClientName="server",
                                         GenerateSecret=True)["UserPoolClient"]
    assert secret["ClientSecret"] == idp.describe_user_pool_client(
        UserPoolId=pool_id, ClientId=secret["ClientId"])["UserPoolClient"]["ClientSecret"]
    listed = idp.list_user_pool_clients(UserPoolId=pool_id, MaxResults=10)["UserPoolClients"]
    assert sorted(c["ClientName"] for c in listed) == ["server", "web"]

    # A flow the client stops allowing is refused on the very next call.
    flows = new_client(idp, pool_id)["ClientId"]
    admin_user(idp, pool_id, "jim")
    sign_in(idp, flows, "jim")
    idp.update_user_pool_client(UserPoolId=pool_id, ClientId=flows, ExplicitAuthFlows=["ALLOW_REFRESH_TOKEN_AUTH"])
    err = error_of(idp.initiate_auth, ClientId=flows, AuthFlow="USER_PASSWORD_AUTH",
                   AuthParameters={"USERNAME": "jim", "PASSWORD": PASSWORD})
    assert (err.code, err.message) == ("InvalidParameterException",
                                       "USER_PASSWORD_AUTH flow not enabled for this client")
    idp.delete_user_pool_client(UserPoolId=pool_id, ClientId=flows)
    err = error_of(idp.initiate_auth, ClientId=flows, AuthFlow="USER_PASSWORD_AUTH",
                   AuthParameters={"USERNAME": "jim", "PASSWORD": PASSWORD})
    assert (err.code, err.message) == ("ResourceNotFoundException", f"User pool client {flows} does not exist.")


def test_user_management(server: Server, idp: Any) -> None:
    pool_id = new_pool(idp)
    client_id = new_client(idp, pool_id)["ClientId"]
    created = idp.admin_create_user(UserPoolId=pool_id, Username="kim", MessageAction="SUPPRESS",
                                    TemporaryPassword="Temp-Passw0rd",
                                    UserAttributes=[{"Name": "email", "Value": "kim@example.com"}])["User"]
    assert created["UserStatus"] == "FORCE_CHANGE_PASSWORD" and created["Enabled"] is True
    idp.admin_update_user_attributes(UserPoolId=pool_id, Username="kim", UserAttributes=[
        {"Name": "given_name", "Value": "Kim"}, {"Name": "email_verified", "Value": "true"}])
    attrs = {a["Name"]: a["Value"] for a in idp.admin_get_user(UserPoolId=pool_id, Username="kim")["UserAttributes"]}
    assert attrs["given_name"] == "Kim" and attrs["email_verified"] == "true"
    err = error_of(idp.admin_update_user_attributes, UserPoolId=pool_id, Username="kim",
                   UserAttributes=[{"Name": "not_in_schema", "Value": "x"}])
    assert (err.code, err.status) == ("InvalidParameterException", 400)

    idp.admin_set_user_password(UserPoolId=pool_id, Username="kim", Password=PASSWORD, Permanent=True)
    tokens = sign_in(idp, client_id, "kim")
    idp.update_user_attributes(AccessToken=tokens["AccessToken"], UserAttributes=[
        {"Name": "family_name", "Value": "Lee"}])
    me = {a["Name"]: a["Value"] for a in idp.get_user(AccessToken=tokens["AccessToken"])["UserAttributes"]}
    assert me["family_name"] == "Lee"

    idp.create_group(UserPoolId=pool_id, GroupName="staff", Description="Staff")
    idp.admin_add_user_to_group(UserPoolId=pool_id, Username="kim", GroupName="staff")
    assert [g["GroupName"] for g in idp.admin_list_groups_for_user(UserPoolId=pool_id, Username="kim")["Groups"]] \
        == ["staff"]
    assert [u["Username"] for u in idp.list_users_in_group(UserPoolId=pool_id, GroupName="staff")["Users"]] == ["kim"]
    assert idp.get_group(UserPoolId=pool_id, GroupName="staff")["Group"]["Description"] == "Staff"
    idp.admin_remove_user_from_group(UserPoolId=pool_id, Username="kim", GroupName="staff")
    assert idp.list_users_in_group(UserPoolId=pool_id, GroupName="staff")["Users"] == []
    idp.delete_group(UserPoolId=pool_id, GroupName="staff")
    assert error_of(idp.get_group, UserPoolId=pool_id, GroupName="staff").code == "ResourceNotFoundException"

    idp.delete_user(AccessToken=tokens["AccessToken"])
    err = error_of(idp.admin_get_user, UserPoolId=pool_id, Username="kim")
    assert (err.code, err.message) == ("UserNotFoundException", "User does not exist.")
    err = error_of(idp.get_user, AccessToken=tokens["AccessToken"])
    assert err.code in ("UserNotFoundException", "NotAuthorizedException")
