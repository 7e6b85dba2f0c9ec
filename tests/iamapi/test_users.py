"""IAM users through boto3's iam client: the user, its inline policies and access keys, with IAM's error words
(sources in iamapi/users.py and iamapi/common.py)."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from tests.support import Server

from .conftest import ACCOUNT, allow, error, iam_client


def test_user_lifecycle_and_errors(server: Server) -> None:
    iam = iam_client(server.url)
    user = iam.create_user(UserName="Carol", Path="/team/")["User"]
    assert user["Arn"] == f"arn:aws:iam::{ACCOUNT}:user/team/Carol"
    assert user["UserId"].startswith("AIDA") and len(user["UserId"]) == 21
    assert iam.get_user(UserName="Carol")["User"] == user
    assert "Carol" in [u["UserName"] for u in iam.list_users()["Users"]]
    assert [u["UserName"] for u in iam.list_users(PathPrefix="/team/")["Users"]] == ["Carol"]
    with pytest.raises(ClientError) as excinfo:  # names are unique ignoring case
        iam.create_user(UserName="carol")
    assert error(excinfo) == ("EntityAlreadyExists", "User with name carol already exists.", 409)
    with pytest.raises(ClientError) as excinfo:
        iam.get_user(UserName="carol")
    assert error(excinfo) == ("NoSuchEntity", "The user with name carol cannot be found.", 404)

    iam.put_user_policy(UserName="Carol", PolicyName="invoke", PolicyDocument=allow("allowed"))
    assert iam.list_user_policies(UserName="Carol")["PolicyNames"] == ["invoke"]
    assert iam.get_user_policy(UserName="Carol", PolicyName="invoke")["PolicyDocument"] == json.loads(allow("allowed"))
    with pytest.raises(ClientError) as excinfo:
        iam.get_user_policy(UserName="Carol", PolicyName="nothing")
    assert error(excinfo) == ("NoSuchEntity", "The user policy with name nothing cannot be found.", 404)
    with pytest.raises(ClientError) as excinfo:
        iam.put_user_policy(UserName="Carol", PolicyName="bad", PolicyDocument="{not json")
    assert error(excinfo) == ("MalformedPolicyDocument", "This policy contains invalid Json", 400)

    key = iam.create_access_key(UserName="Carol")["AccessKey"]
    assert key["AccessKeyId"].startswith("AKIA") and len(key["AccessKeyId"]) == 20
    assert len(key["SecretAccessKey"]) == 40 and key["Status"] == "Active"
    second = iam.create_access_key(UserName="Carol")["AccessKey"]
    with pytest.raises(ClientError) as excinfo:
        iam.create_access_key(UserName="Carol")
    assert error(excinfo) == ("LimitExceeded", "Cannot exceed quota for AccessKeysPerUser: 2", 409)
    iam.update_access_key(UserName="Carol", AccessKeyId=second["AccessKeyId"], Status="Inactive")
    listed = iam.list_access_keys(UserName="Carol")["AccessKeyMetadata"]
    assert {(k["AccessKeyId"], k["Status"]) for k in listed} == {(key["AccessKeyId"], "Active"),
                                                                 (second["AccessKeyId"], "Inactive")}
    assert all("SecretAccessKey" not in k for k in listed)

    for message in ("Cannot delete entity, must delete access keys first.",
                    "Cannot delete entity, must delete policies first."):
        with pytest.raises(ClientError) as excinfo:
            iam.delete_user(UserName="Carol")
        assert error(excinfo) == ("DeleteConflict", message, 409)
        if "access keys" in message:
            for made in (key, second):
                iam.delete_access_key(UserName="Carol", AccessKeyId=made["AccessKeyId"])
        else:
            iam.delete_user_policy(UserName="Carol", PolicyName="invoke")
    with pytest.raises(ClientError) as excinfo:
        iam.delete_access_key(UserName="Carol", AccessKeyId=key["AccessKeyId"])
    assert error(excinfo) == ("NoSuchEntity", f"The Access Key with id {key['AccessKeyId']} cannot be found.", 404)
    iam.delete_user(UserName="Carol")
    with pytest.raises(ClientError) as excinfo:
        iam.delete_user(UserName="Carol")
    assert error(excinfo) == ("NoSuchEntity", "The user with name Carol cannot be found.", 404)


def test_a_key_of_one_user_is_not_another_users(server: Server) -> None:
    iam = iam_client(server.url)
    iam.create_user(UserName="Owner1")
    iam.create_user(UserName="Stranger1")
    key = iam.create_access_key(UserName="Owner1")["AccessKey"]
    with pytest.raises(ClientError) as excinfo:
        iam.update_access_key(UserName="Stranger1", AccessKeyId=key["AccessKeyId"], Status="Inactive")
    assert error(excinfo)[0] == "NoSuchEntity"
    assert iam.list_access_keys(UserName="Owner1")["AccessKeyMetadata"][0]["Status"] == "Active"


def test_calls_without_user_name_name_the_signing_user(server: Server) -> None:
    iam = iam_client(server.url)
    iam.create_user(UserName="Implicit")
    key = iam.create_access_key(UserName="Implicit")["AccessKey"]
    as_user = boto3.client("iam", endpoint_url=server.url, region_name="us-east-1",
                           aws_access_key_id=key["AccessKeyId"], aws_secret_access_key=key["SecretAccessKey"],
                           config=Config(retries={"max_attempts": 0}))
    assert as_user.get_user()["User"]["UserName"] == "Implicit"
    assert [k["AccessKeyId"] for k in as_user.list_access_keys()["AccessKeyMetadata"]] == [key["AccessKeyId"]]
    with pytest.raises(ClientError) as excinfo:  # signed by a key no IAM user holds
        iam.get_user()
    assert error(excinfo) == ("ValidationError", "Must specify userName when calling with non-User credentials", 400)


def test_concurrent_create_access_key_makes_two(server: Server) -> None:
    iam_client(server.url).create_user(UserName="Raced")

    def create(_: int) -> str:
        try:
            iam_client(server.url).create_access_key(UserName="Raced")
            return "created"
        except ClientError as err:
            return str(err.response["Error"]["Code"])

    with ThreadPoolExecutor(8) as pool:
        outcomes = list(pool.map(create, range(8)))
    assert outcomes.count("created") == 2
    assert set(outcomes) == {"created", "LimitExceeded"}
    assert len(iam_client(server.url).list_access_keys(UserName="Raced")["AccessKeyMetadata"]) == 2


def test_concurrent_create_user_makes_one(server: Server) -> None:
    def create(i: int) -> str:
        try:
            iam_client(server.url).create_user(UserName="RacedUser" if i % 2 else "racedUSER")
            return "created"
        except ClientError as err:
            return str(err.response["Error"]["Code"])

    with ThreadPoolExecutor(8) as pool:
        outcomes = list(pool.map(create, range(16)))
    assert outcomes.count("created") == 1
    assert set(outcomes) == {"created", "EntityAlreadyExists"}
