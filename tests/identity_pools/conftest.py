"""A server with an AWS_IAM API and IAM roles for identity pools, a user pool with a signed-in user, helpers."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import pytest
import requests
import yaml
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials

from tests.conftest import cognito_client
from tests.support import Server, start_server, stop_server

ACCOUNT = "000000000000"
API = "idpoolapi1"
TTL = 4
"""Seconds the identity pool's temporary credentials last on the test server (POOLGATE_IDENTITY_CREDENTIALS_SECONDS)."""


def role_arn(name: str) -> str:
    return f"arn:aws:iam::{ACCOUNT}:role/{name}"


def _allow(*paths: str) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "execute-api:Invoke",
         "Resource": [f"arn:aws:execute-api:us-east-1:{ACCOUNT}:{API}/prod/GET/{p}" for p in paths]}]}


def trust(amr: str = "authenticated", aud: str = "us-east-1:*") -> dict[str, Any]:
    """A Cognito trust policy as the Cognito console writes it (Cognito DG "Role trust and permissions")."""
    return {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"Federated": "cognito-identity.amazonaws.com"},
        "Action": "sts:AssumeRoleWithWebIdentity",
        "Condition": {"StringLike": {"cognito-identity.amazonaws.com:aud": aud},
                      "ForAnyValue:StringLike": {"cognito-identity.amazonaws.com:amr": amr}}}]}


BACKEND = '''
import json


def echo(event, context):
    return {"statusCode": 200, "body": json.dumps({"identity": event["requestContext"]["identity"]})}
'''


def write_config(tmp: Path) -> Path:
    """The test servers' poolgate.yaml: an echo function behind AWS_IAM methods, and the roles."""
    (tmp / "functions").mkdir()
    (tmp / "functions" / "backend.py").write_text(BACKEND)
    iam_method = {"authorization": "AWS_IAM", "integration": {"type": "AWS_PROXY", "function": "echo"}}
    config = {
        "functions": {"echo": {"handler": "backend.echo", "code": "./functions"}},
        "iam": {"roles": [
            {"account": ACCOUNT, "name": "CognitoAuthRole", "policies": [_allow("allowed")], "trustPolicy": trust()},
            {"account": ACCOUNT, "name": "CognitoAdminRole", "policies": [_allow("allowed", "admin")],
             "trustPolicy": trust()},
            {"account": ACCOUNT, "name": "CognitoGuestRole", "policies": [_allow("public")],
             "trustPolicy": trust("unauthenticated")},
            {"account": ACCOUNT, "name": "OtherPoolRole", "policies": [_allow("allowed")],
             "trustPolicy": trust(aud="us-east-1:00000000-0000-0000-0000-000000000000")},
            {"account": ACCOUNT, "name": "UntrustedRole", "policies": [_allow("allowed")]},
        ]},
        "apis": [{"id": API, "name": "Identity pools",
                  "resources": {f"/{p}": {"GET": iam_method} for p in ("allowed", "forbidden", "admin", "public")}}],
    }
    path = tmp / "poolgate.yaml"
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    return path


@pytest.fixture(scope="package")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    path = write_config(tmp_path_factory.mktemp("identity-pools"))
    srv = start_server("--config", str(path), env={"POOLGATE_IDENTITY_CREDENTIALS_SECONDS": str(TTL)})
    try:
        yield srv
    finally:
        stop_server(srv)


def identity_client(url: str, **config: Any) -> Any:
    return boto3.client("cognito-identity", endpoint_url=url, region_name="us-east-1", aws_access_key_id="AKIDTEST",
                        aws_secret_access_key="secret", config=Config(retries={"max_attempts": 0}, **config))


@dataclass
class UserPool:
    idp: Any
    pool_id: str
    client_id: str
    provider: str

    def sign_in(self, username: str, password: str = "Passw0rd!x") -> str:
        result = self.idp.initiate_auth(ClientId=self.client_id, AuthFlow="USER_PASSWORD_AUTH",
                                        AuthParameters={"USERNAME": username, "PASSWORD": password})
        return str(result["AuthenticationResult"]["IdToken"])

    def add_user(self, username: str, password: str = "Passw0rd!x") -> None:
        self.idp.admin_create_user(UserPoolId=self.pool_id, Username=username, MessageAction="SUPPRESS")
        self.idp.admin_set_user_password(UserPoolId=self.pool_id, Username=username, Password=password,
                                         Permanent=True)


def make_user_pool(url: str, name: str | None = None, **params: Any) -> UserPool:
    """A user pool with an app client (USER_PASSWORD_AUTH, refresh) and the user alice; `params` go to
    CreateUserPool (e.g. UserPoolTags)."""
    idp = cognito_client(url)
    pool_id = idp.create_user_pool(PoolName=name or f"p{time.monotonic_ns()}", **params)["UserPool"]["Id"]
    client_id = idp.create_user_pool_client(UserPoolId=pool_id, ClientName="app",
                                            ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH",
                                                               "ALLOW_REFRESH_TOKEN_AUTH"])["UserPoolClient"]["ClientId"]
    pool = UserPool(idp, pool_id, client_id, f"cognito-idp.us-east-1.amazonaws.com/{pool_id}")
    pool.add_user("alice")
    return pool


@pytest.fixture
def user_pool(server: Server) -> UserPool:
    return make_user_pool(server.url)


def alice_credentials(client: Any, user_pool: UserPool, role: str, name: str) -> tuple[str, dict[str, Any]]:
    """An identity pool `name` trusting `user_pool`, `role` its authenticated role; alice's identity id and the
    temporary credentials GetCredentialsForIdentity gives her."""
    identity_pool = client.create_identity_pool(
        IdentityPoolName=name, AllowUnauthenticatedIdentities=False,
        CognitoIdentityProviders=[{"ProviderName": user_pool.provider}])["IdentityPoolId"]
    client.set_identity_pool_roles(IdentityPoolId=identity_pool, Roles={"authenticated": role})
    logins = {user_pool.provider: user_pool.sign_in("alice")}
    identity_id = client.get_id(IdentityPoolId=identity_pool, Logins=logins)["IdentityId"]
    credentials = client.get_credentials_for_identity(IdentityId=identity_id, Logins=logins)["Credentials"]
    return str(identity_id), credentials


def signed_get(server: Server, credentials: dict[str, Any], path: str) -> requests.Response:
    """A GET to the AWS_IAM API signed by botocore with the identity's temporary credentials."""
    url = f"{server.url}/restapis/{API}/prod/_user_request_/{path}"
    request = AWSRequest(method="GET", url=url)
    SigV4Auth(Credentials(credentials["AccessKeyId"], credentials["SecretKey"], credentials["SessionToken"]),
              "execute-api", "us-east-1").add_auth(request)
    return requests.get(url, headers=dict(request.headers.items()), timeout=30)
