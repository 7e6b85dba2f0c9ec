"""Time to the first answer: ``poolgate serve`` against a bare uvicorn app started in the same run.

    python bench/startup.py [--runs 7] [--before SRC] [--moto]

Each run starts a fresh process and times, from the moment it is spawned, the first HTTP answer to a request
sent as soon as a connection is accepted (a client polling every 2 ms), then the first answer of each plane sent
right after that one (a fresh process per plane, so no plane warms another):

  bare uvicorn            ``uvicorn _apps:raw`` (bench/_apps.py), the same uvicorn settings: the floor
  poolgate --no-demo      ``poolgate serve --ephemeral --no-demo``: GET /_poolgate/health, then
                            cognito  ListUserPools (POST / with X-Amz-Target)
                            apigw    GET /restapis (the apigateway control plane, SigV4-signed)
                            data     GET /restapis/nope/prod/_user_request_/ (the data plane: 403, no such API)
  poolgate demo           ``poolgate serve --ephemeral``: the embedded SecurePets poolgate.yaml (one pool, one API,
                          functions), which starts everything before it listens
  moto_server             with --moto, for reference (the issue's yardstick)

``--before SRC`` runs poolgate rows a second time with ``PYTHONPATH=SRC`` (another checkout's ``src``, e.g. a
worktree of the commit before a change), so before and after come from the same minutes. Prints, per row,
the median and the range (min-max) in ms, and the machine's load average: neighbours on a shared 2-core machine
move every figure, so compare rows of one run. Goal: poolgate's first answer within 600 ms.
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

try:
    from ._server import free_port
except ImportError:  # run as a script
    from _server import free_port  # type: ignore[no-redef]

BENCH = Path(__file__).resolve().parent
GOAL_MS = 600.0

Command = Callable[[int, Path], list[str]]


@dataclass
class Request:
    name: str
    method: str
    path: str
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    expect: int | None = 200
    """The status the answer must have (None: any below 500)."""

    def raw(self, port: int) -> bytes:
        lines = [f"{self.method} {self.path} HTTP/1.1", f"Host: 127.0.0.1:{port}", "Connection: close",
                 f"Content-Length: {len(self.body)}", *(f"{k}: {v}" for k, v in self.headers.items())]
        return ("\r\n".join(lines) + "\r\n\r\n").encode() + self.body


HEALTH = Request("health", "GET", "/_poolgate/health")
ROOT = Request("GET /", "GET", "/", expect=None)


def signed(port: int, name: str, method: str, path: str, service: str, headers: dict[str, str] | None = None,
           body: bytes = b"") -> Request:
    """A request signed for this port as boto3 would (local mode accepts any key; signed once, before the clock
    starts)."""
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    request = AWSRequest(method=method, url=f"http://127.0.0.1:{port}{path}", data=body, headers=headers or {})
    SigV4Auth(Credentials("AKIABENCHSTARTUP0001", "bench-secret-key-0000000000"), service,
              "us-east-1").add_auth(request)
    return Request(name, method, path, {k: v for k, v in request.headers.items() if k.lower() != "host"}, body)


def cognito_request(port: int) -> Request:
    return signed(port, "cognito", "POST", "/", "cognito-idp", {
        "Content-Type": "application/x-amz-json-1.1",
        "X-Amz-Target": "AWSCognitoIdentityProviderService.ListUserPools"}, b'{"MaxResults": 10}')


def apigw_request(port: int) -> Request:
    return signed(port, "apigw", "GET", "/restapis", "apigateway")


DATA = Request("data", "GET", "/restapis/nope/prod/_user_request_/", expect=403)


def ask(port: int, request: Request, deadline: float) -> tuple[float, int]:
    """Send ``request`` as soon as the port accepts; the time the answer's status line arrived, and the status."""
    data = request.raw(port)
    while time.perf_counter() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=30) as conn:
                conn.sendall(data)
                head = conn.recv(64)
                if not head:  # accepted, then closed: not up yet
                    raise ConnectionResetError
                at = time.perf_counter()
                while conn.recv(65536):  # read to the end: the whole answer is part of it
                    pass
                return at, int(head.split(b" ", 2)[1])
        except OSError:
            time.sleep(0.002)
    raise RuntimeError(f"no answer to {request.name} on port {port}")


