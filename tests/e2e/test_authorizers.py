"""Lambda authorizers (TOKEN and REQUEST) end to end: a real server, authorizer functions written here that
log each call to a file (so caching is visible), and plain HTTP calls to the invoke URL (reference §5)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
import yaml

from tests.support import Server, start_server, stop_server

API = "lambdaauth1"
EXPLICIT_DENY = "User is not authorized to access this resource with an explicit deny in an identity-based policy"
NO_ALLOW = ("User is not authorized to access this resource because no identity-based policy allows the "
            "execute-api:Invoke action")

AUTHORIZERS = '''
import json

CALLS = __CALLS__


def _record(event):
    with open(CALLS, "a") as out:
        out.write(json.dumps(event) + "\\n")


def _policy(principal, effect, resource, **extra):
    return {"principalId": principal, "policyDocument": {"Version": "2012-10-17", "Statement": [
        {"Action": "execute-api:Invoke", "Effect": effect, "Resource": resource}]}, **extra}


def token(event, context):
    _record(event)
    token = event["authorizationToken"]
    api = event["methodArn"].split("/", 1)[0]          # arn:aws:execute-api:{region}:{account}:{apiId}
    if token.startswith("allow-pets"):                  # only GET /pets, any stage
        return _policy("user-" + token, "Allow", api + "/*/GET/pets",
                       context={"tier": "gold", "count": 3, "admin": True, "none": None})
    if token.startswith("allow-all"):
        return _policy("user-all", "Allow", api + "/*")
    if token.startswith("deny"):
        return _policy("user-deny", "Deny", event["methodArn"])
    if token.startswith("unauthorized"):
        raise Exception("Unauthorized")
    if token.startswith("boom"):
        raise RuntimeError("the authorizer crashed")
    if token.startswith("malformed"):
        return {"principalId": "x"}
    if token.startswith("nested"):
        return _policy("user-nested", "Allow", api + "/*", context={"nested": {"a": 1}})
    return _policy("user-other", "Allow", "arn:aws:execute-api:us-east-1:000000000000:otherapi/*")


def request(event, context):
    _record(event)
    user = event["headers"].get("X-User")
    tenant = (event["queryStringParameters"] or {}).get("tenant")
    if user == "mallory":
        return _policy(user, "Deny", event["methodArn"])
    stage = event["stageVariables"]["tier"]
    return _policy(user, "Allow", event["methodArn"], context={"tenant": tenant, "stage": stage})
'''

BACKEND = '''
import json


def echo(event, context):
    ctx = event["requestContext"]
    return {"statusCode": 200, "body": json.dumps({"authorizer": ctx.get("authorizer"), "identity": ctx["identity"]})}
'''


def _proxy(**method: Any) -> dict[str, Any]:
    return {**method, "integration": {"type": "AWS_PROXY", "function": "echo"}}


@pytest.fixture(scope="module")
def calls_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("authorizer-calls") / "calls.jsonl"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, calls_file: Path) -> Iterator[Server]:
    tmp = tmp_path_factory.mktemp("authorizers")
    (tmp / "functions").mkdir()
    (tmp / "functions" / "authorizers.py").write_text(AUTHORIZERS.replace("__CALLS__", repr(str(calls_file))))
    (tmp / "functions" / "backend.py").write_text(BACKEND)
    config = {
        "functions": {
            "tokenauth": {"handler": "authorizers.token", "code": "./functions"},
            "requestauth": {"handler": "authorizers.request", "code": "./functions"},
            "echo": {"handler": "backend.echo", "code": "./functions"},
        },
        "apis": [{
            "id": API, "name": "Lambda authorizers",
            "authorizers": {
                "Tokens": {"type": "TOKEN", "function": "tokenauth", "identityValidationExpression": "^[a-z0-9-]+$"},
                "Uncached": {"type": "TOKEN", "function": "tokenauth", "authorizerResultTtlInSeconds": 0,
                             "identitySource": "method.request.header.X-Token"},
                "Requests": {"type": "REQUEST", "function": "requestauth",
                             "identitySource": "method.request.header.X-User, method.request.querystring.tenant"},
            },
            "resources": {
                "/pets": {"GET": _proxy(authorizer="Tokens"), "POST": _proxy(authorizer="Tokens")},
                "/uncached": {"GET": _proxy(authorizer="Uncached")},
                "/tenant/{id}": {"GET": _proxy(authorizer="Requests")},
            },
            "stages": {"prod": {"variables": {"tier": "t1"}}},
        }],
    }
    path = tmp / "poolgate.yaml"
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    srv = start_server("--config", str(path))
    try:
        yield srv
    finally:
        stop_server(srv)


def _url(server: Server, path: str) -> str:
    return f"{server.url}/restapis/{API}/prod/_user_request_{path}"


def _calls(calls_file: Path, **match: str) -> list[dict[str, Any]]:
    if not calls_file.exists():
        return []
    events = [json.loads(line) for line in calls_file.read_text().splitlines()]
    return [e for e in events if all(e.get(k) == v or (e.get("headers") or {}).get(k) == v for k, v in match.items())]


def _error(response: requests.Response, status: int, body: dict[str, Any], error_type: str) -> None:
    assert response.status_code == status, response.text
    assert response.json() == body
    assert response.headers["x-amzn-ErrorType"] == error_type


def test_token_allow_passes_context_to_the_backend(server: Server, calls_file: Path) -> None:
    response = requests.get(_url(server, "/pets"), headers={"Authorization": "allow-pets-1"})
    assert response.status_code == 200, response.text
    authorizer = response.json()["authorizer"]
    assert authorizer["principalId"] == "user-allow-pets-1"
    assert (authorizer["tier"], authorizer["count"], authorizer["admin"]) == ("gold", "3", "true")
    assert "none" in authorizer and authorizer["none"] is None  # null passes through as null
    assert isinstance(authorizer["integrationLatency"], int)
    [event] = _calls(calls_file, authorizationToken="allow-pets-1")
    assert event["type"] == "TOKEN"
    assert event["methodArn"] == f"arn:aws:execute-api:us-east-1:000000000000:{API}/prod/GET/pets"


def test_token_result_is_cached_and_the_policy_re_evaluated_per_method(server: Server, calls_file: Path) -> None:
    for _ in range(3):
        assert requests.get(_url(server, "/pets"), headers={"Authorization": "allow-pets-2"}).status_code == 200
    # the cached policy names GET /pets only: POST /pets is refused without calling the function again
    _error(requests.post(_url(server, "/pets"), headers={"Authorization": "allow-pets-2"}), 403,
           {"Message": NO_ALLOW}, "AccessDeniedException")
    assert len(_calls(calls_file, authorizationToken="allow-pets-2")) == 1


def test_ttl_zero_calls_the_function_every_time(server: Server, calls_file: Path) -> None:
    for _ in range(2):
        assert requests.get(_url(server, "/uncached"), headers={"X-Token": "allow-all-3"}).status_code == 200
    assert len(_calls(calls_file, authorizationToken="allow-all-3")) == 2


def test_token_explicit_deny(server: Server) -> None:
    _error(requests.get(_url(server, "/pets"), headers={"Authorization": "deny-1"}), 403,
           {"Message": EXPLICIT_DENY},
           "AccessDeniedException")


def test_token_policy_without_allow_for_the_method(server: Server) -> None:
    _error(requests.get(_url(server, "/pets"), headers={"Authorization": "someone-else"}), 403,
           {"Message": NO_ALLOW}, "AccessDeniedException")


def test_unauthorized_exception_is_401(server: Server) -> None:
    _error(requests.get(_url(server, "/pets"), headers={"Authorization": "unauthorized-1"}), 401,
           {"message": "Unauthorized"}, "UnauthorizedException")


@pytest.mark.parametrize("token", ["boom-1", "malformed-1", "nested-1"])
def test_other_failures_are_500(server: Server, token: str) -> None:
    _error(requests.get(_url(server, "/pets"), headers={"Authorization": token}), 500,
           {"message": None}, "AuthorizerConfigurationException")


@pytest.mark.parametrize("headers", [{}, {"Authorization": ""}, {"Authorization": "Not Valid!"}],
                         ids=["missing", "empty", "fails-validation-expression"])
def test_missing_or_invalid_identity_is_401_without_calling(server: Server, calls_file: Path,
                                                           headers: dict[str, str]) -> None:
    before = len(_calls(calls_file))
    _error(requests.get(_url(server, "/pets"), headers=headers), 401, {"message": "Unauthorized"},
           "UnauthorizedException")
    assert len(_calls(calls_file)) == before


def test_request_authorizer_allow_event_and_cache(server: Server, calls_file: Path) -> None:
    for _ in range(2):
        response = requests.get(_url(server, "/tenant/7?tenant=acme"), headers={"X-User": "rita"})
        assert response.status_code == 200, response.text
    authorizer = response.json()["authorizer"]
    assert (authorizer["principalId"], authorizer["tenant"], authorizer["stage"]) == ("rita", "acme", "t1")
    [event] = _calls(calls_file, **{"X-User": "rita"})
    assert event["type"] == "REQUEST"
    assert event["methodArn"] == f"arn:aws:execute-api:us-east-1:000000000000:{API}/prod/GET/tenant/7"
    assert (event["resource"], event["path"], event["httpMethod"]) == ("/tenant/{id}", "/tenant/7", "GET")
    assert event["pathParameters"] == {"id": "7"}
    assert event["queryStringParameters"] == {"tenant": "acme"}
    assert event["multiValueHeaders"]["X-User"] == ["rita"]
    assert event["requestContext"]["resourcePath"] == "/tenant/{id}"
    assert "body" not in event
    # another identity-source value is another cache entry
    assert requests.get(_url(server, "/tenant/7?tenant=other"), headers={"X-User": "rita"}).status_code == 200
    assert len(_calls(calls_file, **{"X-User": "rita"})) == 2


def test_request_authorizer_deny(server: Server) -> None:
    _error(requests.get(_url(server, "/tenant/1?tenant=acme"), headers={"X-User": "mallory"}), 403,
           {"Message": EXPLICIT_DENY},
           "AccessDeniedException")


@pytest.mark.parametrize("query, headers", [("?tenant=acme", {}), ("", {"X-User": "sam"}),
                                            ("?tenant=", {"X-User": "sam"})],
                         ids=["no-header", "no-query", "empty-query"])
def test_request_authorizer_missing_identity_source(server: Server, calls_file: Path, query: str,
                                                    headers: dict[str, str]) -> None:
    before = len(_calls(calls_file))
    _error(requests.get(_url(server, f"/tenant/1{query}"), headers=headers), 401, {"message": "Unauthorized"},
           "UnauthorizedException")
    assert len(_calls(calls_file)) == before
