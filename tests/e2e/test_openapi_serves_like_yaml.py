"""The OpenAPI import of a document using API Gateway's extensions serves exactly as the same API written in
poolgate.yaml: one server hosts both, and the same requests get the same answers from each."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import boto3
import pytest
import requests
import yaml

from ..support import Server, free_port, start_server, stop_server

DATA = Path(__file__).resolve().parents[1] / "apigw" / "data"
DEMO_FUNCTIONS = Path(__file__).resolve().parents[2] / "src" / "poolgate" / "demo" / "functions"
POOL, CLIENT, PASSWORD = "us-east-1_SecurePet", "samepetsclient000000000001", "Same-Passw0rd!"
OAS, YAML_API = "oasapi0001", "yamlapi001"

HANDLERS = '''
def authorize(event, context):
    arn = event["methodArn"].split("/", 1)[0] + "/*"
    return {"principalId": "caller-1", "context": {"tenant": "blue"},
            "policyDocument": {"Version": "2012-10-17",
                               "Statement": [{"Action": "execute-api:Invoke", "Effect": "Allow", "Resource": arn}]}}


def reports(event, context):
    import json
    seen = {k: event[k] for k in ("resource", "path", "httpMethod", "stageVariables", "pathParameters",
                                  "queryStringParameters")}
    seen["principal"] = event["requestContext"]["authorizer"]["principalId"]
    seen["tenant"] = event["requestContext"]["authorizer"]["tenant"]
    return {"statusCode": 200, "headers": {"Content-Type": "application/json"}, "body": json.dumps(seen)}
'''


class _Echo(BaseHTTPRequestHandler):
    def _answer(self) -> None:
        body = json.dumps({"method": self.command, "path": self.path, "trace": self.headers.get("X-Trace"),
                           "stage": self.headers.get("X-Stage")}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = do_PUT = do_DELETE = _answer

    def log_message(self, *args: Any) -> None:
        return


@pytest.fixture(scope="module")
def upstream() -> Iterator[int]:
    port = free_port()
    httpd = ThreadingHTTPServer(("127.0.0.1", port), _Echo)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        yield port
    finally:
        httpd.shutdown()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, upstream: int) -> Iterator[Server]:
    root = tmp_path_factory.mktemp("same-api")
    (root / "functions").mkdir()
    (root / "functions" / "pets.py").write_text((DEMO_FUNCTIONS / "pets.py").read_text())
    (root / "functions" / "extra.py").write_text(HANDLERS)
    retarget = lambda text: text.replace("127.0.0.1:9000", f"127.0.0.1:{upstream}")  # noqa: E731
    (root / "petstore.yaml").write_text(retarget((DATA / "petstore-oas3.yaml").read_text()))
    inline = yaml.safe_load(retarget((DATA / "petstore-inline.yaml").read_text()))["apis"][0]
    stages = inline.pop("stages")
    config = {
        "userPools": [{"id": POOL, "name": "SecurePets",
                       "clients": [{"id": CLIENT, "name": "web", "explicitAuthFlows": ["ALLOW_USER_PASSWORD_AUTH"]}],
                       "users": [{"username": "sam", "password": PASSWORD}]}],
        "functions": {"pets": {"handler": "pets.handler", "code": "./functions"},
                      "auth": {"handler": "extra.authorize", "code": "./functions"},
                      "reports-v1": {"handler": "extra.reports", "code": "./functions"},
                      "reports-v2": {"handler": "extra.reports", "code": "./functions"}},
        "apis": [{"id": OAS, "openapi": "./petstore.yaml", "stages": stages},
                 {**inline, "id": YAML_API, "stages": stages}],
    }
    (root / "poolgate.yaml").write_text(json.dumps(config))
    srv = start_server("--config", str(root / "poolgate.yaml"))
    try:
        yield srv
    finally:
        stop_server(srv)


@pytest.fixture(scope="module")
def id_token(server: Server) -> str:
    idp = boto3.client("cognito-idp", endpoint_url=server.url, region_name="us-east-1",
                       aws_access_key_id="AKIDTEST", aws_secret_access_key="secret")
    result = idp.initiate_auth(ClientId=CLIENT, AuthFlow="USER_PASSWORD_AUTH",
                               AuthParameters={"USERNAME": "sam", "PASSWORD": PASSWORD})
    return str(result["AuthenticationResult"]["IdToken"])


COMPARED_HEADERS = ("content-type", "access-control-allow-origin", "access-control-allow-methods",
                    "access-control-allow-headers", "www-authenticate", "cache-control", "x-amzn-errortype")

CASES = [
    ("GET", "/health", {}, None),
    ("GET", "/pets", {}, None),
    ("GET", "/pets", {"Authorization": "TOKEN"}, None),
    ("GET", "/pets?type=cat", {"Authorization": "Bearer TOKEN"}, None),
    ("GET", "/pets/1", {"Authorization": "TOKEN"}, None),  # needs an access token with pets/read
    ("OPTIONS", "/pets", {"Origin": "http://app.example"}, None),
    ("POST", "/purchase", {"Authorization": "TOKEN"}, '{"petId": "1"}'),  # API key required
    ("GET", "/files/a/b.txt", {}, None),
    ("GET", "/legacy/7", {"X-Token": "Bearer abc", "X-Trace": "t-1"}, None),
    ("GET", "/legacy/7", {"X-Token": "not a bearer token"}, None),
    ("GET", "/reports?key=k1", {"Authorization": "TOKEN", "X-Tenant": "blue"}, None),
    ("GET", "/reports", {"Authorization": "TOKEN"}, None),  # an identity source is missing
    ("DELETE", "/admin", {}, None),
    ("GET", "/no/such/route", {}, None),
]


def _call(server: Server, api: str, method: str, path: str, headers: dict[str, str], body: str | None,
          token: str) -> tuple[int, Any, dict[str, str]]:
    sent = {k: v.replace("TOKEN", token) for k, v in headers.items()}
    response = requests.request(method, f"{server.url}/restapis/{api}/prod/_user_request_{path}", headers=sent,
                                data=body, timeout=30)
    try:
        payload: Any = response.json()
    except ValueError:
        payload = response.text
    return response.status_code, payload, {h: response.headers[h] for h in COMPARED_HEADERS if h in response.headers}


@pytest.mark.parametrize("method, path, headers, body", CASES, ids=[f"{m} {p}" for m, p, *_ in CASES])
def test_same_answer_from_both_forms(server: Server, id_token: str, method: str, path: str,
                                     headers: dict[str, str], body: str | None) -> None:
    from_openapi = _call(server, OAS, method, path, headers, body, id_token)
    from_yaml = _call(server, YAML_API, method, path, headers, body, id_token)
    assert from_openapi == from_yaml


def test_the_cases_exercise_both_successes_and_failures(server: Server, id_token: str) -> None:
    statuses = {_call(server, OAS, m, p, h, b, id_token)[0] for m, p, h, b in CASES}
    assert {200, 401, 403} <= statuses
    # The UNAUTHORIZED override's template renders valid JSON, with its own header (a type with its own
    # override does not also take DEFAULT_4XX's); other 4XX responses take DEFAULT_4XX's CORS header.
    status, body, headers = _call(server, OAS, "GET", "/pets", {}, None, id_token)
    assert (status, body) == (401, {"message": "Unauthorized"})
    assert headers["www-authenticate"] == "Bearer" and "access-control-allow-origin" not in headers
    status, body, headers = _call(server, OAS, "GET", "/no/such/route", {}, None, id_token)
    assert (status, headers["access-control-allow-origin"]) == (403, "*")
