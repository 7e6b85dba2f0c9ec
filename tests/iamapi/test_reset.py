"""``POST /_poolgate/reset`` empties the IAM API's tables too (attachments before what they refer to) and each
process's remembered keys: a key that signed a request before the reset is unknown after it."""

from __future__ import annotations

from pathlib import Path

from tests.support import start_server, stop_server

from .conftest import allow, iam_client, signed_get, write_config


def test_reset_forgets_users_keys_and_policies(tmp_path: Path) -> None:
    server = start_server("--config", str(write_config(tmp_path)))
    try:
        iam = iam_client(server.url)
        iam.create_user(UserName="gone")
        iam.create_role(RoleName="gone", AssumeRolePolicyDocument='{"Version": "2012-10-17", "Statement": [{'
                        '"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, '
                        '"Action": "sts:AssumeRole"}]}')
        arn = iam.create_policy(PolicyName="gone", PolicyDocument=allow("allowed"))["Policy"]["Arn"]
        iam.attach_user_policy(UserName="gone", PolicyArn=arn)
        iam.attach_role_policy(RoleName="gone", PolicyArn=arn)
        key = iam.create_access_key(UserName="gone")["AccessKey"]
        assert signed_get(server.url, key["AccessKeyId"], key["SecretAccessKey"], "allowed").status_code == 200
        server.reset()
        after = signed_get(server.url, key["AccessKeyId"], key["SecretAccessKey"], "allowed")
        assert (after.status_code, after.headers["x-amzn-ErrorType"]) == (403, "UnrecognizedClientException")
        assert iam.list_users()["Users"] == [] and iam.list_policies()["Policies"] == []
        assert iam.list_roles()["Roles"] == []
    finally:
        stop_server(server)