def one_run(command: Command, requests: list[Request | Callable[[int], Request]],
            env: dict[str, str]) -> list[float]:
    """Spawn ``command``, send ``requests`` one after another; ms from the spawn to each answer."""
    port = free_port()
    directory = Path(tempfile.mkdtemp(prefix="poolgate-startup-"))
    built = [r(port) if callable(r) else r for r in requests]  # signatures made before the clock starts
    start = time.perf_counter()
    process = subprocess.Popen(command(port, directory), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               env=env, cwd=directory)
    try:
        times = []
        for request in built:
            at, status = ask(port, request, start + 60)
            if status != request.expect and (request.expect is not None or status >= 500):
                raise RuntimeError(f"{request.name} answered {status}, not {request.expect}")
            times.append((at - start) * 1000)
        return times
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        shutil.rmtree(directory, ignore_errors=True)


def uvicorn_command(port: int, directory: Path) -> list[str]:
    return [sys.executable, "-m", "uvicorn", "_apps:raw", "--port", str(port), "--log-level", "warning",
            "--no-access-log", "--app-dir", str(BENCH)]


def poolgate_command(*extra: str) -> Command:
    def command(port: int, directory: Path) -> list[str]:
        return [sys.executable, "-m", "poolgate.cli", "serve", "--ephemeral", "--port", str(port),
                "--data-dir", str(directory), "--log-level", "warning", *extra]
    return command


def moto_command(port: int, directory: Path) -> list[str]:
    return [sys.executable, "-m", "moto.server", "-p", str(port)]


def summary(values: list[float]) -> str:
    return f"{statistics.median(values):7.0f} ms  ({min(values):.0f}-{max(values):.0f})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--before", metavar="SRC", help="also run poolgate from this source tree (PYTHONPATH)")
    parser.add_argument("--moto", action="store_true", help="also time moto_server (moto[server])")
    args = parser.parse_args()

    env = {**os.environ}
    trees = [("", env)]
    if args.before:
        trees.append((" (before)", {**env, "PYTHONPATH": str(Path(args.before).resolve())}))
    rows: list[tuple[str, Command, list[Request | Callable[[int], Request]], dict[str, str]]] = [
        ("bare uvicorn, GET /", uvicorn_command, [ROOT], env)]
    for label, tree_env in trees:
        no_demo = poolgate_command("--no-demo")
        rows += [
            (f"poolgate --no-demo{label}: health", no_demo, [HEALTH], tree_env),
            (f"poolgate --no-demo{label}: health, then cognito", no_demo, [HEALTH, cognito_request], tree_env),
            (f"poolgate --no-demo{label}: health, then apigw", no_demo, [HEALTH, apigw_request], tree_env),
            (f"poolgate --no-demo{label}: health, then data", no_demo, [HEALTH, DATA], tree_env),
            (f"poolgate demo{label}: health", poolgate_command(), [HEALTH], tree_env),
        ]
    if args.moto:
        rows.append(("moto_server, GET /", moto_command, [ROOT], env))

    results: dict[str, list[list[float]]] = {name: [] for name, *_ in rows}
    failures = 0
    for _ in range(args.runs):  # interleaved, so a busy minute hits every row alike
        for name, command, requests, row_env in rows:
            for attempt in range(3):  # a working tree others edit may fail to import for a moment: say so, retry
                try:
                    results[name].append(one_run(command, requests, row_env))
                    break
                except RuntimeError as exc:
                    failures += 1
                    print(f"{name}: {exc} (attempt {attempt + 1})", file=sys.stderr)
            else:
                raise SystemExit(f"{name} failed three times running")

    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    print(f"{args.runs} runs per row, ms from spawn to the answer's first bytes: median (min-max); "
          f"load average {load}")
    floor = statistics.median(r[0] for r in results[rows[0][0]])
    for name, *_ in rows:
        runs = results[name]
        first = [r[0] for r in runs]
        line = f"{name:<48} first {summary(first)}  {statistics.median(first) / floor:4.1f}x floor"
        if len(runs[0]) > 1:
            last = [r[-1] for r in runs]
            gap = [r[-1] - r[-2] for r in runs]
            line += f"\n{'':<48}  plane {summary(last)}  (its own wait {summary(gap).strip()})"
        print(line)
    if failures:
        print(f"{failures} failed start(s) retried (stderr says which)")
    print(f"goal: poolgate's first answer within {GOAL_MS:.0f} ms")


if __name__ == "__main__":
    main()
