"""Node.js and provided.al2023 functions behind a real server's data plane, as a Python one behaves: the
tutorial's handler verbatim behind a Cognito authorizer (401 without a token, 200 with one), the proxy event
and claims, base64 bodies, a CommonJS callback handler, a shell bootstrap, 502 on a malformed result, a
function error, a timeout and a crash, 504 when the integration's timeout passes first, and reserved
concurrency under real concurrent requests (then API Gateway's 500 for a throttled Lambda)."""

from __future__ import annotations

import base64
import json
import shutil
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
import requests
import yaml

from tests.conftest import cognito_client
from tests.support import IN_CI, Server, start_server, stop_server

if shutil.which("node") is None:
    if IN_CI:
        pytest.fail("node is not installed and CI=true")
    pytest.skip("node is not installed", allow_module_level=True)

POOL = "us-east-1_NodeGate1"
CLIENT = "nodegateclient000000000001"
PASSWORD = "Passw0rd!node"
API = "nodeapi001"

TUTORIAL = """export const handler = async (event) => {
  const response = {
    statusCode: 200,
    body: JSON.stringify('Hello from Lambda!'),
  };
  return response;
};
"""

ECHO = """export const handler = async (event, context) => {
  console.log('echo', event.path);
  if (event.path === '/binary') {
    return { statusCode: 200, headers: { 'Content-Type': 'image/png' }, isBase64Encoded: true,
             body: Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0xff]).toString('base64') };
  }
  return { statusCode: 200, headers: { 'X-Runtime': process.env.AWS_EXECUTION_ENV },
           multiValueHeaders: { 'X-Multi': ['a', 'b'] },
           body: JSON.stringify({ event, requestId: context.awsRequestId, pid: process.pid }) };
};
"""

CALLBACK = """exports.handler = (event, context, callback) => {
  setTimeout(() => callback(null, { statusCode: 201, body: 'created ' + event.queryStringParameters.name }), 1);
};
"""

MISBEHAVING = """export const handler = async (event) => {
  switch (event.path) {
    case '/malformed': return { statusCode: 200, wrongKey: true };
    case '/fails': throw new Error('function failed');
    case '/crash': process.exit(1);
  }
  const ms = Number((event.queryStringParameters || {}).ms || 0);
  if (ms) await new Promise((resolve) => setTimeout(resolve, ms));
  return { statusCode: 200, body: String(process.pid) };
};
"""

AUTHORIZER = """const policy = (effect, resource, context) => ({
  principalId: 'node-user',
  policyDocument: { Version: '2012-10-17',
                    Statement: [{ Action: 'execute-api:Invoke', Effect: effect, Resource: resource }] },
  context,
});
export const handler = async (event) => {
  if (event.authorizationToken === 'allow') return policy('Allow', event.methodArn, { who: 'node' });
  if (event.authorizationToken === 'deny') return policy('Deny', event.methodArn);
  throw new Error('Unauthorized');
};
"""

PRE_TOKEN = """exports.handler = (event, context, callback) => {
  event.response = { claimsOverrideDetails: { claimsToAddOrOverride: { runtime: 'node:' + event.triggerSource } } };
  callback(null, event);
};
"""

BOOTSTRAP = """#!/bin/sh
set -eu
API="http://${AWS_LAMBDA_RUNTIME_API}/2018-06-01/runtime"
while true; do
  HEADERS="$(mktemp)"
  EVENT=$(curl -sS -LD "$HEADERS" "$API/invocation/next")
  REQUEST_ID=$(grep -Fi Lambda-Runtime-Aws-Request-Id "$HEADERS" | tr -d '[:space:]' | cut -d: -f2)
  rm -f "$HEADERS"
  curl -sS -X POST "$API/invocation/$REQUEST_ID/response" \\
    -d '{"statusCode": 200, "headers": {"Content-Type": "text/plain"}, "body": "hello from bootstrap"}' >/dev/null
done
"""


def _proxy(function: str, **method: Any) -> dict[str, Any]:
    integration: dict[str, Any] = {"type": "AWS_PROXY", "function": function}
    if "timeout" in method:
        integration["timeoutInMillis"] = method.pop("timeout")
    return {**method, "integration": integration}


