"""An access key made with CreateAccessKey signs requests to an AWS_IAM method (botocore's SigV4 signer), allowed or
denied by its user's inline and attached policies; an Inactive or deleted key gets API Gateway's 403 for an unknown
key ("The security token included in the request is invalid.", UnrecognizedClientException: the answer API Gateway
gives, quoted in kndt84/aws-api-gateway-client#31). Two processes on one PostgreSQL database: a key made through one
signs requests the other accepts, and a detach through one is seen by the other within ``STORED_TTL``."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator

import pytest

from poolgate.iamapi.store import STORED_TTL
from tests.conftest import _require_postgres
from tests.support import Server, temporary_postgres_database, two_servers

from .conftest import ACCOUNT, API, allow, iam_client, signed_get, write_config

INVALID = {"message": "The security token included in the request is invalid."}


def _denied(path: str, user: str = "dave") -> dict[str, str]:
    return {"Message": f"User: arn:aws:iam::{ACCOUNT}:user/{user} is not authorized to perform: execute-api:Invoke "
                       f"on resource: arn:aws:execute-api:us-east-1:********0000:{API}/prod/GET/{path}"}


def test_user_key_signs_calls_decided_by_its_policies(server: Server) -> None:
    iam = iam_client(server.url)
    iam.create_user(UserName="dave")
    key = iam.create_access_key(UserName="dave")["AccessKey"]
    key_id, secret = key["AccessKeyId"], key["SecretAccessKey"]
    denied = signed_get(server.url, key_id, secret, "allowed")
    assert (denied.status_code, denied.json()) == (403, _denied("allowed"))  # no policy yet
    assert denied.headers["x-amzn-ErrorType"] == "AccessDeniedException"

    arn = iam.create_policy(PolicyName="DaveInvoke", PolicyDocument=allow("allowed"))["Policy"]["Arn"]
    iam.attach_user_policy(UserName="dave", PolicyArn=arn)
    allowed = signed_get(server.url, key_id, secret, "allowed")
    assert allowed.status_code == 200
    identity = allowed.json()["identity"]
    assert identity["userArn"] == f"arn:aws:iam::{ACCOUNT}:user/dave"
    assert identity["accessKey"] == key_id
    assert identity["user"] == iam.get_user(UserName="dave")["User"]["UserId"]
    assert signed_get(server.url, key_id, secret, "other").status_code == 403  # the policy names /allowed only

    iam.put_user_policy(UserName="dave", PolicyName="other", PolicyDocument=allow("other"))  # inline counts too
    assert signed_get(server.url, key_id, secret, "other").status_code == 200
    iam.delete_user_policy(UserName="dave", PolicyName="other")
    assert signed_get(server.url, key_id, secret, "other").status_code == 403

    iam.detach_user_policy(UserName="dave", PolicyArn=arn)  # through this process: seen at once
    after_detach = signed_get(server.url, key_id, secret, "allowed")
    assert (after_detach.status_code, after_detach.json()) == (403, _denied("allowed"))

    iam.attach_user_policy(UserName="dave", PolicyArn=arn)
    assert signed_get(server.url, key_id, secret, "allowed").status_code == 200
    iam.update_access_key(UserName="dave", AccessKeyId=key_id, Status="Inactive")
    inactive = signed_get(server.url, key_id, secret, "allowed")
    assert (inactive.status_code, inactive.json()) == (403, INVALID)
    assert inactive.headers["x-amzn-ErrorType"] == "UnrecognizedClientException"
    iam.update_access_key(UserName="dave", AccessKeyId=key_id, Status="Active")
    assert signed_get(server.url, key_id, secret, "allowed").status_code == 200

    wrong_secret = signed_get(server.url, key_id, "x" * 40, "allowed")
    assert wrong_secret.status_code == 403 and wrong_secret.headers["x-amzn-ErrorType"] == "InvalidSignatureException"

    iam.delete_access_key(UserName="dave", AccessKeyId=key_id)
    deleted = signed_get(server.url, key_id, secret, "allowed")
    assert (deleted.status_code, deleted.json()) == (403, INVALID)


def test_deleted_user_keys_sign_nothing(server: Server) -> None:
    iam = iam_client(server.url)
    iam.create_user(UserName="erin")
    iam.put_user_policy(UserName="erin", PolicyName="p", PolicyDocument=allow("allowed"))
    key = iam.create_access_key(UserName="erin")["AccessKey"]
    assert signed_get(server.url, key["AccessKeyId"], key["SecretAccessKey"], "allowed").status_code == 200
    iam.delete_access_key(UserName="erin", AccessKeyId=key["AccessKeyId"])
    iam.delete_user_policy(UserName="erin", PolicyName="p")
    iam.delete_user(UserName="erin")
    assert signed_get(server.url, key["AccessKeyId"], key["SecretAccessKey"], "allowed").json() == INVALID


@pytest.fixture(scope="module")
def servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Server, Server]]:
    _require_postgres()
    config = write_config(tmp_path_factory.mktemp("iamapi-pg"))
    with (temporary_postgres_database() as url, two_servers("--config", str(config), database_url=url) as both):
        yield both


def _within(bound: float, check: Callable[[], bool]) -> float:
    """Seconds until ``check()`` holds, polling; fails past ``bound``."""
    started = time.monotonic()
    while not check():
        assert time.monotonic() - started < bound, f"not seen within {bound} s"
        time.sleep(0.05)
    return time.monotonic() - started


def test_two_processes_share_keys_and_policies(servers: tuple[Server, Server]) -> None:
    first, second = servers
    iam = iam_client(first.url)
    iam.create_user(UserName="frank")
    arn = iam.create_policy(PolicyName="FrankInvoke", PolicyDocument=allow("allowed"))["Policy"]["Arn"]
    iam.attach_user_policy(UserName="frank", PolicyArn=arn)
    key = iam.create_access_key(UserName="frank")["AccessKey"]
    key_id, secret = key["AccessKeyId"], key["SecretAccessKey"]
    assert signed_get(second.url, key_id, secret, "allowed").status_code == 200  # made by the first process

    iam.detach_user_policy(UserName="frank", PolicyArn=arn)
    seen = _within(STORED_TTL + 1.0, lambda: signed_get(second.url, key_id, secret, "allowed").status_code == 403)
    assert seen <= STORED_TTL + 1.0

    iam_client(second.url).delete_access_key(UserName="frank", AccessKeyId=key_id)  # through the other process
    _within(STORED_TTL + 1.0, lambda: signed_get(first.url, key_id, secret, "allowed").status_code == 403)
    assert signed_get(first.url, key_id, secret, "allowed").json() == INVALID
