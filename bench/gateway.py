"""Gateway throughput and latency against baselines measured in the same run.

    python bench/gateway.py [--seconds 10] [--connections 32]

Starts, one after another, with the same uvicorn settings (one worker): a bare ASGI hello-world, the same
behind Starlette's routing, and poolgate with a benchmark config; drives each with wrk over loopback and
prints requests/s and p50/p99 latency for
  (a) bare ASGI                       (baseline)
  (b) poolgate NONE auth + MOCK        vs (a)
  (c) poolgate Cognito auth + Python handler vs (a)   (the default: the handler runs off the event loop;
                                                      an extra row shows the `inline: true` opt-in)
      and the same route sent a token with a bad signature (401): a stream of bad tokens should cost no more
      than a stream of good ones; both rows again under --tail-connections (200) keep-alive connections, with
      wrk's count of requests over 2 s; and the same handler in Node.js (nodejs20.x, an instance per
      concurrent request, as Lambda scales) vs the Python row, with its cold start (first request) timed
  (d) poolgate HTTP_PROXY to an upstream vs the upstream direct
Goals: (c) >= 0.7x (a), (d) >= 0.5x direct, Node.js >= 0.5x (c). Needs wrk (Debian package `wrk`).

Then the floors (bench/_apps.py), on the same server: bare ASGI apps that do only what (c) and (d) cannot
avoid (a cached token, a proxy event, the handler, the answer; or one forwarded request and its answer), as
a ratio to the same baselines. They bound what any Python gateway can reach on this machine and server.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import tempfile
import textwrap
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

try:
    from ._server import start_poolgate, stop, uvicorn_app
except ImportError:  # run as a script
    from _server import start_poolgate, stop, uvicorn_app  # type: ignore[no-redef]

POOL = "us-east-1_BenchPool1"
CLIENT = "benchclient000000000000001"
PASSWORD = "Bench-Passw0rd!"


@dataclass
class Result:
    name: str
    rps: float
    p50_ms: float
    p99_ms: float
    errors: int
    timeouts: int = 0
    """Requests wrk gave up on after its 2 s timeout."""


def _ms(value: str, unit: str) -> float:
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def wrk(name: str, url: str, seconds: float, connections: int, headers: dict[str, str] | None = None,
        script: str | None = None) -> Result:
    cmd = ["wrk", "-t1", f"-c{connections}", f"-d{int(seconds)}s", "--latency"]
    for key, value in (headers or {}).items():
        cmd += ["-H", f"{key}: {value}"]
    if script:
        cmd += ["-s", script]
    out = subprocess.run([*cmd, url], capture_output=True, text=True, check=True).stdout
    rps = re.search(r"^Requests/sec:\s+([\d.]+)", out, re.M)
    p50 = re.search(r"^\s+50%\s+([\d.]+)(us|ms|s)\s*$", out, re.M)  # wrk writes "1.12s " with a space
    p99 = re.search(r"^\s+99%\s+([\d.]+)(us|ms|s)\s*$", out, re.M)
    if not (rps and p50 and p99):
        raise RuntimeError(f"unexpected wrk output for {name}:\n{out}")
    non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    timeouts = re.search(r"Socket errors:.*timeout (\d+)", out)
    return Result(name, float(rps.group(1)), _ms(*p50.groups()), _ms(*p99.groups()),
                  int(non2xx.group(1)) if non2xx else 0, int(timeouts.group(1)) if timeouts else 0)


def write_config(directory: Path, upstream: str) -> Path:
    (directory / "functions").mkdir()
    (directory / "functions" / "hello.py").write_text(textwrap.dedent("""
        import json

        def handler(event, context):
            user = event["requestContext"]["authorizer"]["claims"]["cognito:username"]
            return {"statusCode": 200, "headers": {"Content-Type": "application/json"},
                    "body": json.dumps({"message": "hello", "user": user})}
    """))
    (directory / "node").mkdir()
    (directory / "node" / "index.mjs").write_text(textwrap.dedent("""
        export const handler = async (event) => {
          const user = event.requestContext.authorizer.claims['cognito:username'];
          return { statusCode: 200, headers: { 'Content-Type': 'application/json' },
                   body: JSON.stringify({ message: 'hello', user }) };
        };
    """))
    config = {
        "userPools": [{"id": POOL, "name": "bench",
                       "clients": [{"id": CLIENT, "name": "bench",
                                    "explicitAuthFlows": ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]}],
                       "users": [{"username": "bench", "password": PASSWORD}]}],
        "functions": {"hello": {"handler": "hello.handler", "code": "./functions"},
                      "hello_inline": {"handler": "hello.handler", "code": "./functions", "inline": True},
                      "hello_node": {"runtime": "nodejs20.x", "handler": "index.handler", "code": "./node"}},
        "apis": [{
            "id": "benchapi01", "name": "bench",
            "authorizers": {"Pool": {"type": "COGNITO_USER_POOLS", "providerARNs": [POOL]}},
            "resources": {
                "/mock": {"GET": {"integration": {"type": "MOCK", "statusCode": 200, "body": '{"message":"hello"}',
                                                  "headers": {"Content-Type": "application/json"}}}},
                "/hello": {"GET": {"authorization": "COGNITO_USER_POOLS", "authorizer": "Pool",
                                   "integration": {"type": "AWS_PROXY", "function": "hello"}}},
                "/hello-inline": {"GET": {"authorization": "COGNITO_USER_POOLS", "authorizer": "Pool",
                                          "integration": {"type": "AWS_PROXY", "function": "hello_inline"}}},
                "/hello-node": {"GET": {"authorization": "COGNITO_USER_POOLS", "authorizer": "Pool",
                                        "integration": {"type": "AWS_PROXY", "function": "hello_node"}}},
                "/proxy/{proxy+}": {"ANY": {"integration": {"type": "HTTP_PROXY", "uri": upstream + "/{proxy}"}}},
            },
            "stages": {"prod": {}},
        }],
    }
    path = directory / "poolgate.yaml"
    path.write_text(json.dumps(config))  # JSON is YAML
    return path


def id_token(url: str) -> str:
    body = json.dumps({"AuthFlow": "USER_PASSWORD_AUTH", "ClientId": CLIENT,
                       "AuthParameters": {"USERNAME": "bench", "PASSWORD": PASSWORD}}).encode()
    request = urllib.request.Request(url + "/", data=body, headers={
        "Content-Type": "application/x-amz-json-1.1",
        "X-Amz-Target": "AWSCognitoIdentityProviderService.InitiateAuth"})
    with urllib.request.urlopen(request) as response:
        return str(json.load(response)["AuthenticationResult"]["IdToken"])


def first_request_ms(url: str, headers: dict[str, str]) -> float:
    """One request's wall time (the cold start of a function nothing has invoked yet)."""
    started = time.perf_counter()
    with urllib.request.urlopen(urllib.request.Request(url, headers=headers)) as response:
        response.read()
    return (time.perf_counter() - started) * 1000


