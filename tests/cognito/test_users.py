"""ListUsers filters, pagination, username case-insensitivity and sign-in by e-mail or alias."""

from __future__ import annotations

import base64
from typing import Any

import jwt
import pytest
from botocore.exceptions import ClientError

from ..conftest import cognito_client
from ..support import Server
from .helpers import PASSWORD, code_from_log, error_of, new_client, new_pool, sign_in, signed_up_user, unique


def _names(users: list[dict[str, Any]]) -> list[str]:
    return sorted(u["Username"] for u in users)


@pytest.fixture(scope="module")
def directory(server: Server) -> tuple[Any, str]:
    """A pool with ann, andy, bob (disabled) and carl (UNCONFIRMED)."""
    idp = cognito_client(server.url)
    pool_id = new_pool(idp)
    client_id = new_client(idp, pool_id)["ClientId"]
    for name, email in (("ann", "ann@example.com"), ("andy", "andy@sample.org"), ("bob", "bob@example.com")):
        idp.admin_create_user(UserPoolId=pool_id, Username=name, MessageAction="SUPPRESS",
                              UserAttributes=[{"Name": "email", "Value": email},
                                              {"Name": "name", "Value": f"{name.title()} \"the\" User"}])
    idp.admin_disable_user(UserPoolId=pool_id, Username="bob")
    idp.sign_up(ClientId=client_id, Username="carl", Password=PASSWORD,
                UserAttributes=[{"Name": "email", "Value": "carl@example.com"}])
    return idp, pool_id


@pytest.mark.parametrize(("filter_text", "expected"), [
    ('email = "ann@example.com"', ["ann"]),
    ('email ^= "an"', ["andy", "ann"]),
    ('email = "a@b.c"', []),
    ('username = "bob"', ["bob"]),
    ('username ^= "c"', ["carl"]),
    ('cognito:user_status = "UNCONFIRMED"', ["carl"]),
    ('cognito:user_status = "force_change_password"', ["andy", "ann", "bob"]),
    ('status = "Disabled"', ["bob"]),
    ('status = "Enabled"', ["andy", "ann", "carl"]),
    ('name = "Ann \\"the\\" User"', ["ann"]),
    ('name ^= "An"', ["andy", "ann"]),
    ("", ["andy", "ann", "bob", "carl"]),
    ('username ^= "an"', ["andy", "ann"]),
    ('username ^= "AN"', []),  # usernames match case-sensitively
    ('username ^= "%"', []),  # no wildcards: a prefix is a prefix
    ('cognito:user_status ^= "unconf"', ["carl"]),
    ('status ^= "dis"', ["bob"]),
    ('status = "Nope"', []),
])
def test_list_users_filter(directory: tuple[Any, str], filter_text: str, expected: list[str]) -> None:
    idp, pool_id = directory
    assert _names(idp.list_users(UserPoolId=pool_id, Filter=filter_text)["Users"]) == expected


def test_list_users_filter_sub(directory: tuple[Any, str]) -> None:
    idp, pool_id = directory
    user = idp.admin_get_user(UserPoolId=pool_id, Username="andy")
    sub = next(a["Value"] for a in user["UserAttributes"] if a["Name"] == "sub")
    assert _names(idp.list_users(UserPoolId=pool_id, Filter=f'sub = "{sub}"')["Users"]) == ["andy"]


@pytest.mark.parametrize("filter_text", ['email == "x"', "email = x", 'custom:team = "a"', 'email = "a" extra',
                                         'nosuchattr = "a"'])
def test_list_users_bad_filter(directory: tuple[Any, str], filter_text: str) -> None:
    idp, pool_id = directory
    err = error_of(idp.list_users, UserPoolId=pool_id, Filter=filter_text)
    assert (err.code, err.status) == ("InvalidParameterException", 400)


def test_list_users_attributes_to_get(directory: tuple[Any, str]) -> None:
    idp, pool_id = directory
    users = idp.list_users(UserPoolId=pool_id, Filter='username = "ann"', AttributesToGet=["email"])["Users"]
    assert users[0]["Attributes"] == [{"Name": "email", "Value": "ann@example.com"}]


