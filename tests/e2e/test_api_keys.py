"""API keys, usage plans and throttling end to end (reference §7), on both counter backends: in-process and
Redis (``--redis-url``; never skipped with CI=true); and two poolgate processes sharing one Redis quota."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
import requests
import yaml

from tests.support import IN_CI, REDIS_URL, Server, redis_available, start_server, stop_server

API = "keyedapi01"
AUTH_API = "keyedauth1"
GOLD = "gold-key-000000000000000001"
QUOTA = "quota-key-00000000000000001"
BURST = "burst-key-00000000000000001"
DISABLED = "disabled-key-0000000000001"
ORPHAN = "orphan-key-000000000000001"
SHARED = "shared-key-000000000000001"

FUNCTIONS = '''
import json


def echo(event, context):
    return {"statusCode": 200, "body": json.dumps(event["requestContext"]["identity"])}


def auth(event, context):
    token = event["authorizationToken"]
    if token == "nobody":
        raise Exception("Unauthorized")
    api = event["methodArn"].split("/", 1)[0]
    return {"principalId": token, "usageIdentifierKey": token,
            "policyDocument": {"Version": "2012-10-17", "Statement": [
                {"Action": "execute-api:Invoke", "Effect": "Allow", "Resource": api + "/*"}]}}
'''


def _method(key: bool = True, **extra: Any) -> dict[str, Any]:
    return {"apiKeyRequired": key, **extra, "integration": {"type": "AWS_PROXY", "function": "echo"}}


def write_config(tmp: Path, shared_quota: int = 4) -> Path:
    (tmp / "functions").mkdir(exist_ok=True)
    (tmp / "functions" / "fns.py").write_text(FUNCTIONS)
    config = {
        "functions": {"echo": {"handler": "fns.echo", "code": "./functions"},
                      "auth": {"handler": "fns.auth", "code": "./functions"}},
        "apis": [{
            "id": API, "name": "Keyed",
            "resources": {"/keyed": {"GET": _method()}, "/open": {"GET": _method(False)},
                          "/throttled": {"GET": _method(False)}, "/fast": {"GET": _method()}},
            "stages": {"prod": {"methodSettings": {"/throttled/GET": {"throttlingRateLimit": 1,
                                                                      "throttlingBurstLimit": 2}}},
                       "beta": {}},
        }, {
            "id": AUTH_API, "name": "Keys from the authorizer", "apiKeySource": "AUTHORIZER",
            "authorizers": {"Tokens": {"type": "TOKEN", "function": "auth"}},
            "resources": {"/keyed": {"GET": _method(authorizer="Tokens")}},
        }],
        "apiKeys": [{"name": "gold", "value": GOLD}, {"name": "quota", "value": QUOTA},
                    {"name": "burst", "value": BURST}, {"name": "disabled", "value": DISABLED, "enabled": False},
                    {"name": "orphan", "value": ORPHAN}, {"name": "shared", "value": SHARED},
                    {"name": "generated"}],
        "usagePlans": [
            {"name": "Gold", "apiStages": [{"api": API, "stage": "prod"}, {"api": "Keys from the authorizer",
                                                                          "stage": "prod"}],
             "throttle": {"rateLimit": 1000, "burstLimit": 1000}, "keys": ["gold", "disabled", "generated"]},
            {"name": "Small", "apiStages": [{"api": API, "stage": "prod"}],
             "quota": {"limit": 3, "period": "DAY"}, "keys": ["quota"]},
            {"name": "Burst", "apiStages": [{"api": API, "stage": "prod",
                                             "throttle": {"/fast/GET": {"rateLimit": 1, "burstLimit": 2}}}],
             "throttle": {"rateLimit": 1000, "burstLimit": 1000}, "keys": ["burst"]},
            {"name": "Shared", "apiStages": [{"api": API, "stage": "prod"}],
             "quota": {"limit": shared_quota, "period": "MONTH"}, "keys": ["shared"]},
        ],
    }
    path = tmp / "poolgate.yaml"
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    return path


def _require_redis() -> None:
    if not redis_available():
        if IN_CI:
            pytest.fail("Redis is not reachable on 127.0.0.1:6379 and CI=true")
        pytest.skip("Redis not reachable on 127.0.0.1:6379")


@pytest.fixture(scope="module", params=["memory", "redis"])
def server(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    args: list[str] = []
    if request.param == "redis":
        _require_redis()
        args = ["--redis-url", REDIS_URL, "--redis-prefix", f"pgtest-{uuid.uuid4().hex}:"]
    srv = start_server("--config", str(write_config(tmp_path_factory.mktemp("keys"))), *args)
    try:
        yield srv
    finally:
        stop_server(srv)


def _get(server: Server, path: str, key: str | None = None, api: str = API, stage: str = "prod",
         **headers: str) -> requests.Response:
    if key is not None:
        headers["X-API-Key"] = key
    return requests.get(f"{server.url}/restapis/{api}/{stage}/_user_request_{path}", headers=headers)


def _error(response: requests.Response, status: int, message: str, error_type: str) -> None:
    assert response.status_code == status, response.text
    assert response.json() == {"message": message}
    assert response.headers["x-amzn-ErrorType"] == error_type


def _forbidden(response: requests.Response) -> None:
    _error(response, 403, "Forbidden", "ForbiddenException")


def test_valid_key_reaches_the_backend_with_its_identity(server: Server) -> None:
    response = requests.get(f"{server.url}/restapis/{API}/prod/_user_request_/keyed", headers={"x-api-key": GOLD})
    assert response.status_code == 200, response.text
    identity = response.json()
    assert identity["apiKey"] == GOLD
    assert len(identity["apiKeyId"]) == 10


@pytest.mark.parametrize("key", [None, "", "no-such-key-0000000000000", DISABLED, ORPHAN],
                         ids=["missing", "empty", "unknown", "disabled", "in-no-plan"])
def test_bad_keys_are_forbidden(server: Server, key: str | None) -> None:
    _forbidden(_get(server, "/keyed", key))


def test_key_not_in_a_plan_for_this_stage(server: Server) -> None:
    _forbidden(_get(server, "/keyed", GOLD, stage="beta"))


def test_methods_without_api_key_required_ignore_keys(server: Server) -> None:
    assert _get(server, "/open").status_code == 200
    assert _get(server, "/open", "whatever").status_code == 200


def test_quota_exceeded(server: Server) -> None:
    statuses = [_get(server, "/keyed", QUOTA).status_code for _ in range(3)]
    assert statuses == [200, 200, 200]
    _error(_get(server, "/keyed", QUOTA), 429, "Limit Exceeded", "LimitExceededException")
    server.reset()  # wipes all state, counters included
    assert _get(server, "/keyed", QUOTA).status_code == 200


def _burst(server: Server, path: str, key: str | None) -> list[requests.Response]:
    with ThreadPoolExecutor(5) as pool:
        return list(pool.map(lambda _: _get(server, path, key), range(5)))


@pytest.mark.parametrize("path, key", [("/fast", BURST), ("/throttled", None)],
                         ids=["usage-plan-method-throttle", "stage-method-settings"])
def test_throttling_under_a_burst(server: Server, path: str, key: str | None) -> None:
    responses = _burst(server, path, key)
    ok = [r for r in responses if r.status_code == 200]
    throttled = [r for r in responses if r.status_code != 200]
    assert 2 <= len(ok) <= 3, [r.status_code for r in responses]
    assert len(throttled) >= 2
    for response in throttled:
        _error(response, 429, "Too Many Requests", "TooManyRequestsException")


def test_key_from_the_authorizer(server: Server) -> None:
    response = _get(server, "/keyed", api=AUTH_API, Authorization=GOLD)
    assert response.status_code == 200, response.text
    assert response.json()["apiKey"] == GOLD
    # the x-api-key header does not count when the source is AUTHORIZER
    _forbidden(_get(server, "/keyed", GOLD, api=AUTH_API, Authorization="not-a-key-value"))


def test_authorizer_runs_before_the_key_check(server: Server) -> None:
    _error(_get(server, "/keyed", api=AUTH_API, Authorization="nobody"), 401, "Unauthorized",
           "UnauthorizedException")


def test_generated_key_is_printed_and_works(server: Server) -> None:
    line = next(line for line in server.log().splitlines() if line.startswith("api key generated: "))
    value = line.split()[3]
    assert len(value) == 40
    assert _get(server, "/keyed", value).status_code == 200


def test_two_processes_share_one_redis_quota(tmp_path: Path) -> None:
    _require_redis()
    config = write_config(tmp_path, shared_quota=4)
    args = ["--config", str(config), "--redis-url", REDIS_URL, "--redis-prefix", f"pgtest-{uuid.uuid4().hex}:"]
    first = start_server(*args)
    try:
        second = start_server(*args)
        try:
            statuses = [_get(server, "/keyed", SHARED).status_code for _ in range(4) for server in (first, second)]
        finally:
            stop_server(second)
    finally:
        stop_server(first)
    assert statuses.count(200) == 4, statuses
    assert statuses.count(429) == 4, statuses
