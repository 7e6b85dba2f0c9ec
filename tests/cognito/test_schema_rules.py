"""A pool's schema as Cognito keeps it: CreateUserPool's rules, AddCustomAttributes (also from many callers and two
server processes at once), app clients' Read/WriteAttributes checked against it, and E.164 phone numbers."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from botocore.exceptions import ClientError

from ..conftest import cognito_client
from ..support import Server, start_server, stop_server
from .helpers import PASSWORD, AwsError, error_of, new_pool, unique

STANDARD_CHANGE = "You can not change AttributeDataType or set developerOnlyAttribute for standard schema attribute {}"


def _schema(idp: Any, pool_id: str) -> dict[str, dict[str, Any]]:
    return {a["Name"]: a for a in idp.describe_user_pool(UserPoolId=pool_id)["UserPool"]["SchemaAttributes"]}


def test_developer_only_attributes_are_named_dev_custom(idp: Any) -> None:
    # Cognito API Reference, CreateUserPool, "Example user pool with email and username sign-in": Schema
    # {Name: mydev, AttributeDataType: Number, DeveloperOnlyAttribute: true, NumberAttributeConstraints {1..99},
    # StringAttributeConstraints {...}} is reported as dev:custom:mydev with only its NumberAttributeConstraints.
    pool_id = new_pool(idp, Schema=[
        {"Name": "mydev", "AttributeDataType": "Number", "DeveloperOnlyAttribute": True, "Mutable": True,
         "Required": False, "NumberAttributeConstraints": {"MaxValue": "99", "MinValue": "1"},
         "StringAttributeConstraints": {"MaxLength": "99", "MinLength": "1"}},
        {"Name": "plan", "AttributeDataType": "String"}])
    schema = _schema(idp, pool_id)
    assert schema["dev:custom:mydev"] == {
        "Name": "dev:custom:mydev", "AttributeDataType": "Number", "DeveloperOnlyAttribute": True, "Mutable": True,
        "Required": False, "NumberAttributeConstraints": {"MaxValue": "99", "MinValue": "1"}}
    assert "custom:mydev" not in schema
    assert schema["custom:plan"]["DeveloperOnlyAttribute"] is False


@pytest.mark.parametrize(("attribute", "message"), [
    # moto's tests (getmoto/moto tests/test_cognitoidp) and a CloudFormation error quoted in a public post
    ({"Name": "banana", "AttributeDataType": "String", "Required": True},
     "Required custom attributes are not supported currently."),
    # moto's text (UNCONFIRMED from AWS)
    ({"Name": "banana"}, "Invalid AttributeDataType input, consider using the provided AttributeDataType enum."),
    # moto's tests; the same text is quoted from a failed Terraform apply for email_verified
    ({"Name": "email", "AttributeDataType": "Number"}, STANDARD_CHANGE.format("email")),
    ({"Name": "email_verified", "AttributeDataType": "String"}, STANDARD_CHANGE.format("email_verified")),
    ({"Name": "email", "DeveloperOnlyAttribute": True}, STANDARD_CHANGE.format("email")),
], ids=["required-custom", "custom-without-type", "standard-type", "standard-boolean-type", "standard-dev-only"])
def test_create_user_pool_refuses_what_cognito_refuses(idp: Any, attribute: dict[str, Any], message: str) -> None:
    err = error_of(idp.create_user_pool, PoolName=unique("pool"), Schema=[attribute])
    assert err == AwsError("InvalidParameterException", message, 400)


def test_standard_attributes_may_be_required_or_immutable(idp: Any) -> None:
    pool_id = new_pool(idp, Schema=[{"Name": "email", "AttributeDataType": "String", "Required": True,
                                     "Mutable": False}, {"Name": "name", "Required": True}])
    schema = _schema(idp, pool_id)
    assert schema["email"]["Required"] is True and schema["email"]["Mutable"] is False
    assert schema["email"]["AttributeDataType"] == "String" and schema["name"]["Required"] is True


def test_add_custom_attributes(idp: Any) -> None:
    pool_id = new_pool(idp)
    idp.add_custom_attributes(UserPoolId=pool_id, CustomAttributes=[
        {"Name": "tier", "AttributeDataType": "String", "StringAttributeConstraints": {"MinLength": "1",
                                                                                       "MaxLength": "15"}},
        {"Name": "score", "AttributeDataType": "Number", "DeveloperOnlyAttribute": True}])
    schema = _schema(idp, pool_id)
    assert schema["custom:tier"]["StringAttributeConstraints"] == {"MinLength": "1", "MaxLength": "15"}
    assert schema["dev:custom:score"]["DeveloperOnlyAttribute"] is True
    # the new attribute is part of the schema users are checked against
    idp.admin_create_user(UserPoolId=pool_id, Username="ann", MessageAction="SUPPRESS", TemporaryPassword=PASSWORD,
                          UserAttributes=[{"Name": "custom:tier", "Value": "gold"}])
    # moto's tests state these texts; real callers match "Existing attribute already has name"
    assert error_of(idp.add_custom_attributes, UserPoolId=pool_id, CustomAttributes=[
        {"Name": "tier", "AttributeDataType": "String"}]) == AwsError(
        "InvalidParameterException", "custom:tier: Existing attribute already has name custom:tier.", 400)
    assert error_of(idp.add_custom_attributes, UserPoolId=pool_id, CustomAttributes=[
        {"Name": "score", "AttributeDataType": "Number", "DeveloperOnlyAttribute": True}]) == AwsError(
        "InvalidParameterException", "custom:score: Existing attribute already has name dev:custom:score.", 400)
    assert error_of(idp.add_custom_attributes, UserPoolId=pool_id, CustomAttributes=[
        {"Name": "must", "AttributeDataType": "String", "Required": True}]).message == (
        "Required custom attributes are not supported currently.")
    assert error_of(idp.add_custom_attributes, UserPoolId="us-east-1_nosuchpoo", CustomAttributes=[
        {"Name": "x", "AttributeDataType": "String"}]).code == "ResourceNotFoundException"


def _add(idp: Any, pool_id: str, name: str) -> str:
    try:
        idp.add_custom_attributes(UserPoolId=pool_id, CustomAttributes=[{"Name": name, "AttributeDataType": "String"}])
    except ClientError as exc:
        return str(exc.response["Error"]["Code"])
    return "ok"


@pytest.fixture
def second_server(server: Server) -> Iterator[Server]:
    """Another server process on the same database as ``server`` (PostgreSQL, or the same SQLite file)."""
    other = (start_server("--no-demo", database_url=server.database_url) if server.database_url
             else start_server("--no-demo", data_dir=server.data_dir))
    try:
        yield other
    finally:
        stop_server(other)


def test_custom_attributes_added_at_once_by_two_servers_are_all_kept(server: Server, second_server: Server) -> None:
    clients = [cognito_client(server.url), cognito_client(second_server.url)]
    pool_id = new_pool(clients[0])
    names = [f"a{i}" for i in range(16)]
    with ThreadPoolExecutor(16) as pool:
        outcomes = list(pool.map(lambda i: _add(clients[i % 2], pool_id, names[i]), range(16)))
    assert outcomes == ["ok"] * 16
    schema = _schema(clients[0], pool_id)
    assert {f"custom:{n}" for n in names} <= set(schema)
    # the same name from everyone at once: exactly one is added
    with ThreadPoolExecutor(12) as pool:
        outcomes = list(pool.map(lambda i: _add(clients[i % 2], pool_id, "same"), range(12)))
    assert sorted(outcomes) == ["InvalidParameterException"] * 11 + ["ok"]
    assert [a for a in _schema(clients[1], pool_id) if a == "custom:same"] == ["custom:same"]


def test_client_read_and_write_attributes_must_be_in_the_schema(idp: Any) -> None:
    pool_id = new_pool(idp, Schema=[{"Name": "plan", "AttributeDataType": "String"},
                                    {"Name": "email", "AttributeDataType": "String", "Required": True}])
    ok = idp.create_user_pool_client(UserPoolId=pool_id, ClientName="ok", ReadAttributes=["email", "custom:plan"],
                                     WriteAttributes=["email", "custom:plan"])["UserPoolClient"]
    assert ok["ReadAttributes"] == ["email", "custom:plan"]
    create = idp.create_user_pool_client
    # "Invalid write attributes specified while creating a client" / "… while updating a client": real deployments'
    # errors quoted in public projects (email_verified as a write attribute; a write set missing a required email)
    write = "Invalid write attributes specified while creating a client"
    read = "Invalid read attributes specified while creating a client"
    assert error_of(create, UserPoolId=pool_id, ClientName="x", ReadAttributes=["custom:nope"]) == AwsError(
        "InvalidParameterException", read, 400)
    assert error_of(create, UserPoolId=pool_id, ClientName="x", WriteAttributes=["email", "custom:nope"]).message \
        == write
    assert error_of(create, UserPoolId=pool_id, ClientName="x", WriteAttributes=["email", "email_verified"]).message \
        == write
    assert error_of(create, UserPoolId=pool_id, ClientName="x", WriteAttributes=["custom:plan"]).message == write
    assert error_of(idp.update_user_pool_client, UserPoolId=pool_id, ClientId=ok["ClientId"],
                    WriteAttributes=["name"]).message == "Invalid write attributes specified while updating a client"


@pytest.mark.parametrize("phone", ["5555551212", "+1 555 555 1212", "+1-555-555-1212", "(555)5551212",
                                   "+1234567890123456"])
def test_phone_numbers_must_be_e164_everywhere(idp: Any, phone: str) -> None:
    pool_id = new_pool(idp)
    client_id = idp.create_user_pool_client(UserPoolId=pool_id, ClientName="c")["UserPoolClient"]["ClientId"]
    bad = AwsError("InvalidParameterException", "Invalid phone number format.", 400)
    attrs = [{"Name": "phone_number", "Value": phone}]
    assert error_of(idp.sign_up, ClientId=client_id, Username="sam", Password=PASSWORD, UserAttributes=attrs) == bad
    assert error_of(idp.admin_create_user, UserPoolId=pool_id, Username="sam", MessageAction="SUPPRESS",
                    UserAttributes=attrs) == bad
    idp.admin_create_user(UserPoolId=pool_id, Username="sam", MessageAction="SUPPRESS", TemporaryPassword=PASSWORD,
                          UserAttributes=[{"Name": "phone_number", "Value": "+15555551212"}])
    assert error_of(idp.admin_update_user_attributes, UserPoolId=pool_id, Username="sam", UserAttributes=attrs) == bad
    idp.admin_set_user_password(UserPoolId=pool_id, Username="sam", Password=PASSWORD, Permanent=True)
    idp.update_user_pool_client(UserPoolId=pool_id, ClientId=client_id, ExplicitAuthFlows=[
        "ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"])
    token = idp.initiate_auth(ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH", AuthParameters={
        "USERNAME": "sam", "PASSWORD": PASSWORD})["AuthenticationResult"]["AccessToken"]
    assert error_of(idp.update_user_attributes, AccessToken=token, UserAttributes=attrs) == bad
    user = idp.admin_get_user(UserPoolId=pool_id, Username="sam")
    assert {"Name": "phone_number", "Value": "+15555551212"} in user["UserAttributes"]