def test_list_users_pagination(directory: tuple[Any, str]) -> None:
    idp, pool_id = directory
    seen: list[str] = []
    pages = 0
    kwargs: dict[str, Any] = {}
    while True:
        page = idp.list_users(UserPoolId=pool_id, Limit=3, **kwargs)
        pages += 1
        assert len(page["Users"]) <= 3
        seen += [u["Username"] for u in page["Users"]]
        if "PaginationToken" not in page:
            break
        kwargs = {"PaginationToken": page["PaginationToken"]}
    assert pages == 2 and sorted(seen) == ["andy", "ann", "bob", "carl"]
    # boto3's paginator walks the same pages.
    paginated = idp.get_paginator("list_users").paginate(UserPoolId=pool_id, PaginationConfig={"PageSize": 1})
    assert sorted(u["Username"] for page in paginated for u in page["Users"]) == ["andy", "ann", "bob", "carl"]
    # A filter the database answers pages the same way.
    first = idp.list_users(UserPoolId=pool_id, Limit=1, Filter='status = "Enabled"')
    second = idp.list_users(UserPoolId=pool_id, Limit=2, Filter='status = "Enabled"',
                            PaginationToken=first["PaginationToken"])
    assert "PaginationToken" not in second
    assert sorted(_names(first["Users"]) + _names(second["Users"])) == ["andy", "ann", "carl"]
    err = error_of(idp.list_users, UserPoolId=pool_id, PaginationToken="garbage!")
    assert (err.code, err.status) == ("InvalidParameterException", 400)


def _b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


@pytest.mark.parametrize("token", [
    "garbage!",
    _b64('{"o": Infinity}'),  # was a 500 (OverflowError)
    _b64('{"o": 100000000000000000000000000000}'),  # was a 500 in ListUsers (no such database integer)
    _b64('{"o": 1.5}'), _b64('{"o": true}'), _b64('{"o": -3}'), _b64('{"o": 0}'), _b64('{"o": 1, "x": 2}'),
    _b64("[1]"), base64.b64encode(b"\xff\xfe").decode(), _b64('{"o": 1}').rstrip("="),
])
def test_pagination_token_never_issued(directory: tuple[Any, str], token: str) -> None:
    """AWS: "Paging marker <token> is invalid for request <request id>" (aws/aws-sdk-js#3705), never a 500."""
    idp, pool_id = directory
    if not idp.list_groups(UserPoolId=pool_id)["Groups"]:
        idp.create_group(UserPoolId=pool_id, GroupName="paged")
    calls = [(idp.list_users, {"PaginationToken": token}),  # the database pages
             (idp.list_users, {"PaginationToken": token, "Filter": 'name ^= "A"'}),  # pages in Python
             (idp.list_groups, {"NextToken": token}),
             (idp.list_users_in_group, {"NextToken": token, "GroupName": "paged"})]
    for call, params in calls:
        with pytest.raises(ClientError) as caught:
            call(UserPoolId=pool_id, **params)
        response = caught.value.response
        assert (response["Error"]["Code"], response["ResponseMetadata"]["HTTPStatusCode"]) == \
            ("InvalidParameterException", 400), call
        request_id = response["ResponseMetadata"]["RequestId"]
        assert response["Error"]["Message"] == f"Paging marker {token} is invalid for request {request_id}"


def test_list_groups_pagination(server: Server, idp: Any) -> None:
    pool_id = new_pool(idp)
    for name in ("g1", "g2", "g3"):
        idp.create_group(UserPoolId=pool_id, GroupName=name)
    first = idp.list_groups(UserPoolId=pool_id, Limit=2)
    assert [g["GroupName"] for g in first["Groups"]] == ["g1", "g2"]
    second = idp.list_groups(UserPoolId=pool_id, Limit=2, NextToken=first["NextToken"])
    assert [g["GroupName"] for g in second["Groups"]] == ["g3"] and "NextToken" not in second
    err = error_of(idp.create_group, UserPoolId=pool_id, GroupName="g1")
    assert (err.code, err.status) == ("GroupExistsException", 400)


def test_list_user_pools_pagination(server: Server) -> None:
    idp = cognito_client(server.url, region="ap-south-2")  # a region no other test uses: only these pools
    created = {new_pool(idp) for _ in range(3)}
    seen: list[str] = []
    kwargs: dict[str, Any] = {}
    while True:
        page = idp.list_user_pools(MaxResults=2, **kwargs)
        assert len(page["UserPools"]) <= 2
        seen += [p["Id"] for p in page["UserPools"]]
        if "NextToken" not in page:
            break
        kwargs = {"NextToken": page["NextToken"]}
    assert sorted(seen) == sorted(created)


