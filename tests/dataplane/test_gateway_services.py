"""Each data plane's stages use its own ``GatewayServices`` (``ctx.gateway``): two apps in one process (as tests
and embedders build them) share no Lambda authorizer cache. Before, the in-process cache was a module global: an
app serving the same stored deployment as another (one database) answered a token from the other app's cached
result without calling the authorizer, although its own counters held nothing, and either app's reset emptied
both."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import yaml

from poolgate.server import build_app
from poolgate.settings import Settings

API = "sharedapi1"

AUTHORIZER = '''
CALLS = __CALLS__


def token(event, context):
    with open(CALLS, "a") as out:
        out.write(event["authorizationToken"] + "\\n")
    api = event["methodArn"].split("/", 1)[0]
    return {"principalId": "someone", "policyDocument": {"Version": "2012-10-17", "Statement": [
        {"Action": "execute-api:Invoke", "Effect": "Allow", "Resource": api + "/*"}]}}
'''


def _config(folder: Path) -> Path:
    """A poolgate.yaml whose API ``API`` has a cached TOKEN authorizer logging its calls to ``calls.txt``."""
    (folder / "functions").mkdir()
    calls = folder / "calls.txt"
    (folder / "functions" / "shared_auth.py").write_text(AUTHORIZER.replace("__CALLS__", repr(str(calls))))
    config = {
        "functions": {"auth": {"handler": "shared_auth.token", "code": "./functions", "inline": True}},
        "apis": [{"id": API, "name": "shared",
                  "authorizers": {"Tokens": {"type": "TOKEN", "function": "auth",
                                             "authorizerResultTtlInSeconds": 300}},
                  "resources": {"/pets": {"GET": {"authorizer": "Tokens", "integration": {
                      "type": "MOCK", "statusCode": 200, "body": "{}"}}}},
                  "stages": {"prod": {}}}],
    }
    path = folder / "poolgate.yaml"
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    return path


async def _get(app: Any, token: str) -> int:
    path = f"/restapis/{API}/prod/_user_request_/pets"
    scope = {"type": "http", "method": "GET", "path": path, "raw_path": path.encode(), "query_string": b"",
             "headers": [(b"host", b"127.0.0.1"), (b"authorization", token.encode())],
             "client": ("127.0.0.1", 5000), "server": ("127.0.0.1", 80), "scheme": "http", "http_version": "1.1"}
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    await app(scope, receive, send)
    return int(sent[0]["status"])


def test_two_apps_in_one_process_do_not_share_lambda_authorizer_results(tmp_path: Path) -> None:
    path = _config(tmp_path)
    first, second = (build_app(Settings(data_dir=tmp_path, config_file=path), demo_if_no_config=False)
                     for _ in range(2))
    calls = tmp_path / "calls.txt"

    async def scenario() -> None:
        for app in (first, second):  # one database: both serve the stored deployment (the same authorizer id)
            await app.startup()
        try:
            assert await _get(first, "token-1") == 200
            assert await _get(first, "token-1") == 200
            assert calls.read_text().split() == ["token-1"]  # cached by the first app
            assert await _get(second, "token-1") == 200
            assert calls.read_text().split() == ["token-1", "token-1"]  # the second app asked its authorizer
            one, two = first.dataplane.gateway.lambda_authorizers, second.dataplane.gateway.lambda_authorizers
            assert one is not two and len(one.results) == len(two.results) == 1
            await second.reset()  # a reset of one gateway leaves the other's cache alone
            assert len(one.results) == 1 and two.results == {}
        finally:
            for app in (first, second):
                await app.shutdown()

    asyncio.run(scenario())
