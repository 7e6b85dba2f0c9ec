"""Test support: start a real poolgate server as a subprocess on a free port, and the services it uses."""

from __future__ import annotations

import asyncio
import io
import itertools
import os
import socket
import stat
import subprocess
import sys
import tempfile
import time
import uuid
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import requests
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

PG_ADMIN_URL = os.environ.get("POOLGATE_TEST_PG", "postgresql://127.0.0.1:5432/test")
REDIS_URL = os.environ.get("POOLGATE_TEST_REDIS", "redis://127.0.0.1:6379/0")
IN_CI = os.environ.get("CI") == "true"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def postgres_available() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 5432), timeout=1):
            return True
    except OSError:
        return False


def redis_available() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=1):
            return True
    except OSError:
        return False


async def _pg(sql: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(PG_ADMIN_URL)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


@contextmanager
def temporary_postgres_database() -> Iterator[str]:
    """A fresh PostgreSQL database for one server, dropped afterwards; yields its SQLAlchemy URL."""
    name = f"poolgate_{uuid.uuid4().hex[:12]}"
    asyncio.run(_pg(f'CREATE DATABASE "{name}"'))
    try:
        base = PG_ADMIN_URL.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://")
        yield f"{base}/{name}"
    finally:
        asyncio.run(_pg(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@dataclass
class Server:
    url: str
    port: int
    process: subprocess.Popen[bytes]
    log_path: Path
    data_dir: Path
    database_url: str | None = None
    extra: dict[str, str] = field(default_factory=dict)
    credentials: tuple[str, str] | None = None
    """The first ``--credentials`` key pair the server was started with (None in local mode)."""

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def reset(self) -> None:
        """``POST /_poolgate/reset`` as the server requires it: SigV4-signed (service ``poolgate``) by its first
        configured key in signed mode, else a JSON request (what no web page can send cross-site)."""
        url = f"{self.url}/_poolgate/reset"
        headers = {"Content-Type": "application/json"}
        if self.credentials is not None:
            request = AWSRequest(method="POST", url=url, data=b"{}", headers=headers)
            SigV4Auth(Credentials(*self.credentials), "poolgate", "us-east-1").add_auth(request)
            headers = dict(request.headers.items())
        requests.post(url, data=b"{}", headers=headers, timeout=10).raise_for_status()


def start_server(*args: str, database_url: str | None = None, env: dict[str, str] | None = None,
                 port: int | None = None, cwd: str | None = None, wait: float = 30.0,
                 allow_reset: bool = True, data_dir: Path | None = None) -> Server:
    port = port or free_port()
    data_dir = data_dir or Path(tempfile.mkdtemp(prefix="poolgate-test-"))
    log_path = data_dir / f"server-{port}.log"
    cmd = [sys.executable, "-m", "poolgate.cli", "serve", "--port", str(port), "--data-dir", str(data_dir),
           *(["--allow-reset"] if allow_reset else []), *args]
    if database_url:
        cmd += ["--database-url", database_url]
    full_env = {**os.environ, "POOLGATE_STRICT_ERRORS": "1", **(env or {})}
    log_file = open(log_path, "wb")  # noqa: SIM115 - closed by the process's end
    process = subprocess.Popen(cmd, stdout=log_file, stderr=subprocess.STDOUT, env=full_env, cwd=cwd)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"poolgate exited with {process.returncode}:\n{log_path.read_text()}")
        try:
            if requests.get(f"{url}/_poolgate/health", timeout=1).status_code == 200:
                return Server(url, port, process, log_path, data_dir, database_url,
                              credentials=_first_credentials(args))
        except requests.RequestException:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError(f"poolgate did not start in {wait}s:\n{log_path.read_text()}")


def _first_credentials(args: tuple[str, ...]) -> tuple[str, str] | None:
    for flag, value in itertools.pairwise(args):
        if flag == "--credentials":
            key, secret = value.split(":")[:2]
            return key, secret
    return None


def stop_server(server: Server) -> None:
    server.process.terminate()
    try:
        server.process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        server.process.kill()


def zip_files(files: dict[str, str], executable: tuple[str, ...] = ()) -> bytes:
    """A function's code zip: each file a regular file, mode 0755 if named in `executable`, else 0644."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in files.items():
            info = zipfile.ZipInfo(name)
            mode = 0o755 if name in executable else 0o644
            info.external_attr = (stat.S_IFREG | mode) << 16
            archive.writestr(info, text)
    return buffer.getvalue()


@contextmanager
def two_servers(*args: str, database_url: str) -> Iterator[tuple[Server, Server]]:
    """Two server processes started with the same arguments on one database, the first started first."""
    first = start_server(*args, database_url=database_url)
    try:
        second = start_server(*args, database_url=database_url)
        try:
            yield first, second
        finally:
            stop_server(second)
    finally:
        stop_server(first)