def test_case_insensitive_usernames(server: Server, idp: Any) -> None:
    pool_id = new_pool(idp, UsernameConfiguration={"CaseSensitive": False}, AutoVerifiedAttributes=["email"])
    client_id = new_client(idp, pool_id)["ClientId"]
    signed_up_user(idp, server, pool_id, client_id, "Frank")
    tokens = sign_in(idp, client_id, "FRANK")
    assert idp.get_user(AccessToken=tokens["AccessToken"])["Username"].lower() == "frank"
    assert idp.admin_get_user(UserPoolId=pool_id, Username="fRaNk")["UserStatus"] == "CONFIRMED"
    err = error_of(idp.sign_up, ClientId=client_id, Username="frank", Password=PASSWORD)
    assert (err.code, err.message) == ("UsernameExistsException", "User already exists")


def test_case_sensitive_usernames(server: Server, idp: Any) -> None:
    pool_id = new_pool(idp, UsernameConfiguration={"CaseSensitive": True}, AutoVerifiedAttributes=["email"])
    client_id = new_client(idp, pool_id)["ClientId"]
    signed_up_user(idp, server, pool_id, client_id, "Frank")
    assert error_of(idp.initiate_auth, ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH",
                    AuthParameters={"USERNAME": "FRANK", "PASSWORD": PASSWORD}).code == "UserNotFoundException"
    idp.sign_up(ClientId=client_id, Username="frank", Password=PASSWORD)  # a different user


def test_email_as_username(server: Server, idp: Any) -> None:
    # case-insensitive, so "gina@example.com" is Gina@Example.com (in a case-sensitive pool it is not:
    # test_uniqueness.py::test_an_email_differing_only_in_case_is_another_account_in_a_case_sensitive_pool)
    pool_id = new_pool(idp, UsernameAttributes=["email"], AutoVerifiedAttributes=["email"],
                       UsernameConfiguration={"CaseSensitive": False})
    client_id = new_client(idp, pool_id)["ClientId"]
    sub = signed_up_user(idp, server, pool_id, client_id, "Gina@Example.com", stored_as_sub=True)
    user = idp.admin_get_user(UserPoolId=pool_id, Username="gina@example.com")
    assert user["Username"] == sub
    tokens = sign_in(idp, client_id, "gina@example.com")
    claims = jwt.decode(tokens["IdToken"], options={"verify_signature": False})
    assert claims["cognito:username"] == sub and claims["sub"] == sub
    assert claims["email"] == "Gina@Example.com"
    assert jwt.decode(tokens["AccessToken"], options={"verify_signature": False})["username"] == sub
    sign_in(idp, client_id, sub)  # the stored username signs in too
    err = error_of(idp.sign_up, ClientId=client_id, Username="gina", Password=PASSWORD)
    assert (err.code, err.message) == ("InvalidParameterException", "Username should be an email.")
    err = error_of(idp.sign_up, ClientId=client_id, Username="gina@example.com", Password=PASSWORD)
    assert (err.code, err.message) == ("UsernameExistsException", "An account with the given email already exists.")


def test_email_alias_once_verified(server: Server, idp: Any) -> None:
    # case-insensitive: the e-mail alias then is too (API Reference, UsernameConfigurationType)
    pool_id = new_pool(idp, AliasAttributes=["email"], AutoVerifiedAttributes=["email"],
                       UsernameConfiguration={"CaseSensitive": False})
    client_id = new_client(idp, pool_id)["ClientId"]
    name = unique("hank")
    idp.sign_up(ClientId=client_id, Username=name, Password=PASSWORD,
                UserAttributes=[{"Name": "email", "Value": f"{name}@example.com"}])
    before = error_of(idp.initiate_auth, ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH",
                      AuthParameters={"USERNAME": f"{name}@example.com", "PASSWORD": PASSWORD})
    assert before.code == "UserNotFoundException"  # an unverified e-mail is no alias yet
    idp.confirm_sign_up(ClientId=client_id, Username=name,
                        ConfirmationCode=code_from_log(server, pool_id, name, "signup"))
    tokens = sign_in(idp, client_id, f"{name.upper()}@EXAMPLE.COM")
    assert jwt.decode(tokens["IdToken"], options={"verify_signature": False})["cognito:username"] == name
    assert idp.admin_get_user(UserPoolId=pool_id, Username=f"{name}@example.com")["Username"] == name
