"""Two server processes on one PostgreSQL database: GetId racing for one login through both makes one identity,
and credentials handed out by one process sign requests the other accepts."""

from __future__ import annotations

import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import yaml

from tests.conftest import _require_postgres
from tests.support import Server, temporary_postgres_database, two_servers

from .conftest import (
    ACCOUNT,
    API,
    BACKEND,
    _allow,
    alice_credentials,
    identity_client,
    make_user_pool,
    role_arn,
    signed_get,
    trust,
)


@pytest.fixture(scope="module")
def servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Server, Server]]:
    _require_postgres()
    tmp: Path = tmp_path_factory.mktemp("identity-pools-pg")
    (tmp / "functions").mkdir()
    (tmp / "functions" / "backend.py").write_text(BACKEND)
    config = {
        "functions": {"echo": {"handler": "backend.echo", "code": "./functions"}},
        "iam": {"roles": [{"account": ACCOUNT, "name": "CognitoAuthRole", "policies": [_allow("allowed")],
                            "trustPolicy": trust()}]},
        "apis": [{"id": API, "name": "Identity pools", "resources": {"/allowed": {"GET": {
            "authorization": "AWS_IAM", "integration": {"type": "AWS_PROXY", "function": "echo"}}}}}],
    }
    (tmp / "poolgate.yaml").write_text(yaml.safe_dump(config, sort_keys=False))
    with (temporary_postgres_database() as url,
          two_servers("--config", str(tmp / "poolgate.yaml"), database_url=url) as both):
        yield both


def test_two_processes_agree_on_one_identity_and_its_credentials(servers: tuple[Server, Server]) -> None:
    first, second = servers
    # AWS's issuer, as both processes spell it (poolgate's own issuer names the process's port).
    user_pool = make_user_pool(first.url, UserPoolTags={"poolgate:issuer": "aws"})
    client = identity_client(first.url)
    identity_pool = client.create_identity_pool(
        IdentityPoolName="pg", AllowUnauthenticatedIdentities=False,
        CognitoIdentityProviders=[{"ProviderName": user_pool.provider, "ClientId": user_pool.client_id}]
    )["IdentityPoolId"]
    client.set_identity_pool_roles(IdentityPoolId=identity_pool, Roles={"authenticated": role_arn("CognitoAuthRole")})
    logins = {user_pool.provider: user_pool.sign_in("alice")}

    def get_id(i: int) -> str:
        url = (first, second)[i % 2].url
        return str(identity_client(url).get_id(IdentityPoolId=identity_pool, Logins=logins)["IdentityId"])

    with ThreadPoolExecutor(16) as pool:
        ids = set(pool.map(get_id, range(48)))
    assert len(ids) == 1
    identity_id = ids.pop()
    credentials = identity_client(first.url).get_credentials_for_identity(IdentityId=identity_id,
                                                                         Logins=logins)["Credentials"]
    response = signed_get(second, credentials, "allowed")
    assert response.status_code == 200, response.text
    assert response.json()["identity"]["cognitoIdentityId"] == identity_id


def test_a_role_policy_changed_through_one_process_applies_in_the_other(servers: tuple[Server, Server]) -> None:
    import json

    import boto3
    import requests

    first, second = servers
    iam = boto3.client("iam", endpoint_url=first.url, region_name="us-east-1", aws_access_key_id="AKIDTEST",
                       aws_secret_access_key="secret")
    arn = iam.create_role(RoleName=f"Shared{time.monotonic_ns()}", AssumeRolePolicyDocument=json.dumps(trust())
                          )["Role"]["Arn"]
    user_pool = make_user_pool(first.url, UserPoolTags={"poolgate:issuer": "aws"})
    _, credentials = alice_credentials(identity_client(second.url), user_pool, arn, "shared")
    assert signed_get(second, credentials, "allowed").status_code == 403  # the role has no policy yet
    iam.put_role_policy(RoleName=arn.rsplit("/", 1)[-1], PolicyName="invoke", PolicyDocument=json.dumps(
        _allow("allowed")))
    deadline = time.monotonic() + 5
    response: requests.Response | None = None
    while time.monotonic() < deadline:
        response = signed_get(second, credentials, "allowed")
        if response.status_code == 200:
            break
        time.sleep(0.2)
    assert response is not None and response.status_code == 200, response.text if response else None