def _folder(root: Path, name: str, files: dict[str, str]) -> str:
    folder = root / name
    folder.mkdir()
    for file, text in files.items():
        (folder / file).write_text(text)
    return f"./{name}"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    root = tmp_path_factory.mktemp("nodegate")
    shell = _folder(root, "shell", {"bootstrap": BOOTSTRAP})
    (root / "shell" / "bootstrap").chmod(0o755)
    misbehaving = _folder(root, "misbehaving", {"index.mjs": MISBEHAVING})
    config = {
        "userPools": [{"id": POOL, "name": "NodeGate",
                       "settings": {"LambdaConfig": {
                           "PreTokenGeneration": "arn:aws:lambda:us-east-1:000000000000:function:pretoken"}},
                       "clients": [{"id": CLIENT, "name": "web", "explicitAuthFlows": ["ALLOW_USER_PASSWORD_AUTH"]}],
                       "users": [{"username": "alice", "password": PASSWORD,
                                  "attributes": {"email": "alice@x.io", "email_verified": True}}]}],
        "functions": {
            "hello": {"runtime": "nodejs20.x", "handler": "index.handler",
                      "code": _folder(root, "hello", {"index.mjs": TUTORIAL})},
            "echo": {"runtime": "nodejs22.x", "handler": "index.handler",
                     "code": _folder(root, "echo", {"index.mjs": ECHO})},
            "callback": {"runtime": "nodejs18.x", "handler": "app.handler",
                         "code": _folder(root, "callback", {"app.js": CALLBACK})},
            "shell": {"runtime": "provided.al2023", "code": shell},
            "nodeauth": {"runtime": "nodejs20.x", "handler": "index.handler",
                         "code": _folder(root, "nodeauth", {"index.mjs": AUTHORIZER})},
            "pretoken": {"runtime": "nodejs22.x", "handler": "index.handler",
                         "code": _folder(root, "pretoken", {"index.js": PRE_TOKEN})},
            "misbehaving": {"runtime": "nodejs20.x", "handler": "index.handler", "code": misbehaving,
                            "timeout": 1},
            "patient": {"runtime": "nodejs20.x", "handler": "index.handler", "code": misbehaving, "timeout": 10},
            "limited": {"runtime": "nodejs20.x", "handler": "index.handler", "code": misbehaving, "timeout": 10,
                        "reservedConcurrency": 2},
        },
        "apis": [{
            "id": API, "name": "Node functions", "binaryMediaTypes": ["image/png"],
            "authorizers": {"Pool": {"type": "COGNITO_USER_POOLS", "providerARNs": [POOL]},
                            "NodeTokens": {"type": "TOKEN", "function": "nodeauth"}},
            "resources": {
                "/hello": {"GET": _proxy("hello", authorizer="Pool")},
                "/echo/{id}": {"POST": _proxy("echo", authorizer="Pool")},
                "/binary": {"GET": _proxy("echo")},
                "/guarded": {"GET": _proxy("echo", authorizer="NodeTokens")},
                "/callback": {"GET": _proxy("callback")},
                "/shell": {"GET": _proxy("shell")},
                "/malformed": {"GET": _proxy("misbehaving")},
                "/fails": {"GET": _proxy("misbehaving")},
                "/crash": {"GET": _proxy("misbehaving")},
                "/ok": {"GET": _proxy("misbehaving")},
                "/sleep": {"GET": _proxy("misbehaving")},
                "/impatient": {"GET": _proxy("patient", timeout=300)},
                "/limited": {"GET": _proxy("limited")},
            },
            "stages": {"prod": {}},
        }],
    }
    path = root / "poolgate.yaml"
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    running = start_server("--config", str(path))
    try:
        yield running
    finally:
        stop_server(running)


@pytest.fixture(scope="module")
def id_token(server: Server) -> str:
    result = cognito_client(server.url).initiate_auth(
        ClientId=CLIENT, AuthFlow="USER_PASSWORD_AUTH", AuthParameters={"USERNAME": "alice", "PASSWORD": PASSWORD})
    token: str = result["AuthenticationResult"]["IdToken"]
    return token


def _get(server: Server, path: str, method: str = "GET", **kwargs: Any) -> requests.Response:
    return requests.request(method, f"{server.url}/restapis/{API}/prod/_user_request_{path}", timeout=30, **kwargs)


def _gateway_error(response: requests.Response, status: int, message: str) -> None:
    assert response.status_code == status, response.text
    assert response.json() == {"message": message}


def test_the_tutorial_handler_behind_a_cognito_authorizer(server: Server, id_token: str) -> None:
    _gateway_error(_get(server, "/hello"), 401, "Unauthorized")
    response = _get(server, "/hello", headers={"Authorization": id_token})
    assert response.status_code == 200 and response.text == '"Hello from Lambda!"'
    log = server.log()
    assert "START RequestId: " in log and "Init Duration: " in log


