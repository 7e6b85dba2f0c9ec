"""Sign-ins per second over the wire, against the hash-bound limit measured in the same run.

    python bench/signin.py [--seconds 10] [--concurrency 16] [--users 16]

Prints the cost of one argon2id verification with the server's parameters, the limit that cost sets
(cores ÷ hash time), the measured InitiateAuth USER_PASSWORD_AUTH rate and their ratio.
Goals: ratio ≥ 0.85 and ≥ 120 sign-ins/s (Cognito's default per-pool quota) on a 2-core machine.
With wrk it then drives the floor (bench/_apps.py), a bare ASGI app that only verifies the same hash off the
event loop and signs the two RS256 tokens of a Cognito sign-in: no sign-in service can beat its floor here.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import shutil
import statistics
import subprocess
import tempfile
import time

import aiohttp
import boto3
from argon2 import PasswordHasher

from poolgate.settings import Settings

try:
    from ._server import start_poolgate, stop, uvicorn_app
except ImportError:  # run as a script
    from _server import start_poolgate, stop, uvicorn_app  # type: ignore[no-redef]

PASSWORD = "Bench-Passw0rd!"


def argon2_build() -> str:
    """Which libargon2 code the server runs: PyPI's portable wheel or a build for this CPU
    (scripts/argon2-native.sh)."""
    import importlib.metadata

    wheel = importlib.metadata.distribution("argon2-cffi-bindings").read_text("WHEEL") or ""
    portable = "manylinux" in wheel or "musllinux" in wheel
    return "PyPI's portable wheel" if portable else "built for this CPU (scripts/argon2-native.sh)"


def hash_time(samples: int = 40) -> float:
    defaults = Settings()
    hasher = PasswordHasher(time_cost=defaults.password_hash_time_cost,
                            memory_cost=defaults.password_hash_memory_kib, parallelism=1)
    stored = hasher.hash(PASSWORD)
    times = []
    for _ in range(samples):
        start = time.perf_counter()
        hasher.verify(stored, PASSWORD)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def parallel_hashes_per_second(threads: int, seconds: float = 5.0) -> float:
    """Verifications per second with every core hashing and nothing else running: the machine's real ceiling
    (cores hashing at once share memory bandwidth, so it sits a little under cores ÷ hash time)."""
    import threading

    defaults = Settings()
    hasher = PasswordHasher(time_cost=defaults.password_hash_time_cost,
                            memory_cost=defaults.password_hash_memory_kib, parallelism=1)
    stored = hasher.hash(PASSWORD)
    counts = [0] * threads
    stop_at = time.perf_counter() + seconds

    def work(index: int) -> None:
        while time.perf_counter() < stop_at:
            hasher.verify(stored, PASSWORD)
            counts[index] += 1

    workers = [threading.Thread(target=work, args=(i,)) for i in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return sum(counts) / seconds


def prepare(url: str, users: int) -> str:
    idp = boto3.client("cognito-idp", endpoint_url=url, region_name="us-east-1",
                       aws_access_key_id="bench", aws_secret_access_key="bench")
    pool = idp.create_user_pool(PoolName="bench", Policies={"PasswordPolicy": {"MinimumLength": 8}})["UserPool"]
    client = idp.create_user_pool_client(UserPoolId=pool["Id"], ClientName="bench",
                                         ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH",
                                                            "ALLOW_REFRESH_TOKEN_AUTH"])["UserPoolClient"]
    for i in range(users):
        idp.admin_create_user(UserPoolId=pool["Id"], Username=f"user{i}", MessageAction="SUPPRESS")
        idp.admin_set_user_password(UserPoolId=pool["Id"], Username=f"user{i}", Password=PASSWORD, Permanent=True)
    return str(client["ClientId"])


async def drive(url: str, client_id: str, users: int, concurrency: int, seconds: float) -> tuple[int, int, float]:
    headers = {"Content-Type": "application/x-amz-json-1.1",
               "X-Amz-Target": "AWSCognitoIdentityProviderService.InitiateAuth"}
    bodies = [json.dumps({"AuthFlow": "USER_PASSWORD_AUTH", "ClientId": client_id,
                          "AuthParameters": {"USERNAME": f"user{i}", "PASSWORD": PASSWORD}}).encode()
              for i in range(users)]
    ok = failed = 0
    stop_at = 0.0

    async def worker(n: int, session: aiohttp.ClientSession) -> None:
        nonlocal ok, failed
        i = n
        while time.perf_counter() < stop_at:
            async with session.post(url, data=bodies[i % users], headers=headers) as response:
                await response.read()
                if response.status == 200:
                    ok += 1
                else:
                    failed += 1
            i += concurrency

    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(connector=connector) as session:
        stop_at = time.perf_counter() + 2.0  # warm-up
        await asyncio.gather(*(worker(n, session) for n in range(concurrency)))
        ok = failed = 0
        start = time.perf_counter()
        stop_at = start + seconds
        await asyncio.gather(*(worker(n, session) for n in range(concurrency)))
        elapsed = time.perf_counter() - start
    return ok, failed, elapsed


_WRK_SCRIPT = """
local bodies = {%s}
local n = 0
request = function()
  n = n + 1
  return wrk.format("POST", "/", {["Content-Type"] = "application/x-amz-json-1.1",
    ["X-Amz-Target"] = "AWSCognitoIdentityProviderService.InitiateAuth"}, bodies[(n %% #bodies) + 1])
end
"""


def drive_wrk(url: str, client_id: str, users: int, concurrency: int, seconds: float) -> tuple[int, int, float]:
    """wrk (C) as the load generator: it leaves the two cores to the server far more than a Python client."""
    bodies = ", ".join(json.dumps(json.dumps({"AuthFlow": "USER_PASSWORD_AUTH", "ClientId": client_id,
                                              "AuthParameters": {"USERNAME": f"user{i}", "PASSWORD": PASSWORD}}))
                       for i in range(users))
    with tempfile.NamedTemporaryFile("w", suffix=".lua") as script:
        script.write(_WRK_SCRIPT % bodies)
        script.flush()
        subprocess.run(["wrk", "-t1", f"-c{concurrency}", "-d2s", "-s", script.name, url + "/"],
                       capture_output=True, check=True)  # warm-up
        out = subprocess.run(["wrk", "-t1", f"-c{concurrency}", f"-d{int(seconds)}s", "-s", script.name, url + "/"],
                             capture_output=True, text=True, check=True).stdout
    done = re.search(r"(\d+) requests in ([\d.]+)s", out)
    non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    assert done, out
    total, elapsed = int(done.group(1)), float(done.group(2))
    failed = int(non2xx.group(1)) if non2xx else 0
    return total - failed, failed, elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--users", type=int, default=16)
    args = parser.parse_args()
    cores = os.cpu_count() or 1
    per_hash = hash_time()
    limit = cores / per_hash
    ceiling = parallel_hashes_per_second(cores)
    process, url = start_poolgate("--ephemeral", "--no-demo")
    try:
        client_id = prepare(url, args.users)
        if shutil.which("wrk"):
            generator = "wrk"
            ok, failed, elapsed = drive_wrk(url, client_id, args.users, args.concurrency, args.seconds)
        else:
            generator = "an aiohttp client in this process (install wrk for a lighter one)"
            ok, failed, elapsed = asyncio.run(drive(url, client_id, args.users, args.concurrency, args.seconds))
    finally:
        stop(process)
    floor_rate = None
    if generator == "wrk":
        floor, floor_url = uvicorn_app("_apps:floor_signin")
        try:
            floor_ok, _, floor_elapsed = drive_wrk(floor_url, "floor", args.users, args.concurrency, args.seconds)
            floor_rate = floor_ok / floor_elapsed
        finally:
            stop(floor)
    rate = ok / elapsed
    print(f"argon2id verify (server parameters): {per_hash * 1000:.1f} ms, argon2-cffi-bindings {argon2_build()}")
    print(f"hash-bound limit: {cores} cores / {per_hash * 1000:.1f} ms = {limit:.0f} sign-ins/s")
    print(f"measured: {rate:.0f} sign-ins/s over {elapsed:.1f} s, {args.concurrency} concurrent clients "
          f"({ok} ok, {failed} failed), load from {generator}")
    print(f"ratio to the hash-bound limit: {rate / limit:.2f}  (goal >= 0.85)")
    print(f"for context: {cores} threads doing nothing but hashing reach {ceiling:.0f}/s here; "
          f"measured / that = {rate / ceiling:.2f}")
    if floor_rate is not None:
        print(f"floor (bench/_apps.py: the same hash off the loop and the two RS256 tokens, nothing else, on the "
              f"same server): {floor_rate:.0f}/s, ratio {floor_rate / limit:.2f}; poolgate reaches "
              f"{rate / floor_rate:.2f} of its floor")
    print(f"against Cognito's default quota: {rate:.0f}/120 sign-ins/s  (goal >= 120)")


if __name__ == "__main__":
    main()
