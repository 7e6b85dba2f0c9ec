"""The data plane under bad input (reference §4 to §10): malformed Authorization and SigV4 headers, bad
percent-encoding and invalid UTF-8 in paths, queries and bodies, duplicate headers, odd methods and hosts.
Expected: API Gateway's 4xx answers, never a 500 (the API has no integration that fails on purpose)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
import yaml
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from tests.support import Server, start_server, stop_server

from .helpers import MALFORMED_TOKENS, assert_no_traceback, raw_http, raw_request

API = "robustapi1"
POOL = "us-east-1_RobustDp1"
KEY = "robust-api-key-0123456789"
PREFIX = f"/restapis/{API}/prod/_user_request_"

FUNCTIONS = '''
import json


def echo(event, context):
    return {"statusCode": 200, "body": json.dumps({"path": event["path"]})}


def token(event, context):
    if event["authorizationToken"].startswith("allow"):
        return {"principalId": "u", "policyDocument": {"Version": "2012-10-17", "Statement": [
            {"Action": "execute-api:Invoke", "Effect": "Allow", "Resource": event["methodArn"]}]}}
    raise Exception("Unauthorized")
'''


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    tmp: Path = tmp_path_factory.mktemp("robust-dataplane")
    (tmp / "functions").mkdir()
    (tmp / "functions" / "fns.py").write_text(FUNCTIONS)
    echo = {"type": "AWS_PROXY", "function": "echo"}
    config = {
        "userPools": [{"id": POOL, "name": "robust"}],
        "functions": {"echo": {"handler": "fns.echo", "code": "./functions"},
                      "tokenauth": {"handler": "fns.token", "code": "./functions"}},
        "apis": [{
            "id": API, "name": "robust",
            "authorizers": {"Pool": {"type": "COGNITO_USER_POOLS", "providerARNs": [POOL]},
                            "Tokens": {"type": "TOKEN", "function": "tokenauth"}},
            "resources": {
                "/cognito": {"GET": {"authorizer": "Pool", "integration": echo}},
                "/token": {"GET": {"authorizer": "Tokens", "integration": echo}},
                "/iam": {"GET": {"authorization": "AWS_IAM", "integration": echo}},
                "/keyed": {"GET": {"apiKeyRequired": True, "integration": echo}},
                "/mock": {"GET": {"integration": {"type": "MOCK", "statusCode": 200, "body": '{"ok":true}'}}},
                "/open/{proxy+}": {"ANY": {"integration": echo}},
            },
        }],
        "apiKeys": [{"name": "robust", "value": KEY}],
        "usagePlans": [{"name": "Robust", "apiStages": [{"api": API, "stage": "prod"}], "keys": ["robust"]}],
    }
    path = tmp / "poolgate.yaml"
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    srv = start_server("--config", str(path), cwd=str(tmp))
    try:
        yield srv
    finally:
        stop_server(srv)


def send(server: Server, method: bytes, target: bytes, headers: list[tuple[bytes, bytes]] | None = None,
         body: bytes = b"", host: bytes | None = None) -> tuple[int, dict[str, str], bytes]:
    status, response_headers, response_body = raw_http(
        server.port, raw_request(method, target, server.port, headers or [], body, host))
    assert status < 500, (status, response_body[:1000])
    assert_no_traceback(response_body.decode("latin-1"))
    return status, response_headers, response_body


def gateway_error(status: int, headers: dict[str, str], body: bytes, expected_status: int, error_type: str) -> None:
    assert status == expected_status, (status, body)
    assert headers["x-amzn-errortype"] == error_type, headers
    assert set(json.loads(body)) <= {"message", "Message"}


AUTHORIZATIONS = [b"", b"Bearer", b"Bearer ", b"...", b"a.b.c", b"Bearer a.b.c", b"Bearer " + b"a" * 9000,
                  b"Bearer \xc3\xa9.\xff.\xfe", b"\xe9\xe9\xe9", *(t.encode() for t in MALFORMED_TOKENS if t)]


@pytest.mark.parametrize("authorization", AUTHORIZATIONS, ids=lambda a: repr(a[:30]))
def test_cognito_method_with_malformed_tokens(server: Server, authorization: bytes) -> None:
    gateway_error(*send(server, b"GET", PREFIX.encode() + b"/cognito", [(b"Authorization", authorization)]),
                  401, "UnauthorizedException")


def test_cognito_method_with_duplicate_authorization_headers(server: Server) -> None:
    status, headers, body = send(server, b"GET", PREFIX.encode() + b"/cognito",
                                 [(b"Authorization", b"Bearer a.b.c"), (b"Authorization", b"Bearer d.e.f")])
    gateway_error(status, headers, body, 401, "UnauthorizedException")


@pytest.mark.parametrize("authorization", [b"", b"deny", b"Bearer", b"\xff\xfe", b"a" * 9000])
def test_token_authorizer_with_odd_tokens(server: Server, authorization: bytes) -> None:
    gateway_error(*send(server, b"GET", PREFIX.encode() + b"/token", [(b"Authorization", authorization)]),
                  401, "UnauthorizedException")


SIGV4 = [
    b"AWS4-HMAC-SHA256", b"AWS4-HMAC-SHA256 ", b"AWS4-HMAC-SHA256 Credential=",
    b"AWS4-HMAC-SHA256 Credential=a/b/c/d/aws4_request, SignedHeaders=host, Signature=x",
    b"AWS4-HMAC-SHA256 Credential=AKID/20240101/us-east-1/execute-api/aws4_request, SignedHeaders=, Signature=00",
    b"AWS4-HMAC-SHA512 Credential=AKID/20240101/us-east-1/execute-api/aws4_request, SignedHeaders=host, Signature=00",
    b"AWS4-HMAC-SHA256 Credential=\xff/20240101/us-east-1/execute-api/aws4_request, SignedHeaders=host, Signature=0",
    b"AWS4-HMAC-SHA256 Credential=AKID/2024/x/y/aws4_request/extra, SignedHeaders=host, Signature=00",
    b"AWS4-HMAC-SHA256 ,,,,=,=", b"AWS4-HMAC-SHA256 Credential==, Signature==, SignedHeaders==", b"Bearer x",
    b"AWS4-HMAC-SHA256 Credential=AKID/20240101/us-east-1/execute-api/aws4_request, SignedHeaders=host;%ff, "
    b"Signature=00",
]


@pytest.mark.parametrize("authorization", SIGV4, ids=lambda a: repr(a[:40]))
@pytest.mark.parametrize("date", [None, b"", b"garbage", b"20240101T000000Z", b"99999999T999999Z", b"20241301T250000Z",
                                  b"\xff"])
def test_iam_method_with_malformed_sigv4(server: Server, authorization: bytes, date: bytes | None) -> None:
    headers = [(b"Authorization", authorization)] + ([(b"X-Amz-Date", date)] if date is not None else [])
    status, response_headers, body = send(server, b"GET", PREFIX.encode() + b"/iam", headers)
    assert status == 403, body
    assert response_headers["x-amzn-errortype"] in {"IncompleteSignatureException", "InvalidSignatureException",
                                                    "UnrecognizedClientException",
                                                    "MissingAuthenticationTokenException"}, response_headers


@pytest.mark.parametrize("query", ["", "?a=%ff", "?a=%", "?%zz", "?a=1&a=2&b", "?X-Amz-Signature=x"])
def test_iam_method_with_signed_odd_queries(server: Server, query: str) -> None:
    url = server.url + PREFIX + "/iam" + query
    request = AWSRequest("GET", url, headers={})
    SigV4Auth(Credentials("AKIDNOBODY", "secret"), "execute-api", "us-east-1").add_auth(request)
    headers = [(k.encode(), v.encode()) for k, v in request.headers.items()]
    status, _, body = send(server, b"GET", (PREFIX + "/iam" + query).encode(), headers)
    assert status == 403, body


@pytest.mark.parametrize("keys", [[b""], [b"\xff" * 30], [b"short"], [b"a", KEY.encode()], [b"x" * 9000]],
                         ids=["empty", "latin1", "short", "duplicated", "huge"])
def test_api_key_method_with_bad_keys(server: Server, keys: list[bytes]) -> None:
    status, headers, body = send(server, b"GET", PREFIX.encode() + b"/keyed", [(b"x-api-key", k) for k in keys])
    gateway_error(status, headers, body, 403, "ForbiddenException")


def test_api_key_method_with_the_key(server: Server) -> None:
    assert send(server, b"GET", PREFIX.encode() + b"/keyed", [(b"x-api-key", KEY.encode())])[0] == 200


@pytest.mark.parametrize("path", [
    b"/open/a%2Fb", b"/open/%ff%fe", b"/open/%", b"/open/%zz", b"/open/%c3%28", b"/open/\xff\xfe", b"/open/%00",
    b"/open/..%2f..%2f", b"/open/" + b"a" * 9000, b"/open/\xc3\xa9?\xc3\xa9=\xff", b"/open/x?a=%ff&b=%&c=%zz&a=1&a=2",
    b"/mock?%ff=%fe", b"/mock/", b"//mock",
], ids=lambda p: repr(p[:30]))
@pytest.mark.parametrize("method", [b"GET", b"HEAD", b"POST", b"OPTIONS", b"BREW"])
def test_odd_paths_and_methods(server: Server, path: bytes, method: bytes) -> None:
    status, headers, _ = send(server, method, PREFIX.encode() + path)
    # served, AWS's Missing Authentication Token for no route, or uvicorn's 400 for what is not HTTP (raw bytes, BREW)
    assert status in (200, 400, 403), (status, headers)


@pytest.mark.parametrize("path", [b"/nope", b"/mock/extra", b"/cognitox"])
def test_unknown_routes(server: Server, path: bytes) -> None:
    gateway_error(*send(server, b"GET", PREFIX.encode() + path), 403, "MissingAuthenticationTokenException")


@pytest.mark.parametrize("body", [b"\xff\xfe\x00", b"{" * 10000, b"a" * 1_000_000], ids=["binary", "nested", "1MB"])
@pytest.mark.parametrize("content_type", [b"application/json", b"application/x-www-form-urlencoded",
                                          b"text/plain; charset=\xff"])
def test_odd_bodies(server: Server, body: bytes, content_type: bytes) -> None:
    status, _, _ = send(server, b"POST", PREFIX.encode() + b"/open/x", [(b"Content-Type", content_type)], body)
    assert status == 200


@pytest.mark.parametrize("headers", [
    [(b"Content-Type", b"application/json"), (b"Content-Type", b"text/plain")], [(b"Content-Length", b"abc")],
    [(b"X-Forwarded-For", b"\xff, ::::, 999.1.1.1")], [(b"Cookie", b"\xff=\xfe")],
], ids=["duplicate-content-type", "bad-content-length", "bad-forwarded-for", "latin1-cookie"])
def test_odd_headers(server: Server, headers: list[tuple[bytes, bytes]]) -> None:
    status, _, body = raw_http(server.port, raw_request(b"GET", PREFIX.encode() + b"/open/x", server.port, headers))
    assert status < 500, body


@pytest.mark.parametrize("host", [b"nope.execute-api.localhost", b"\xff.execute-api.localhost", b"a.execute-api.",
                                  f"{API}.execute-api.localhost:1".encode()])
@pytest.mark.parametrize("path", [b"/prod/mock", b"/prod", b"/", b"/nostage/mock", b"/prod/open/%ff", b"//"])
def test_unknown_api_hosts(server: Server, host: bytes, path: bytes) -> None:
    status, _, body = send(server, b"GET", path, host=host)
    if host.startswith(API.encode()) and path in (b"/prod/mock", b"/prod/open/%ff"):
        assert status == 200
    elif not host.split(b":")[0].endswith(b".localhost"):
        assert status == 421, body  # local mode answers loopback names only (edge.py; test_edge.py)
    else:
        assert status == 403, body


@pytest.mark.parametrize("path", [
    b"/restapis/nope/prod/_user_request_/mock", b"/restapis/%ff/prod/_user_request_/x",
    f"/restapis/{API}/%00/_user_request_/mock".encode(), b"/restapis//prod/_user_request_/mock",
    f"/restapis/{API}/nostage/_user_request_/mock".encode(),
])
def test_unknown_apis_and_stages(server: Server, path: bytes) -> None:
    gateway_error(*send(server, b"GET", path), 403, "ForbiddenException")


# --- regressions ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("host", [f"{API}.execute-api.localhost".encode(), b"nope.execute-api.localhost"])
def test_asterisk_request_target_on_an_api_host(server: Server, host: bytes) -> None:
    # "OPTIONS *" (and any target without a leading slash) made the host router's path split raise, outside
    # the pipeline's error handling: uvicorn answered 500 Internal Server Error.
    gateway_error(*send(server, b"OPTIONS", b"*", host=host), 403, "ForbiddenException")


def test_the_api_still_serves(server: Server) -> None:
    response = requests.get(server.url + PREFIX + "/mock", timeout=10)
    assert response.json() == {"ok": True}
    assert requests.get(server.url + PREFIX + "/token", headers={"Authorization": "allow-1"}, timeout=10).ok
