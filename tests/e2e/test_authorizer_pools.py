"""A Cognito authorizer naming a user pool that does not exist refuses the start (it would answer every request
401 with nothing logged); a refused request says why at INFO, without the token."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
import requests
import yaml

from tests.conftest import cognito_client
from tests.support import start_server, stop_server

POOL = "us-east-1_AuthzPool1"
CLIENT = "authzpoolclient00000000001"
MISSING_ARN = "arn:aws:cognito-idp:us-east-1:000000000000:userpool/us-east-1_NoSuchPool9"


def _config(tmp: Path, provider: str) -> Path:
    config: dict[str, Any] = {
        "userPools": [{"id": POOL, "name": "authz",
                       "clients": [{"id": CLIENT, "name": "web", "explicitAuthFlows": ["ALLOW_USER_PASSWORD_AUTH"]}],
                       "users": [{"username": "amy", "password": "Passw0rd!az"}]}],
        "apis": [{"id": "authzapi01", "name": "authz",
                  "authorizers": {"Pool": {"type": "COGNITO_USER_POOLS", "providerARNs": [provider]}},
                  "resources": {"/me": {"GET": {"authorizer": "Pool", "integration": {
                      "type": "MOCK", "statusCode": 200, "body": "{}"}}}},
                  "stages": {"prod": {}}}],
    }
    path = tmp / "poolgate.yaml"
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    return path


def test_an_authorizer_naming_a_missing_pool_refuses_the_start(tmp_path: Path) -> None:
    path = _config(tmp_path, MISSING_ARN)
    with pytest.raises(RuntimeError) as failed:
        server = start_server("--config", str(path), wait=30)
        stop_server(server)  # pragma: no cover - reached only when the start is (wrongly) not refused
    message = str(failed.value)
    assert "exited with" in message
    assert str(path) in message and "API authzapi01" in message and "authorizer 'Pool'" in message
    assert f"user pool {MISSING_ARN} does not exist" in message
    assert "Traceback" not in message


def test_a_pool_the_same_file_declares_is_found_and_refusals_say_why(tmp_path: Path) -> None:
    arn = f"arn:aws:cognito-idp:us-east-1:000000000000:userpool/{POOL}"
    server = start_server("--config", str(_config(tmp_path, arn)))
    try:
        url = f"{server.url}/restapis/authzapi01/prod/_user_request_/me"
        token = cognito_client(server.url).initiate_auth(
            ClientId=CLIENT, AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": "amy", "PASSWORD": "Passw0rd!az"})["AuthenticationResult"]["IdToken"]
        assert requests.get(url, headers={"Authorization": token}, timeout=10).status_code == 200
        head, body, signature = token.split(".")
        forged = f"{head}.{body}.{signature[:-8]}AAAAAAAA"
        expected = {
            requests.get(url, headers={"Authorization": forged}, timeout=10).headers["x-amzn-requestid"]:
                "Pool: bad signature",
            requests.get(url, headers={"Authorization": token + "=="}, timeout=10).headers["x-amzn-requestid"]:
                "Pool: malformed token",
            requests.get(url, timeout=10).headers["x-amzn-requestid"]: "Pool: no token in the authorization header",
        }
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and not all(rid in server.log() for rid in expected):
            time.sleep(0.1)
        log = server.log()
        for rid, reason in expected.items():
            line = next(line for line in log.splitlines() if line.startswith(rid))
            assert " 401 " in line and line.endswith(f"authorizer refused: {reason}"), line
        assert signature[:40] not in log and forged[-40:] not in log  # no token, no part of one
    finally:
        stop_server(server)


OPENAPI = """
openapi: 3.0.1
info: {title: missing pool, version: "1"}
components:
  securitySchemes:
    Pets:
      type: apiKey
      name: Authorization
      in: header
      x-amazon-apigateway-authtype: cognito_user_pools
      x-amazon-apigateway-authorizer:
        type: cognito_user_pools
        providerARNs: [%s]
paths:
  /pets:
    get:
      security: [{Pets: []}]
      x-amazon-apigateway-integration: {type: mock, requestTemplates: {application/json: '{"statusCode": 200}'}}
"""


def test_an_openapi_authorizer_naming_a_missing_pool_refuses_the_start(tmp_path: Path) -> None:
    (tmp_path / "api.yaml").write_text(OPENAPI % MISSING_ARN)
    path = tmp_path / "poolgate.yaml"
    path.write_text(yaml.safe_dump({"apis": [{"id": "oasmissing", "openapi": "./api.yaml", "stages": {"prod": {}}}]}))
    with pytest.raises(RuntimeError) as failed:
        server = start_server("--config", str(path), wait=30)
        stop_server(server)  # pragma: no cover - reached only when the start is (wrongly) not refused
    message = str(failed.value)
    assert str(tmp_path / "api.yaml") in message  # the file that declares the authorizer
    assert "API oasmissing" in message and "authorizer 'Pets'" in message, message[-1500:]
    assert f"user pool {MISSING_ARN} does not exist" in message
