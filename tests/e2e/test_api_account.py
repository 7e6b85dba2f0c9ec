"""File-declared APIs belong to an account (``account:`` on an ``apis:`` entry, default the server's
000000000000): as on AWS, an IAM user of the API's own account whose identity policy allows
execute-api:Invoke is allowed without a resource policy; a user of another account is not
(https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-authorization-flow.html).
Requests are signed with botocore's SigV4 signer."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
import yaml
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from poolgate.config import ConfigError
from poolgate.server import read_config  # every section, as `poolgate serve` reads the file
from tests.support import Server, start_server, stop_server

OWNER = "111122223333"
ALICE = Credentials("AKIAALICE00000000001", "alice-secret-key-0000000000000000000000")  # of OWNER
BOB = Credentials("AKIABOB0000000000001", "bob-secret-key-00000000000000000000000")  # of another account
INVOKE_ALL = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "execute-api:Invoke",
                                                      "Resource": "*"}]}
ROUTE = {"/ping": {"GET": {"authorization": "AWS_IAM",
                           "integration": {"type": "MOCK", "statusCode": 200, "body": '{"pong":true}'}}}}


def _config(owned: dict[str, object]) -> dict[str, object]:
    return {
        "apis": [{"id": "ownedapi01", "name": "Owned", **owned, "resources": ROUTE},
                 {"id": "serverapi1", "name": "Server's", "resources": ROUTE}],
        "iam": {"accounts": [OWNER, "444455556666"], "users": [
            {"account": OWNER, "name": "alice", "accessKeys": [{"id": ALICE.access_key, "secret": ALICE.secret_key}],
             "policies": [INVOKE_ALL]},
            {"account": "444455556666", "name": "bob", "accessKeys": [{"id": BOB.access_key, "secret": BOB.secret_key}],
             "policies": [INVOKE_ALL]}]}}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    path = tmp_path_factory.mktemp("account") / "poolgate.yaml"
    path.write_text(yaml.safe_dump(_config({"account": OWNER})))
    srv = start_server("--config", str(path))
    try:
        yield srv
    finally:
        stop_server(srv)


def _get(server: Server, api: str, credentials: Credentials) -> requests.Response:
    url = f"{server.url}/restapis/{api}/prod/_user_request_/ping"
    request = AWSRequest(method="GET", url=url)
    SigV4Auth(credentials, "execute-api", "us-east-1").add_auth(request)
    return requests.get(url, headers=dict(request.headers), timeout=10)


def test_a_user_of_the_apis_account_needs_no_resource_policy(server: Server) -> None:
    response = _get(server, "ownedapi01", ALICE)
    assert (response.status_code, response.json()) == (200, {"pong": True})


@pytest.mark.parametrize(("api", "credentials", "who"), [
    ("ownedapi01", BOB, "arn:aws:iam::444455556666:user/bob"),
    ("serverapi1", ALICE, f"arn:aws:iam::{OWNER}:user/alice"),  # no account: the server's 000000000000
], ids=["other-account-user", "api-of-the-servers-account"])
def test_a_user_of_another_account_needs_the_resource_policy(server: Server, api: str, credentials: Credentials,
                                                             who: str) -> None:
    response = _get(server, api, credentials)
    assert response.status_code == 403
    assert response.json()["Message"].startswith(f"User: {who} is not authorized to perform: execute-api:Invoke")


@pytest.mark.parametrize(("account", "problem"), [
    ("12345", 'must be a 12-digit AWS account id, quoted (e.g. "111122223333")'),
    ("abcdefghijkl", 'must be a 12-digit AWS account id, quoted (e.g. "111122223333")'),
])
def test_the_account_must_be_an_account_id(tmp_path: Path, account: str, problem: str) -> None:
    path = tmp_path / "poolgate.yaml"
    path.write_text(yaml.safe_dump(_config({"account": account})))
    with pytest.raises(ConfigError) as caught:
        read_config(path)
    assert str(caught.value) == f"{path}: $.apis[0].account: {problem}"


def test_an_unquoted_account_id_is_read_as_written(tmp_path: Path) -> None:
    path = tmp_path / "poolgate.yaml"
    path.write_text(yaml.safe_dump(_config({})).replace("name: Owned", f"name: Owned\n  account: {OWNER}"))
    read_config(path)  # 111122223333 read by YAML as a number: accepted, its 12 digits intact