def test_the_proxy_event_claims_headers_and_base64_bodies(server: Server, id_token: str) -> None:
    response = _get(server, "/echo/7?q=1", "POST", headers={"Authorization": id_token}, data=b"hi there")
    assert response.status_code == 200, response.text
    assert response.headers["X-Runtime"] == "AWS_Lambda_nodejs22.x" and response.headers["X-Multi"] == "a, b"
    seen = response.json()
    event = seen["event"]
    assert event["resource"] == "/echo/{id}" and event["pathParameters"] == {"id": "7"}
    assert event["queryStringParameters"] == {"q": "1"} and event["body"] == "hi there"
    claims = event["requestContext"]["authorizer"]["claims"]
    assert claims["cognito:username"] == "alice" and claims["email"] == "alice@x.io"
    assert claims["runtime"] == "node:TokenGeneration_Authentication"  # the Node.js PreTokenGeneration trigger
    assert event["requestContext"]["requestId"] == response.headers["x-amzn-RequestId"]
    assert seen["requestId"] != event["requestContext"]["requestId"]  # Lambda's own id, as on AWS
    assert f"{response.headers['x-amzn-RequestId']}\t" in server.log()  # its console line, tagged

    binary = _get(server, "/binary", headers={"Accept": "image/png"})
    assert binary.status_code == 200 and binary.content == bytes([0x89, 0x50, 0x4E, 0x47, 0x00, 0xFF])
    text = _get(server, "/binary")  # no binary Accept: the base64 text as is
    assert text.content == base64.b64encode(bytes([0x89, 0x50, 0x4E, 0x47, 0x00, 0xFF]))


def test_commonjs_callback_and_shell_bootstrap(server: Server) -> None:
    response = _get(server, "/callback?name=rex")
    assert response.status_code == 201 and response.text == "created rex"
    shell = _get(server, "/shell")
    assert shell.status_code == 200 and shell.text == "hello from bootstrap"
    assert shell.headers["Content-Type"] == "text/plain"


def test_malformed_failed_timed_out_and_crashed(server: Server) -> None:
    _gateway_error(_get(server, "/malformed"), 502, "Internal server error")
    _gateway_error(_get(server, "/fails"), 502, "Internal server error")
    first = _get(server, "/ok").text
    assert _get(server, "/ok").text == first  # warm
    started = time.monotonic()
    _gateway_error(_get(server, "/sleep?ms=5000"), 502, "Internal server error")  # its own 1 s timeout
    assert time.monotonic() - started < 3
    replaced = _get(server, "/ok").text
    assert replaced != first  # the timed-out instance was killed
    _gateway_error(_get(server, "/crash"), 502, "Internal server error")
    assert _get(server, "/ok").text not in (first, replaced)  # the crashed one too
    _gateway_error(_get(server, "/impatient?ms=2000"), 504, "Endpoint request timed out")
    log = server.log()
    assert "Task timed out after 1.00 seconds" in log and "Runtime exited with error: exit status 1" in log
    assert '"errorType":"Error","errorMessage":"function failed"' in log


def test_reserved_concurrency_under_concurrent_requests(server: Server) -> None:
    def call(_: int) -> requests.Response:
        return _get(server, "/limited?ms=1500")

    with ThreadPoolExecutor(6) as pool:
        responses = list(pool.map(call, range(6)))
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [200, 200, 500, 500, 500, 500], [r.text for r in responses]
    served = {r.text for r in responses if r.status_code == 200}
    assert len(served) == 2  # two instances side by side
    for response in responses:
        if response.status_code == 500:
            assert json.loads(response.text) == {"message": "Internal server error"}
    assert "Lambda invocation failed with status: 429" in server.log()
    with ThreadPoolExecutor(2) as pool:  # both warm again
        again = list(pool.map(lambda _: _get(server, "/limited?ms=200"), range(2)))
    assert {r.text for r in again} == served


def test_a_nodejs_token_authorizer(server: Server) -> None:
    _gateway_error(_get(server, "/guarded", headers={"Authorization": "nope"}), 401, "Unauthorized")
    denied = _get(server, "/guarded", headers={"Authorization": "deny"})
    assert denied.status_code == 403, denied.text
    allowed = _get(server, "/guarded", headers={"Authorization": "allow"})
    assert allowed.status_code == 200, allowed.text
    authorizer = allowed.json()["event"]["requestContext"]["authorizer"]
    assert authorizer["principalId"] == "node-user" and authorizer["who"] == "node"
