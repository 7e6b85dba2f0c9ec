"""examples/complete/ (the README's poolgate.yaml, with every file it names) starts and serves what it declares.

The only change made to run it here: the files upstream listens on a free port instead of 9000 (a test may
not take a fixed port); it is the folder's own static/ served by ``python -m http.server``, as the README says.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import jwt
import pytest
import requests
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from tests.support import Server, free_port, start_server, stop_server

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "complete"
ALICE = Credentials("AKIAALICE0000000001", "alice-secret-never-logged")  # the example's iam: user
CLIENT = "securepetsdemo0client0001a"


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    folder = tmp_path_factory.mktemp("example") / "complete"
    shutil.copytree(EXAMPLE, folder)
    port = free_port()
    config = folder / "poolgate.yaml"
    config.write_text(config.read_text().replace("127.0.0.1:9000", f"127.0.0.1:{port}"))
    upstream = subprocess.Popen([sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1",
                                 "--directory", str(folder / "static")], stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
    try:
        _wait_for(port)
        server = start_server("--config", str(config))
        try:
            yield server
        finally:
            stop_server(server)
    finally:
        upstream.terminate()
        upstream.wait(timeout=10)


def _wait_for(port: int) -> None:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            requests.get(f"http://127.0.0.1:{port}/", timeout=1)
            return
        except requests.RequestException:
            time.sleep(0.1)
    raise RuntimeError("the files upstream did not start")


def _invoke(server: Server, api: str, path: str) -> str:
    return f"{server.url}/restapis/{api}/prod/_user_request_{path}"


def _signed_get(url: str, credentials: Credentials) -> requests.Response:
    request = AWSRequest(method="GET", url=url)
    SigV4Auth(credentials, "execute-api", "us-east-1").add_auth(request)
    return requests.get(url, headers=dict(request.headers), timeout=10)


def _tokens(server: Server) -> dict[str, Any]:
    idp = boto3.client("cognito-idp", endpoint_url=server.url, region_name="us-east-1",
                       aws_access_key_id="AKIDTEST", aws_secret_access_key="secret")
    result: dict[str, Any] = idp.initiate_auth(
        ClientId=CLIENT, AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": "demo", "PASSWORD": "Demo-Passw0rd!"})["AuthenticationResult"]
    return result


def test_its_iam_user_calls_its_own_aws_iam_route(example: Server) -> None:
    """alice (account 111122223333, an identity policy allowing execute-api:Invoke) calls the AWS_IAM route of
    inlineapi1, which that account owns (``account:``): allowed without a resource policy, as on AWS."""
    response = _signed_get(_invoke(example, "inlineapi1", "/files/hello.txt"), ALICE)
    assert response.status_code == 200, response.text
    assert response.text == (EXAMPLE / "static" / "v1" / "hello.txt").read_text()
    unsigned = requests.get(_invoke(example, "inlineapi1", "/files/hello.txt"), timeout=10)
    assert unsigned.status_code == 403
    assert unsigned.json() == {"message": "Missing Authentication Token"}


def test_the_pool_signs_in_its_user_and_runs_its_trigger(example: Server) -> None:
    claims = jwt.decode(_tokens(example)["IdToken"], options={"verify_signature": False})
    assert claims["cognito:username"] == "demo"
    assert claims["cognito:groups"] == ["petowners"]
    assert claims["pets:tier"] == "owner"  # functions/triggers.py, the pool's PreTokenGeneration


@pytest.mark.parametrize("api", ["securepets", "inlineapi1"])
def test_both_apis_serve_pets_behind_the_pool(example: Server, api: str) -> None:
    url = _invoke(example, api, "/pets")
    assert requests.get(url, timeout=10).status_code == 401
    response = requests.get(url, headers={"Authorization": _tokens(example)["IdToken"]}, timeout=10)
    assert response.status_code == 200
    assert {pet["name"] for pet in response.json()} >= {"Rex", "Tom"}


def test_a_scoped_method_wants_an_access_token_with_the_scope(example: Server) -> None:
    """/pets/{petId} lists pets/read: an ID token is refused there (AWS: only access tokens carry scopes)."""
    response = requests.get(_invoke(example, "inlineapi1", "/pets/1"),
                            headers={"Authorization": _tokens(example)["IdToken"]}, timeout=10)
    assert response.status_code == 401


def test_the_health_route_takes_the_declared_api_key(example: Server) -> None:
    url = _invoke(example, "inlineapi1", "/health")
    assert requests.get(url, timeout=10).status_code == 403
    response = requests.get(url, headers={"x-api-key": "partner-a-key-0000000001"}, timeout=10)
    assert (response.status_code, response.json()) == (200, {"ok": True})


def test_the_resource_server_is_declared_in_the_apis_spelling(example: Server) -> None:
    idp = boto3.client("cognito-idp", endpoint_url=example.url, region_name="us-east-1",
                       aws_access_key_id="AKIDTEST", aws_secret_access_key="secret")
    server = idp.describe_resource_server(UserPoolId="us-east-1_SecurePet", Identifier="pets")["ResourceServer"]
    assert server["Scopes"] == [{"ScopeName": "read", "ScopeDescription": "Read pets"}]
