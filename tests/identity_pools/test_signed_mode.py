"""A server started with ``--credentials`` (not local mode): the identity-pool control calls, the IAM API and STS
check SigV4 against the configured key; the unsigned identity calls (GetId …) stay unsigned, as on AWS."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from tests.support import Server, start_server, stop_server

KEY, SECRET, ACCOUNT = "AKIDIDENTITYSIGNED01", "identity-signed-secret-000000000000000000", "111122223333"


@pytest.fixture(scope="module")
def signed_server() -> Iterator[Server]:
    srv = start_server("--no-demo", "--credentials", f"{KEY}:{SECRET}:{ACCOUNT}", allow_reset=False)
    try:
        yield srv
    finally:
        stop_server(srv)


def _client(service: str, url: str, secret: str = SECRET) -> Any:
    return boto3.client(service, endpoint_url=url, region_name="us-east-1", aws_access_key_id=KEY,
                        aws_secret_access_key=secret, config=Config(retries={"max_attempts": 0}))


def test_signed_mode(signed_server: Server) -> None:
    url = signed_server.url
    pool_id = _client("cognito-identity", url).create_identity_pool(
        IdentityPoolName="signed", AllowUnauthenticatedIdentities=True)["IdentityPoolId"]
    assert _client("cognito-identity", url).get_id(IdentityPoolId=pool_id)["IdentityId"]  # an unsigned operation
    with pytest.raises(ClientError) as excinfo:
        _client("cognito-identity", url, "wrong" * 8).describe_identity_pool(IdentityPoolId=pool_id)
    assert excinfo.value.response["Error"]["Code"] == "InvalidSignatureException"
    who = _client("sts", url).get_caller_identity()
    assert (who["Account"], who["Arn"]) == (ACCOUNT, f"arn:aws:iam::{ACCOUNT}:root")
    for call in (lambda: _client("sts", url, "wrong" * 8).get_caller_identity(),
                 lambda: _client("iam", url, "wrong" * 8).get_role(RoleName="Nobody")):
        with pytest.raises(ClientError) as excinfo:
            call()
        assert excinfo.value.response["Error"]["Code"] == "SignatureDoesNotMatch"
        assert excinfo.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403
    unknown = boto3.client("sts", endpoint_url=url, region_name="us-east-1", aws_access_key_id="AKIDNOBODY0000000000",
                           aws_secret_access_key="x", config=Config(retries={"max_attempts": 0}))
    with pytest.raises(ClientError) as excinfo:
        unknown.get_caller_identity()
    assert excinfo.value.response["Error"]["Code"] == "InvalidClientTokenId"
    role = _client("iam", url).create_role(RoleName="SignedRole", AssumeRolePolicyDocument=(
        '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":'
        '"cognito-identity.amazonaws.com"},"Action":"sts:AssumeRoleWithWebIdentity"}]}'))["Role"]
    assert role["Arn"] == f"arn:aws:iam::{ACCOUNT}:role/SignedRole"
