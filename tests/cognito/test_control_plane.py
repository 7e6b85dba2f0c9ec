"""Who may call what: SigV4 on the control plane, unsigned user operations, region and account scoping."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import botocore
import pytest
from botocore.config import Config

from ..conftest import cognito_client
from ..support import Server, start_server, stop_server
from .helpers import PASSWORD, error_of, new_client, new_pool, outbox, unique

ACCOUNT = "111122223333"
OTHER_ACCOUNT = "444455556666"


def _client(url: str, key: str, secret: str, region: str = "us-east-1") -> Any:
    return boto3.client("cognito-idp", endpoint_url=url, region_name=region, aws_access_key_id=key,
                        aws_secret_access_key=secret, config=Config(retries={"max_attempts": 0}))


def _unsigned(url: str) -> Any:
    return boto3.client("cognito-idp", endpoint_url=url, region_name="us-east-1",
                        config=Config(signature_version=botocore.UNSIGNED, retries={"max_attempts": 0}))


@pytest.fixture(scope="module")
def signed_server() -> Iterator[Server]:
    """A server that accepts only its configured keys (no --allow-reset either: see test_server.py)."""
    srv = start_server("--no-demo", "--credentials", f"AKIDPOOLGATE0001:s3cret-poolgate-key-01:{ACCOUNT}",
                       "--credentials", f"AKIDOTHER0000001:0ther-secret-key-0001:{OTHER_ACCOUNT}", allow_reset=False)
    try:
        yield srv
    finally:
        stop_server(srv)


def test_admin_call_without_signature_is_refused(server: Server, idp: Any) -> None:
    pool_id = new_pool(idp)
    for call, kwargs in ((_unsigned(server.url).admin_get_user, {"UserPoolId": pool_id, "Username": "x"}),
                         (_unsigned(server.url).create_user_pool, {"PoolName": "p"}),
                         (_unsigned(server.url).list_user_pools, {"MaxResults": 10})):
        err = error_of(call, **kwargs)
        assert (err.code, err.message, err.status) == ("MissingAuthenticationTokenException",
                                                         "Missing Authentication Token", 400)


def test_configured_credentials(signed_server: Server) -> None:
    url = signed_server.url
    admin = _client(url, "AKIDPOOLGATE0001", "s3cret-poolgate-key-01")
    pool = admin.create_user_pool(PoolName=unique("pool"), AutoVerifiedAttributes=["email"])["UserPool"]
    assert pool["Arn"] == f"arn:aws:cognito-idp:us-east-1:{ACCOUNT}:userpool/{pool['Id']}"
    client_id = new_client(admin, pool["Id"])["ClientId"]

    wrong_secret = error_of(_client(url, "AKIDPOOLGATE0001", "not-the-secret").describe_user_pool,
                            UserPoolId=pool["Id"])
    assert (wrong_secret.code, wrong_secret.status) == ("InvalidSignatureException", 400)
    assert wrong_secret.message.startswith("The request signature we calculated does not match the signature you "
                                           "provided.")
    unknown_key = error_of(_client(url, "AKIDUNKNOWN00001", "s3cret-poolgate-key-01").describe_user_pool,
                           UserPoolId=pool["Id"])
    assert unknown_key == type(unknown_key)("UnrecognizedClientException",
                                            "The security token included in the request is invalid.", 400)
    missing = error_of(_unsigned(url).describe_user_pool, UserPoolId=pool["Id"])
    assert missing.code == "MissingAuthenticationTokenException"

    # Unsigned user operations find the pool through the app client id or the access token.
    user = _unsigned(url)
    user.sign_up(ClientId=client_id, Username="ivy", Password=PASSWORD,
                 UserAttributes=[{"Name": "email", "Value": "ivy@example.com"}])
    admin.admin_confirm_sign_up(UserPoolId=pool["Id"], Username="ivy")
    tokens = user.initiate_auth(ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH",
                                AuthParameters={"USERNAME": "ivy", "PASSWORD": PASSWORD})["AuthenticationResult"]
    assert user.get_user(AccessToken=tokens["AccessToken"])["Username"] == "ivy"
    # Codes are credentials: outside local mode they stay in the outbox and out of the log.
    code = outbox(signed_server, pool["Id"], "ivy")[-1].code
    assert code and code not in signed_server.log()

    # Another account's keys do not see this account's pool.
    other = _client(url, "AKIDOTHER0000001", "0ther-secret-key-0001")
    err = error_of(other.describe_user_pool, UserPoolId=pool["Id"])
    assert (err.code, err.message) == ("ResourceNotFoundException", f"User pool {pool['Id']} does not exist.")
    assert pool["Id"] not in {p["Id"] for p in other.list_user_pools(MaxResults=60)["UserPools"]}


def test_region_comes_from_the_credential_scope(server: Server) -> None:
    europe = cognito_client(server.url, region="eu-west-1")
    america = cognito_client(server.url, region="us-east-1")
    pool_id = new_pool(europe)
    assert pool_id.startswith("eu-west-1_")
    assert europe.describe_user_pool(UserPoolId=pool_id)["UserPool"]["Arn"].startswith(
        "arn:aws:cognito-idp:eu-west-1:")
    err = error_of(america.describe_user_pool, UserPoolId=pool_id)
    assert (err.code, err.message, err.status) == ("ResourceNotFoundException",
                                                     f"User pool {pool_id} does not exist.", 400)
    assert error_of(america.admin_get_user, UserPoolId=pool_id, Username="x").code == "ResourceNotFoundException"
    assert pool_id not in {p["Id"] for p in america.list_user_pools(MaxResults=60)["UserPools"]}
    assert pool_id in {p["Id"] for p in europe.list_user_pools(MaxResults=60)["UserPools"]}
    # A made-up region in the credential scope is refused (it would name pools).
    err = error_of(cognito_client(server.url, region="nowhere").list_user_pools, MaxResults=1)
    assert (err.code, err.message) == ("InvalidSignatureException",
                                       "Credential should be scoped to a valid region, not 'nowhere'. ")
