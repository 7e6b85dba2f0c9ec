"""Shared fixtures. Backends: SQLite always; PostgreSQL on 127.0.0.1:5432 (never skipped with CI=true)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.config import Config

from .support import IN_CI, Server, postgres_available, start_server, stop_server, temporary_postgres_database

BACKENDS = ["sqlite", "postgres"]


def _require_postgres() -> None:
    if not postgres_available():
        if IN_CI:
            pytest.fail("PostgreSQL is not reachable on 127.0.0.1:5432 and CI=true")
        pytest.skip("PostgreSQL not reachable on 127.0.0.1:5432")


@pytest.fixture(scope="session", params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    if request.param == "postgres":
        _require_postgres()
    return str(request.param)


@pytest.fixture(scope="session")
def server(backend: str) -> Iterator[Server]:
    """One server per backend for the session; tests isolate themselves with fresh pools."""
    if backend == "postgres":
        with temporary_postgres_database() as url:
            srv = start_server("--no-demo", database_url=url)
            try:
                yield srv
            finally:
                stop_server(srv)
    else:
        srv = start_server("--no-demo")
        try:
            yield srv
        finally:
            stop_server(srv)


def cognito_client(url: str, region: str = "us-east-1", **config: Any) -> Any:
    return boto3.client("cognito-idp", endpoint_url=url, region_name=region, aws_access_key_id="AKIDTEST",
                        aws_secret_access_key="secret", config=Config(retries={"max_attempts": 0}, **config))


@pytest.fixture
def idp(server: Server) -> Any:
    return cognito_client(server.url)
