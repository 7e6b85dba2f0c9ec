"""Tokens from SRP sign-ins (pycognito, amazon-cognito-identity-js) open a Cognito-protected API, and a
PreTokenGeneration trigger's claims reach the Lambda-proxy handler behind it."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
import yaml

from ..support import Server, start_server, stop_server
from .conftest import HANDLERS, PASSWORD
from .test_srp_clients import JS_DIR, _node, _pycognito

POOL = "us-east-1_SrpGate01"
CLIENT = "srpgateclient0000000000001"
API = "srpgateapi"
ECHO = '''
import json

def echo(event, context):
    return {"statusCode": 200, "body": json.dumps(event["requestContext"]["authorizer"]["claims"])}
'''


@pytest.fixture(scope="module")
def gateway(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    tmp = tmp_path_factory.mktemp("srp-gateway")
    (tmp / "fn").mkdir()
    (tmp / "fn" / "echo.py").write_text(ECHO)
    config = {
        "userPools": [{
            "id": POOL, "name": "SrpGate",
            "settings": {"LambdaConfig": {
                "PreTokenGeneration": "arn:aws:lambda:us-east-1:000000000000:function:pretoken"}},
            "clients": [{"id": CLIENT, "name": "web", "explicitAuthFlows": ["ALLOW_USER_SRP_AUTH",
                                                                            "ALLOW_REFRESH_TOKEN_AUTH"]}],
            "users": [{"username": "sam", "password": PASSWORD, "attributes": {"email": "sam@example.com"}}],
        }],
        "functions": {"pretoken": {"handler": "triggers.pre_token_generation", "code": str(HANDLERS)},
                      "echo": {"handler": "echo.echo", "code": "./fn"}},
        "apis": [{"id": API, "name": "SRP gateway",
                  "authorizers": {"Pool": {"type": "COGNITO_USER_POOLS", "providerARNs": [POOL]}},
                  "resources": {"/me": {"GET": {"authorizer": "Pool",
                                                "integration": {"type": "AWS_PROXY", "function": "echo"}}}},
                  "stages": {"prod": {}}}],
    }
    path = tmp / "poolgate.yaml"
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    server = start_server("--config", str(path))
    try:
        yield server
    finally:
        stop_server(server)


def _call(server: Server, id_token: str) -> requests.Response:
    return requests.get(f"{server.url}/restapis/{API}/prod/_user_request_/me",
                        headers={"Authorization": id_token}, timeout=10)


def test_pycognito_token_opens_the_api_with_trigger_claims(gateway: Server) -> None:
    assert _call(gateway, "not-a-token").status_code == 401
    user = _pycognito(gateway.url, POOL, CLIENT, "sam")
    user.authenticate(password=PASSWORD)
    answer = _call(gateway, user.id_token)
    assert answer.status_code == 200, answer.text
    claims: dict[str, Any] = answer.json()
    assert claims["cognito:username"] == "sam"
    assert claims["tier"] == "gold"  # added by the PreTokenGeneration handler
    assert claims["email"] == "override@example.com"  # overridden by it
    assert claims["cognito:groups"] == "vip"  # groups overridden by it


@pytest.mark.node
def test_amazon_cognito_identity_js_token_opens_the_api(gateway: Server) -> None:
    node = _node()
    run = subprocess.run([node, str(Path(JS_DIR) / "srp.mjs")], cwd=JS_DIR, capture_output=True, text=True,
                         timeout=60, input=json.dumps({"endpoint": gateway.url + "/", "userPoolId": POOL,
                                                       "clientId": CLIENT, "username": "sam", "password": PASSWORD}))
    assert run.returncode == 0, run.stderr + run.stdout
    answer = _call(gateway, json.loads(run.stdout)["idToken"])
    assert answer.status_code == 200, answer.text
    assert answer.json()["tier"] == "gold"
