"""One ``$context`` for every consumer, on the wire: a gateway response template, the proxy event's
``requestContext`` (which the REQUEST Lambda authorizer's event reuses) and the access log give the same values for
the same resource; ``$context.path`` carries the stage everywhere (gateway responses used to lack it).
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
import yaml

from tests.support import Server, start_server, stop_server

API = "ctxvars001"
POOL = "us-east-1_CtxVars01"
COMPARED = ["path", "stage", "resourcePath", "resourceId", "httpMethod", "domainName", "domainPrefix", "apiId",
            "accountId", "protocol", "identity.sourceIp", "identity.userAgent"]
HANDLERS = '''
import json
def echo(event, context):
    return {"statusCode": 200, "body": json.dumps(event["requestContext"])}
def allow(event, context):
    rc = event["requestContext"]
    return {"principalId": "p", "context": {"path": rc["path"], "stage": rc["stage"]},
            "policyDocument": {"Version": "2012-10-17", "Statement": [
                {"Effect": "Allow", "Action": "execute-api:Invoke", "Resource": event["methodArn"]}]}}
'''


def _template() -> str:
    return "{" + ",".join(f'"{name}":"$context.{name}"' for name in [*COMPARED, "requestId"]) + "}"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    tmp: Path = tmp_path_factory.mktemp("ctxvars")
    (tmp / "functions").mkdir()
    (tmp / "functions" / "handlers.py").write_text(HANDLERS)
    config = {
        "userPools": [{"id": POOL, "name": "ctx"}],
        "functions": {"echo": {"handler": "handlers.echo", "code": "./functions"},
                      "allow": {"handler": "handlers.allow", "code": "./functions"}},
        "apis": [{
            "id": API, "name": "context variables",
            "authorizers": {
                "Pool": {"type": "COGNITO_USER_POOLS", "providerARNs": [POOL]},
                "Lambda": {"type": "REQUEST", "identitySource": "context.path",
                           "authorizerUri": "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/"
                                            "arn:aws:lambda:us-east-1:000000000000:function:allow/invocations"},
            },
            "gatewayResponses": {"UNAUTHORIZED": {"statusCode": 401,
                                                  "responseTemplates": {"application/json": _template()}}},
            "resources": {"/items/{id}": {
                "GET": {"integration": {"type": "AWS_PROXY", "function": "echo"}},
                "POST": {"authorizer": "Pool", "integration": {"type": "AWS_PROXY", "function": "echo"}},
                "PUT": {"authorizer": "Lambda", "integration": {"type": "AWS_PROXY", "function": "echo"}},
            }},
            "stages": {"prod": {}},
        }],
    }
    path = tmp / "poolgate.yaml"
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    srv = start_server("--config", str(path))
    try:
        yield srv
    finally:
        stop_server(srv)


def _flat(request_context: dict[str, object], name: str) -> object:
    value: object = request_context
    for part in name.split("."):
        assert isinstance(value, dict)
        value = value[part]
    return value


def test_gateway_responses_proxy_events_and_authorizers_agree(server: Server) -> None:
    url = f"{server.url}/restapis/{API}/prod/_user_request_/items/a%20b"
    headers = {"User-Agent": "ctx-test/1"}
    event = requests.get(url, headers=headers, timeout=10).json()
    refused = requests.post(url, headers=headers, timeout=10)
    assert refused.status_code == 401, refused.text
    template = refused.json()
    assert template["path"] == "/prod/items/a%20b"  # with the stage, as in the proxy event
    for name in COMPARED:
        expected = _flat(event, name)
        if name == "httpMethod":
            expected = "POST"
        assert template[name] == expected, name
    assert template["requestId"] == refused.headers["x-amzn-requestid"]
    by_lambda = requests.put(url, headers=headers, timeout=10).json()
    assert by_lambda["authorizer"]["path"] == event["path"] == "/prod/items/a%20b"
    assert by_lambda["authorizer"]["stage"] == "prod"


def test_the_access_log_writes_the_same_values(server: Server) -> None:
    url = f"{server.url}/restapis/{API}/prod/_user_request_/items/7"
    refused = requests.post(url, timeout=10)
    request_id = refused.headers["x-amzn-requestid"]
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        lines = [line for line in server.log().splitlines() if line.startswith(request_id)]
        if lines:
            break
        time.sleep(0.1)
    assert lines, server.log()[-2000:]
    assert '"POST /items/{id} HTTP/1.1" 401 ' in lines[0]
    assert "authorizer refused: Pool: no token in the authorization header" in lines[0]
    assert json.loads(refused.text)["path"] == "/prod/items/7"
