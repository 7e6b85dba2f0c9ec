"""The cost of each authorization type on the hot path, as a ratio to NONE auth, measured in the same run.

    python bench/authorizers.py [--seconds 10] [--connections 32] [--redis-url redis://127.0.0.1:6379/0]

One poolgate (one worker) serves the same MOCK integration behind NONE, COGNITO_USER_POOLS, a TOKEN and a
REQUEST Lambda authorizer (results cached: the steady state), AWS_IAM (SigV4; one request signed once and
replayed by wrk, which is valid within the 5-minute skew window) and an API key with a usage plan (throttle
and quota counters on every request). wrk drives each in turn; rows show requests/s, p50/p99 and the ratio
to NONE. With --redis-url the counters and the authorizer cache live in Redis. Needs wrk (Debian `wrk`).
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import textwrap
import urllib.request
import uuid
from pathlib import Path

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

try:
    from ._server import start_poolgate, stop
    from .gateway import CLIENT, PASSWORD, POOL, Result, id_token, row, wrk
except ImportError:  # run as a script
    from _server import start_poolgate, stop  # type: ignore[no-redef]
    from gateway import CLIENT, PASSWORD, POOL, Result, id_token, row, wrk  # type: ignore[no-redef]

API = "benchauth1"
KEY = "bench-api-key-0000000000000001"
IAM_KEY = Credentials("AKIABENCH00000000001", "bench-secret-key-000000000000000000000000")
MOCK = {"type": "MOCK", "statusCode": 200, "body": '{"message":"hello"}',
        "headers": {"Content-Type": "application/json"}}

AUTHORIZERS = '''
def _allow(event, principal):
    api = event["methodArn"].split("/", 1)[0]
    return {"principalId": principal, "context": {"tier": "gold"},
            "policyDocument": {"Version": "2012-10-17", "Statement": [
                {"Action": "execute-api:Invoke", "Effect": "Allow", "Resource": api + "/*"}]}}


def token(event, context):
    return _allow(event, event["authorizationToken"])


def request(event, context):
    return _allow(event, event["headers"]["X-User"])
'''


def write_config(directory: Path) -> Path:
    (directory / "functions").mkdir()
    (directory / "functions" / "auth.py").write_text(textwrap.dedent(AUTHORIZERS))
    config = {
        "userPools": [{"id": POOL, "name": "bench",
                       "clients": [{"id": CLIENT, "name": "bench",
                                    "explicitAuthFlows": ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]}],
                       "users": [{"username": "bench", "password": PASSWORD}]}],
        "functions": {"token": {"handler": "auth.token", "code": "./functions"},
                      "request": {"handler": "auth.request", "code": "./functions"}},
        "iam": {"users": [{"account": "000000000000", "name": "bench",
                           "accessKeys": [{"id": IAM_KEY.access_key, "secret": IAM_KEY.secret_key}],
                           "policies": [{"Version": "2012-10-17", "Statement": [
                               {"Effect": "Allow", "Action": "execute-api:Invoke",
                                "Resource": "arn:aws:execute-api:*:*:*"}]}]}]},
        "apis": [{
            "id": API, "name": "bench-auth",
            "authorizers": {"Pool": {"type": "COGNITO_USER_POOLS", "providerARNs": [POOL]},
                            "Token": {"type": "TOKEN", "function": "token"},
                            "Request": {"type": "REQUEST", "function": "request",
                                        "identitySource": "method.request.header.X-User"}},
            "resources": {
                "/none": {"GET": {"integration": MOCK}},
                "/cognito": {"GET": {"authorizer": "Pool", "integration": MOCK}},
                "/token": {"GET": {"authorizer": "Token", "integration": MOCK}},
                "/request": {"GET": {"authorizer": "Request", "integration": MOCK}},
                "/iam": {"GET": {"authorization": "AWS_IAM", "integration": MOCK}},
                "/keyed": {"GET": {"apiKeyRequired": True, "integration": MOCK}},
            },
            "stages": {"prod": {}},
        }],
        "apiKeys": [{"name": "bench", "value": KEY}],
        "usagePlans": [{"name": "bench", "apiStages": [{"api": API, "stage": "prod"}],
                        "throttle": {"rateLimit": 1000000, "burstLimit": 1000000},
                        "quota": {"limit": 1000000000, "period": "DAY"}, "keys": ["bench"]}],
    }
    path = directory / "poolgate.yaml"
    path.write_text(json.dumps(config))  # JSON is YAML
    return path


def signed_headers(url: str) -> dict[str, str]:
    """One SigV4 signature (host + x-amz-date), replayable for five minutes."""
    request = AWSRequest(method="GET", url=url)
    SigV4Auth(IAM_KEY, "execute-api", "us-east-1").add_auth(request)
    return {k: v for k, v in request.headers.items() if k.lower() in ("authorization", "x-amz-date")}


def check(url: str, headers: dict[str, str]) -> None:
    with urllib.request.urlopen(urllib.request.Request(url, headers=headers)) as response:
        assert response.status == 200, (url, response.status)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--redis-url")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("bench/authorizers.py needs wrk: apt-get install -y wrk")
    run = {"seconds": args.seconds, "connections": args.connections}
    extra = ["--redis-url", args.redis_url, "--redis-prefix", f"bench-{uuid.uuid4().hex}:"] if args.redis_url else []
    results: list[tuple[Result, Result | None]] = []
    with tempfile.TemporaryDirectory() as tmp:
        process, url = start_poolgate("--config", str(write_config(Path(tmp))), "--ephemeral", *extra)
        try:
            base = f"{url}/restapis/{API}/prod/_user_request_"
            cases = [
                ("NONE + MOCK", "/none", {}),
                ("COGNITO_USER_POOLS", "/cognito", {"Authorization": id_token(url)}),
                ("TOKEN (cached)", "/token", {"Authorization": "bench-token"}),
                ("REQUEST (cached)", "/request", {"X-User": "bench-user"}),
                ("AWS_IAM (SigV4)", "/iam", signed_headers(base + "/iam")),
                ("API key + usage plan", "/keyed", {"x-api-key": KEY}),
            ]
            baseline: Result | None = None
            for name, path, headers in cases:
                check(base + path, headers)
                result = wrk(name, base + path, **run, headers=headers)
                results.append((result, baseline))
                baseline = baseline or result
        finally:
            stop(process)
    backend = "Redis" if args.redis_url else "in-process"
    print(f"wrk -t1 -c{args.connections} -d{int(args.seconds)}s, one poolgate worker, {backend} counters, loopback")
    for result, base_result in results:
        print(row(result, base_result))


if __name__ == "__main__":
    main()
