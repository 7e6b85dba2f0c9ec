"""The data plane end to end: a real server from a poolgate.yaml, Python handlers written here, boto3 sign-in,
plain HTTP calls to the invoke URLs, and a tiny aiohttp upstream for the HTTP_PROXY integration."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import http.client
import json
import re
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import requests
import yaml
from aiohttp import web

from tests.conftest import cognito_client
from tests.support import Server, free_port, start_server, stop_server

POOL = "us-east-1_GatewayA1"
OTHER_POOL = "us-east-1_GatewayB1"
CLIENT = "gatewayclient0000000000001"
OTHER_CLIENT = "gatewayclient0000000000002"
PASSWORD = "Passw0rd!gw"
API = "gwtestapi1"
CUSTOM_API = "gwcustom01"
JAVA_DATE = re.compile(r"^(Mon|Tue|Wed|Thu|Fri|Sat|Sun) [A-Z][a-z]{2} \d{2} \d{2}:\d{2}:\d{2} UTC \d{4}$")

HANDLERS = '''
import asyncio, json, time

def echo(event, context):
    print("echo handler saw", event["path"])
    ctx = {"function_name": context.function_name, "aws_request_id": context.aws_request_id,
           "invoked_function_arn": context.invoked_function_arn, "memory_limit_in_mb": context.memory_limit_in_mb,
           "remaining": context.get_remaining_time_in_millis(), "log_group_name": context.log_group_name}
    return {"statusCode": 200, "headers": {"X-Handler": "echo"}, "body": json.dumps({"event": event, "context": ctx})}

async def echo_async(event, context):
    await asyncio.sleep(0)
    return {"statusCode": "201", "multiValueHeaders": {"X-Multi": ["a", "b"]}, "body": event["body"] or ""}

def boom(event, context):
    raise RuntimeError("handler exploded")

def malformed(event, context):
    return {"statusCode": 200, "wrongValue": True}

def slow(event, context):
    time.sleep(2.5)
    return {"statusCode": 200, "body": "too late"}
'''


def _pool(pool_id: str, client_id: str, users: list[str]) -> dict[str, Any]:
    return {"id": pool_id, "name": pool_id.split("_")[1], "groups": ["admin", "staff"],
            "clients": [{"id": client_id, "name": "web",
                         "explicitAuthFlows": ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]}],
            "users": [{"username": u, "password": PASSWORD,
                       "attributes": {"email": f"{u}@x.io", "email_verified": True},
                       "groups": ["admin", "staff"] if u == "alice" else []} for u in users]}


def _proxy(function: str, **method: Any) -> dict[str, Any]:
    return {**method, "integration": {"type": "AWS_PROXY", "function": function}}


def _config(tmp: Path, upstream_port: int, remote_issuer: str) -> Path:
    (tmp / "functions").mkdir()
    (tmp / "functions" / "handlers.py").write_text(HANDLERS)
    arn = f"arn:aws:cognito-idp:us-east-1:000000000000:userpool/{POOL}"
    config = {
        "userPools": [_pool(POOL, CLIENT, ["alice", "carol"])],
        "functions": {
            "echo": {"handler": "handlers.echo", "code": "./functions"},
            "echoasync": {"handler": "handlers.echo_async", "code": "./functions"},
            "boom": {"handler": "handlers.boom", "code": "./functions"},
            "malformed": {"handler": "handlers.malformed", "code": "./functions"},
            "slow": {"handler": "handlers.slow", "code": "./functions", "timeout": 10},
        },
        "apis": [{
            "id": API, "name": "Gateway tests", "cors": True,
            "authorizers": {
                "Pool": {"type": "COGNITO_USER_POOLS", "providerARNs": [arn]},
                "Revocable": {"type": "COGNITO_USER_POOLS", "providerARNs": [POOL], "rejectRevokedTokens": True},
                "Remote": {"type": "COGNITO_USER_POOLS", "providerARNs": [remote_issuer]},
            },
            "resources": {
                "/me": {"GET": _proxy("echo", authorizer="Pool")},
                "/admin": {"GET": _proxy("echo", authorizer="Pool",
                                         authorizationScopes=["aws.cognito.signin.user.admin"])},
                "/scoped": {"GET": _proxy("echo", authorizer="Pool", authorizationScopes=["pets/read"])},
                "/revocable": {"GET": _proxy("echo", authorizer="Revocable")},
                "/remote": {"GET": _proxy("echo", authorizer="Remote")},
                "/pets/{petId}": {"GET": _proxy("echo")},
                "/pets/mine": {"GET": _proxy("echoasync")},
                "/files/{proxy+}": {"ANY": _proxy("echo"), "DELETE": _proxy("echoasync")},
                "/boom": {"GET": _proxy("boom")},
                "/malformed": {"GET": _proxy("malformed")},
                "/slow": {"GET": {"integration": {"type": "AWS_PROXY", "function": "slow", "timeoutInMillis": 1000}}},
                "/mock": {"GET": {"integration": {"type": "MOCK", "statusCode": 202, "body": '{"mocked":true}',
                                                  "headers": {"X-Mock": "yes"}}}},
                "/up/{proxy+}": {"ANY": {"integration": {
                    "type": "HTTP_PROXY",
                    "uri": f"http://127.0.0.1:{upstream_port}/${{stageVariables.version}}/{{proxy}}"}}},
                "/down": {"GET": {"integration": {"type": "HTTP_PROXY", "uri": f"http://127.0.0.1:{free_port()}/x"}}},
            },
            "stages": {"prod": {"variables": {"version": "v1"}}, "beta": {"variables": {"version": "v2"}}},
        }, {
            "id": CUSTOM_API, "name": "Custom responses",
            "authorizers": {"Pool": {"type": "COGNITO_USER_POOLS", "providerARNs": [arn]}},
            "gatewayResponses": {
                "UNAUTHORIZED": {"statusCode": 401,
                                 "responseParameters": {"gatewayresponse.header.WWW-Authenticate": "'Bearer'"},
                                 "responseTemplates": {"application/json":
                                                       '{"error":$context.error.messageString,'
                                                       '"type":"$context.error.responseType"}'}},
                "DEFAULT_4XX": {"responseParameters": {"gatewayresponse.header.X-Gateway": "'poolgate'"}},
            },
            "resources": {"/secure": {"GET": _proxy("echo", authorizer="Pool")}},
            "stages": {"prod": {}},
        }],
    }
    path = tmp / "poolgate.yaml"
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    return path


class _Upstream:
    """An aiohttp app on its own thread that echoes what it receives."""

    def __init__(self) -> None:
        self.port = free_port()
        self.loop = asyncio.new_event_loop()
        self.ready = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    async def _echo(self, request: web.Request) -> web.Response:
        body = await request.read()
        return web.json_response({"method": request.method, "path": request.path_qs,
                                  "headers": dict(request.headers), "body": body.decode()},
                                 status=207, headers={"X-Upstream": "1"})

    def _run(self) -> None:
        asyncio.set_event_loop(self.loop)
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self._echo)
        runner = web.AppRunner(app)
        self.loop.run_until_complete(runner.setup())
        self.loop.run_until_complete(web.TCPSite(runner, "127.0.0.1", self.port).start())
        self.ready.set()
        self.loop.run_forever()

    def __enter__(self) -> _Upstream:
        self.thread.start()
        self.ready.wait(10)
        return self

    def __exit__(self, *exc: object) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)


@pytest.fixture(scope="module")
def servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Server, Server]]:
    tmp = tmp_path_factory.mktemp("gateway")
    other_config = tmp / "other.yaml"
    other_config.write_text(yaml.safe_dump({"userPools": [_pool(OTHER_POOL, OTHER_CLIENT, ["bob"])]}))
    with _Upstream() as upstream:
        other = start_server("--config", str(other_config))
        try:
            config = _config(tmp, upstream.port, f"{other.url}/{OTHER_POOL}")
            main = start_server("--config", str(config))
            try:
                yield main, other
            finally:
                stop_server(main)
        finally:
            stop_server(other)


@pytest.fixture(scope="module")
def server(servers: tuple[Server, Server]) -> Server:
    return servers[0]


def _sign_in(server: Server, client_id: str, username: str) -> dict[str, str]:
    result = cognito_client(server.url).initiate_auth(
        ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": username, "PASSWORD": PASSWORD})["AuthenticationResult"]
    return {"id": result["IdToken"], "access": result["AccessToken"]}


@pytest.fixture(scope="module")
def alice(server: Server) -> dict[str, str]:
    return _sign_in(server, CLIENT, "alice")


def _url(server: Server, path: str, stage: str = "prod", api: str = API) -> str:
    return f"{server.url}/restapis/{api}/{stage}/_user_request_{path}"


def _call(server: Server, method: str, path: str, *, stage: str = "prod", api: str = API,
          token: str | None = None, **kwargs: Any) -> requests.Response:
    headers = dict(kwargs.pop("headers", {}))
    if token is not None:
        headers["Authorization"] = token
    response = requests.request(method, _url(server, path, stage, api), headers=headers, timeout=15, **kwargs)
    assert re.fullmatch(r"[0-9a-f-]{36}", response.headers.get("x-amzn-RequestId", "")), response.headers
    return response


def _assert_error(response: requests.Response, status: int, body: bytes, error_type: str) -> None:
    assert response.status_code == status, response.text
    assert response.content == body
    assert response.headers["x-amzn-ErrorType"] == error_type
    assert response.headers["Content-Type"] == "application/json"


def test_handler_receives_the_signed_in_users_claims(server: Server, alice: dict[str, str]) -> None:
    response = _call(server, "GET", "/me?tag=a&tag=b", token=alice["id"], headers={"User-Agent": "gw-test"})
    assert response.status_code == 200, response.text
    assert response.headers["X-Handler"] == "echo"
    event = response.json()["event"]
    claims = event["requestContext"]["authorizer"]["claims"]
    assert all(isinstance(v, str) for v in claims.values())
    assert claims["cognito:username"] == "alice"
    assert claims["email"] == "alice@x.io"
    assert claims["email_verified"] == "true"
    assert claims["cognito:groups"] == "admin,staff"
    assert claims["token_use"] == "id"
    assert claims["aud"] == CLIENT
    assert claims["iss"] == f"{server.url}/{POOL}"
    assert JAVA_DATE.match(claims["exp"]) and JAVA_DATE.match(claims["iat"]), claims
    assert claims["auth_time"].isdigit()
    context = event["requestContext"]
    assert event["resource"] == "/me" and event["path"] == "/me" and event["httpMethod"] == "GET"
    assert event["queryStringParameters"] == {"tag": "b"}
    assert event["multiValueQueryStringParameters"] == {"tag": ["a", "b"]}
    assert event["pathParameters"] is None and event["body"] is None and event["isBase64Encoded"] is False
    assert event["stageVariables"] == {"version": "v1"}
    assert event["headers"]["Authorization"] == alice["id"]
    assert event["headers"]["User-Agent"] == "gw-test"
    assert event["multiValueHeaders"]["User-Agent"] == ["gw-test"]
    assert event["headers"]["X-Forwarded-For"] == "127.0.0.1"
    assert context["path"] == "/prod/me" and context["stage"] == "prod" and context["resourcePath"] == "/me"
    assert context["apiId"] == API and context["accountId"] == "000000000000"
    assert context["requestId"] == response.headers["x-amzn-RequestId"]
    assert context["identity"]["sourceIp"] == "127.0.0.1" and context["identity"]["userAgent"] == "gw-test"
    assert context["identity"]["cognitoIdentityId"] is None
    assert context["protocol"] == "HTTP/1.1"
    assert re.fullmatch(r"\d{2}/[A-Z][a-z]{2}/\d{4}:\d{2}:\d{2}:\d{2} \+0000", context["requestTime"])
    assert isinstance(context["requestTimeEpoch"], int)
    for key in ("deploymentId", "domainName", "domainPrefix", "extendedRequestId", "resourceId"):
        assert isinstance(context[key], str) and context[key], key
    lambda_context = response.json()["context"]
    assert lambda_context["function_name"] == "echo"
    assert lambda_context["invoked_function_arn"] == "arn:aws:lambda:us-east-1:000000000000:function:echo"
    assert lambda_context["log_group_name"] == "/aws/lambda/echo"
    # Lambda's invocation id is its own, not API Gateway's requestId
    assert re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}",
                        lambda_context["aws_request_id"])
    assert lambda_context["aws_request_id"] != context["requestId"]
    assert 0 < lambda_context["remaining"] <= 3000
    rid = response.headers["x-amzn-RequestId"]
    assert re.search(rf"{rid}\techo handler saw /me", server.log())


def test_bearer_prefix_and_access_token_with_scope(server: Server, alice: dict[str, str]) -> None:
    assert _call(server, "GET", "/me", token=f"Bearer {alice['id']}").status_code == 200
    response = _call(server, "GET", "/admin", token=alice["access"])
    assert response.status_code == 200, response.text
    claims = response.json()["event"]["requestContext"]["authorizer"]["claims"]
    assert claims["token_use"] == "access" and claims["client_id"] == CLIENT and claims["username"] == "alice"


def _tamper(token: str) -> str:
    head, payload, signature = token.split(".")
    raw = bytearray(base64.urlsafe_b64decode(signature + "=" * (-len(signature) % 4)))
    raw[10] ^= 0xFF
    return ".".join([head, payload, base64.urlsafe_b64encode(bytes(raw)).decode().rstrip("=")])


def _forged_claims(token: str) -> str:
    head, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["cognito:username"] = "mallory"
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).decode().rstrip("=")
    return ".".join([head, forged, signature])


def _alg_none(token: str) -> str:
    _, payload, _ = token.split(".")
    header = base64.urlsafe_b64encode(b'{"alg":"none","kid":"x"}').decode().rstrip("=")
    return f"{header}.{payload}."


UNAUTHORIZED = b'{"message":"Unauthorized"}'
AUTH_FAILURES = {
    "missing header": ("/me", lambda t, o: None),
    "empty header": ("/me", lambda t, o: ""),
    "malformed": ("/me", lambda t, o: "not-a-jwt"),
    "garbage segments": ("/me", lambda t, o: "a.b.c"),
    "bad signature": ("/me", lambda t, o: _tamper(t["id"])),
    "forged claims": ("/me", lambda t, o: _forged_claims(t["id"])),
    "alg none": ("/me", lambda t, o: _alg_none(t["id"])),
    "other pool": ("/me", lambda t, o: o["id"]),
    "access token without scopes": ("/me", lambda t, o: t["access"]),
    "id token with scopes": ("/admin", lambda t, o: t["id"]),
    "missing scope": ("/scoped", lambda t, o: t["access"]),
}


@pytest.mark.parametrize("case", list(AUTH_FAILURES))
def test_authorizer_failures_answer_as_api_gateway(servers: tuple[Server, Server], alice: dict[str, str],
                                                   case: str) -> None:
    server, other = servers
    bob = _sign_in(other, OTHER_CLIENT, "bob")
    path, token = AUTH_FAILURES[case]
    response = _call(server, "GET", path, token=token(alice, bob))
    _assert_error(response, 401, UNAUTHORIZED, "UnauthorizedException")
    assert response.headers["Access-Control-Allow-Origin"] == "*"  # the API has CORS enabled


def test_pool_of_another_poolgate_by_issuer_url(servers: tuple[Server, Server], alice: dict[str, str]) -> None:
    server, other = servers
    bob = _sign_in(other, OTHER_CLIENT, "bob")
    response = _call(server, "GET", "/remote", token=bob["id"])
    assert response.status_code == 200, response.text
    assert response.json()["event"]["requestContext"]["authorizer"]["claims"]["cognito:username"] == "bob"
    _assert_error(_call(server, "GET", "/remote", token=alice["id"]), 401, UNAUTHORIZED, "UnauthorizedException")
    _assert_error(_call(server, "GET", "/remote", token=_tamper(bob["id"])), 401, UNAUTHORIZED,
                  "UnauthorizedException")


def test_revoked_tokens_are_refused_only_when_opted_in(server: Server) -> None:
    carol = _sign_in(server, CLIENT, "carol")
    assert _call(server, "GET", "/revocable", token=carol["id"]).status_code == 200
    cognito_client(server.url).global_sign_out(AccessToken=carol["access"])
    _assert_error(_call(server, "GET", "/revocable", token=carol["id"]), 401, UNAUTHORIZED, "UnauthorizedException")
    assert _call(server, "GET", "/me", token=carol["id"]).status_code == 200  # AWS: valid until exp


def test_forwarded_for_names_each_hop_once(server: Server) -> None:
    # from loopback the server trusts X-Forwarded-For (a local reverse proxy): the client it names is the source
    event = _call(server, "GET", "/files/x", headers={"X-Forwarded-For": "203.0.113.7"}).json()["event"]
    assert event["headers"]["X-Forwarded-For"] == "203.0.113.7"
    assert event["multiValueHeaders"]["X-Forwarded-For"] == ["203.0.113.7"]
    assert event["requestContext"]["identity"]["sourceIp"] == "203.0.113.7"


def test_header_names_reach_the_handler_as_the_client_wrote_them(server: Server) -> None:
    # API Gateway keeps the client's casing (reference §9.1): code written against AWS reads
    # event["headers"]["content-type"] when its client sends lowercase names (fetch/undici do)
    target = urlsplit(_url(server, "/files/cased"))
    connection = http.client.HTTPConnection(target.hostname, target.port, timeout=15)
    try:
        connection.putrequest("GET", target.path, skip_host=True, skip_accept_encoding=True)
        for name, value in [("host", target.netloc), ("content-type", "text/plain"), ("X-MiXeD-Case", "m"),
                            ("x-rep", "1"), ("X-Rep", "2"), ("USER-AGENT", "shouty")]:
            connection.putheader(name, value)
        connection.endheaders()
        response = connection.getresponse()
        assert response.status == 200
        event = json.loads(response.read())["event"]
    finally:
        connection.close()
    headers, multi = event["headers"], event["multiValueHeaders"]
    assert headers["host"] == target.netloc and headers["content-type"] == "text/plain"
    assert headers["X-MiXeD-Case"] == "m" and headers["USER-AGENT"] == "shouty"
    assert headers["x-rep"] == "2" and multi["x-rep"] == ["1", "2"]  # one name: the first casing sent
    assert "Content-Type" not in headers and "X-Rep" not in headers and "Host" not in headers
    assert event["requestContext"]["identity"]["userAgent"] == "shouty"
    assert headers["X-Forwarded-Proto"] == "http"  # the gateway's own headers keep AWS's casing


def test_routing_precedence_any_and_greedy_proxy(server: Server) -> None:
    mine = _call(server, "GET", "/pets/mine")
    assert mine.status_code == 201 and mine.headers["X-Multi"] == "a, b"
    pet = _call(server, "GET", "/pets/42/").json()["event"]
    assert pet["resource"] == "/pets/{petId}" and pet["pathParameters"] == {"petId": "42"}
    posted = _call(server, "POST", "/files/a/b%2Bc.txt", data=b'{"x":1}').json()["event"]
    assert posted["resource"] == "/files/{proxy+}" and posted["httpMethod"] == "POST"
    assert posted["pathParameters"] == {"proxy": "a/b%2Bc.txt"}
    assert posted["body"] == '{"x":1}' and posted["requestContext"]["path"] == "/prod/files/a/b%2Bc.txt"
    assert posted["path"] == "/files/a/b%2Bc.txt"  # kept percent-encoded, as API Gateway passes it
    assert "Content-Length" not in posted["headers"] and "Connection" not in posted["multiValueHeaders"]
    deleted = _call(server, "DELETE", "/files/x", data=b"gone")
    assert deleted.status_code == 201 and deleted.content == b"gone"  # explicit method beats ANY
    missing = b'{"message":"Missing Authentication Token"}'
    for method, path in [("GET", "/files"), ("GET", "/nothing/here"), ("POST", "/pets/42"), ("GET", "/")]:
        _assert_error(_call(server, method, path), 403, missing, "MissingAuthenticationTokenException")


def test_unknown_api_or_stage_and_host_based_invoke_url(server: Server) -> None:
    forbidden = b'{"message":"Forbidden"}'
    _assert_error(_call(server, "GET", "/mock", stage="nostage"), 403, forbidden, "ForbiddenException")
    _assert_error(_call(server, "GET", "/mock", api="noapi00000"), 403, forbidden, "ForbiddenException")
    response = requests.get(f"{server.url}/prod/mock", headers={"Host": f"{API}.execute-api.localhost:{server.port}"},
                            timeout=10)
    assert response.status_code == 202 and response.json() == {"mocked": True}
    assert f"/restapis/{API}/prod/_user_request_/" in server.log()  # printed at start


def test_stage_variables_reach_handler_and_upstream_url(server: Server) -> None:
    assert _call(server, "GET", "/pets/1", stage="beta").json()["event"]["stageVariables"] == {"version": "v2"}
    response = _call(server, "POST", "/up/a/b?q=1&q=2", stage="beta", data=b"payload",
                     headers={"X-Custom": "c", "Connection": "keep-alive"})
    assert response.status_code == 207 and response.headers["X-Upstream"] == "1"
    seen = response.json()
    assert seen["method"] == "POST" and seen["path"] == "/v2/a/b?q=1&q=2" and seen["body"] == "payload"
    assert seen["headers"]["x-custom"] == "c" and seen["headers"]["X-Forwarded-For"] == "127.0.0.1"
    assert "access-control-allow-origin" not in {k.lower() for k in response.headers}  # proxies answer for themselves
    assert _call(server, "GET", "/up/x").json()["path"] == "/v1/x"


def test_upstream_connection_failure(server: Server) -> None:
    _assert_error(_call(server, "GET", "/down"), 504, b'{"message": "Network error communicating with endpoint"}',
                  "InternalServerErrorException")


def test_mock_integration_and_cors(server: Server) -> None:
    response = _call(server, "GET", "/mock")
    assert response.status_code == 202 and response.json() == {"mocked": True}
    assert response.headers["X-Mock"] == "yes" and response.headers["Access-Control-Allow-Origin"] == "*"
    preflight = _call(server, "OPTIONS", "/me", headers={"Origin": "http://app.test",
                                                         "Access-Control-Request-Method": "GET"})
    assert preflight.status_code == 200  # no authorizer on the preflight
    assert preflight.headers["Access-Control-Allow-Origin"] == "*"
    assert preflight.headers["Access-Control-Allow-Methods"] == "GET,OPTIONS"
    assert "Authorization" in preflight.headers["Access-Control-Allow-Headers"]


def test_integration_failures(server: Server) -> None:
    internal = b'{"message": "Internal server error"}'
    _assert_error(_call(server, "GET", "/boom"), 502, internal, "InternalServerErrorException")
    _assert_error(_call(server, "GET", "/malformed"), 502, internal, "InternalServerErrorException")
    _assert_error(_call(server, "GET", "/slow"), 504, b'{"message": "Endpoint request timed out"}',
                  "InternalServerErrorException")
    assert "handler exploded" in server.log()


def test_gateway_response_overrides(server: Server) -> None:
    response = _call(server, "GET", "/secure", api=CUSTOM_API)
    assert response.status_code == 401
    assert response.json() == {"error": "Unauthorized", "type": "UNAUTHORIZED"}
    assert response.headers["WWW-Authenticate"] == "Bearer"
    assert response.headers["x-amzn-ErrorType"] == "UnauthorizedException"
    missing = _call(server, "GET", "/nowhere", api=CUSTOM_API)
    _assert_error(missing, 403, b'{"message":"Missing Authentication Token"}', "MissingAuthenticationTokenException")
    assert missing.headers["X-Gateway"] == "poolgate"  # DEFAULT_4XX applies to types without their own
    assert "Access-Control-Allow-Origin" not in missing.headers  # no CORS on this API


def test_lambda_payload_limit(server: Server) -> None:
    # A proxy event over Lambda's 6 MB synchronous payload never reaches the function
    response = _call(server, "POST", "/files/big", data=b"x" * (7 * 1024 * 1024))
    assert response.status_code == 413
    assert response.content == b'{"message": "Request Too Long"}'
    assert response.headers["x-amzn-ErrorType"] == "BadRequestException"
    assert response.headers["x-amzn-RequestId"]
    under = _call(server, "POST", "/files/big", data=b"x" * (5 * 1024 * 1024))
    assert under.status_code == 200 and len(under.json()["event"]["body"]) == 5 * 1024 * 1024


def test_unknown_route_reads_a_non_sigv4_authorization_header_as_aws_does(server: Server) -> None:
    response = _call(server, "GET", "/nothing/here", headers={"Authorization": "Bearer abc"})
    digest = base64.b64encode(hashlib.sha256(b"Bearer abc").digest()).decode()
    _assert_error(response, 403, json.dumps({"message": "Invalid key=value pair (missing equal-sign) in "
                                             "Authorization header (hashed with SHA-256 and encoded with Base64): "
                                             f"'{digest}'."}, separators=(",", ":")).encode(),
                  "IncompleteSignatureException")
    # a header that reads as key=value pairs keeps the usual answer (what AWS says here is not captured)
    plain = _call(server, "GET", "/nothing/here", headers={"Authorization": "Basic dXNlcjpwYXNz="})
    _assert_error(plain, 403, b'{"message":"Missing Authentication Token"}', "MissingAuthenticationTokenException")


def test_request_too_large(server: Server) -> None:
    # Over 10 MB the front door answers, in plain text, whatever the API's gateway responses say
    response = _call(server, "POST", "/files/big", data=b"x" * (10 * 1024 * 1024 + 1))
    assert response.status_code == 413
    assert response.content == b"HTTP content length exceeded 10485760 bytes."
    assert response.headers["Content-Type"] == "text; charset=utf-8"
    assert "x-amzn-ErrorType" not in response.headers
