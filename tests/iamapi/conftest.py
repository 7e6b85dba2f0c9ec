"""A server with an AWS_IAM API (``GET /allowed``, ``GET /other`` → an echo function) and no IAM principals in its
poolgate.yaml: every user, key and policy the tests use is made through the IAM API."""

from __future__ import annotations

import json
from collections.abc import Iterator
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
from botocore.exceptions import ClientError

from tests.support import Server, start_server, stop_server

ACCOUNT = "000000000000"
API = "iamusersapi"
BACKEND = '''
import json


def echo(event, context):
    return {"statusCode": 200, "body": json.dumps({"identity": event["requestContext"]["identity"]})}
'''


def write_config(tmp: Path) -> Path:
    (tmp / "functions").mkdir()
    (tmp / "functions" / "backend.py").write_text(BACKEND)
    method = {"authorization": "AWS_IAM", "integration": {"type": "AWS_PROXY", "function": "echo"}}
    config = {"functions": {"echo": {"handler": "backend.echo", "code": "./functions"}},
              "apis": [{"id": API, "name": "IAM users", "resources": {"/allowed": {"GET": method},
                                                                       "/other": {"GET": method}}}]}
    path = tmp / "poolgate.yaml"
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    return path


@pytest.fixture(scope="package")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    srv = start_server("--config", str(write_config(tmp_path_factory.mktemp("iamapi"))))
    try:
        yield srv
    finally:
        stop_server(srv)


def iam_client(url: str) -> Any:
    return boto3.client("iam", endpoint_url=url, region_name="us-east-1", aws_access_key_id="AKIDTEST",
                        aws_secret_access_key="secret", config=Config(retries={"max_attempts": 0}))


def error(excinfo: pytest.ExceptionInfo[ClientError]) -> tuple[str, str, int]:
    response = excinfo.value.response
    return response["Error"]["Code"], response["Error"]["Message"], response["ResponseMetadata"]["HTTPStatusCode"]


def allow(*paths: str) -> str:
    """A policy document allowing GET on the test API's `paths`."""
    return json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "execute-api:Invoke",
         "Resource": [f"arn:aws:execute-api:us-east-1:{ACCOUNT}:{API}/prod/GET/{p}" for p in paths]}]})


def signed_get(url: str, key_id: str, secret: str, path: str) -> requests.Response:
    """A GET to the AWS_IAM API signed by botocore with an access key (no session token)."""
    request = AWSRequest(method="GET", url=f"{url}/restapis/{API}/prod/_user_request_/{path}")
    SigV4Auth(Credentials(key_id, secret), "execute-api", "us-east-1").add_auth(request)
    return requests.get(request.url, headers=dict(request.headers.items()), timeout=30)