def bad_signature(token: str) -> str:
    """The same token with the end of its signature replaced: well formed, the pool's kid, a wrong signature."""
    head, body, signature = token.split(".")
    return f"{head}.{body}.{signature[:-8]}AAAAAAAA"


def row(result: Result, baseline: Result | None) -> str:
    ratio = f"{result.rps / baseline.rps:5.2f}x {baseline.name.strip()}" if baseline else "baseline"
    errors = f"  non-2xx: {result.errors}" if result.errors else ""
    timeouts = f"  over 2 s: {result.timeouts}" if result.timeouts else ""
    return (f"{result.name:<40} {result.rps:>9.0f} req/s  p50 {result.p50_ms:6.2f} ms  p99 {result.p99_ms:7.2f} ms"
            f"  {ratio}{errors}{timeouts}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--tail-connections", type=int, default=200,
                        help="connections for the good/bad token tail rows (0: skip them)")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("bench/gateway.py needs wrk: apt-get install -y wrk (scripts/bench installs it)")
    try:
        import starlette  # noqa: F401  (the Starlette baseline runs in a uvicorn subprocess)
    except ImportError:
        sys.exit("bench/gateway.py needs Starlette for its baseline: pip install -e '.[bench]' (scripts/bench does)")
    run = {"seconds": args.seconds, "connections": args.connections}
    results: list[tuple[Result, Result | None]] = []
    cold_ms = 0.0

    raw, raw_url = uvicorn_app("_apps:raw")
    try:
        bare = wrk("(a) bare ASGI (uvicorn)", raw_url + "/", **run)
    finally:
        stop(raw)
    results.append((bare, None))
    star, star_url = uvicorn_app("_apps:starlette_app")
    try:
        results.append((wrk("    Starlette routing (uvicorn)", star_url + "/x", **run), bare))
    finally:
        stop(star)

    upstream, upstream_url = uvicorn_app("_apps:raw")
    try:
        direct = wrk("    upstream direct", upstream_url + "/item", **run)
        with tempfile.TemporaryDirectory() as tmp:
            config = write_config(Path(tmp), upstream_url)
            process, url = start_poolgate("--config", str(config), "--ephemeral")
            try:
                base = f"{url}/restapis/benchapi01/prod/_user_request_"
                token = id_token(url)
                auth = {"Authorization": token}
                urllib.request.urlopen(base + "/mock").read()
                results.append((wrk("(b) poolgate NONE + MOCK", base + "/mock", **run), bare))
                good = wrk("(c) poolgate Cognito + Python", base + "/hello", **run, headers=auth)
                results.append((good, bare))
                results.append((wrk("    same, bad-signature token (401)", base + "/hello", **run,
                                    headers={"Authorization": bad_signature(token)}), good))
                results.append((wrk("    same, handler inline: true", base + "/hello-inline", **run, headers=auth),
                                bare))
                cold_ms = first_request_ms(base + "/hello-node", auth)
                wrk("    (warming Node.js instances)", base + "/hello-node", **{**run, "seconds": 2}, headers=auth)
                results.append((wrk("(c) poolgate Cognito + Node.js", base + "/hello-node", **run, headers=auth),
                                good))
                results.append((direct, None))
                results.append((wrk("(d) poolgate HTTP_PROXY", base + "/proxy/item", **run), direct))
                if args.tail_connections:
                    tail = {"seconds": args.seconds, "connections": args.tail_connections}
                    good_tail = wrk(f"(c) at {args.tail_connections} connections", base + "/hello", **tail,
                                    headers=auth)
                    results.append((good_tail, bare))
                    results.append((wrk(f"    bad-signature token at {args.tail_connections}", base + "/hello",
                                        **tail, headers={"Authorization": bad_signature(token)}), good_tail))
            finally:
                stop(process)
        floors = [("    floor of (c): handler off the loop", "_apps:floor_lambda", bare, auth),
                  ("    floor of (c), handler on the loop", "_apps:floor_lambda_inline", bare, auth),
                  ("    floor of (d): forward, nothing else", "_apps:floor_proxy", direct, None)]
        for name, target, baseline, headers in floors:
            floor, floor_url = uvicorn_app(target, {"FLOOR_UPSTREAM": upstream_url})
            try:
                results.append((wrk(name, floor_url + "/hello", **run, headers=headers), baseline))
            finally:
                stop(floor)
    finally:
        stop(upstream)
    print(f"wrk -t1 -c{args.connections} -d{int(args.seconds)}s, one server worker each, over loopback")
    print(f"Node.js cold start (the first request to /hello-node, process start included): {cold_ms:.0f} ms")
    for result, baseline in results:
        print(row(result, baseline))
    print("goals: (c) >= 0.70x bare ASGI, (d) >= 0.50x upstream direct, Node.js >= 0.50x (c); "
          "a bad-signature token >= 1.00x (c), its p99 no higher than (c)'s and none over 2 s")
    print("a floor is a bare ASGI app doing only the work its row cannot avoid (bench/_apps.py): no gateway comes\n"
          "closer to the baseline than its floor on the same server and machine")


if __name__ == "__main__":
    main()
