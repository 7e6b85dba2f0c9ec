"""An API key declared without a value gets a generated one on the first start, kept in the database: the
same after a restart with the same storage and after POST /_poolgate/reset (it used to change at every
start, even with persistent storage, so every client had to be given the new key)."""

from __future__ import annotations

import json
import re
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests

from tests.support import (
    IN_CI,
    Server,
    postgres_available,
    start_server,
    stop_server,
    temporary_postgres_database,
)

CONFIG = {
    "apis": [{"id": "keyedapi01", "name": "Keyed", "resources": {"/health": {"GET": {
        "apiKeyRequired": True, "integration": {"type": "MOCK", "statusCode": 200, "body": '{"ok":true}'}}}}}],
    "apiKeys": [{"name": "partner"}],
    "usagePlans": [{"name": "Basic", "apiStages": [{"api": "keyedapi01", "stage": "prod"}], "keys": ["partner"]}],
}


def _printed_key(server: Server) -> str:
    values = re.findall(r"^api key partner: (\S+) ", server.log(), re.M)
    assert len(values) == 1, server.log()
    assert re.fullmatch(r"[a-z0-9]{40}", values[0])
    return str(values[0])


def _status(server: Server, key: str) -> int:
    return requests.get(f"{server.url}/restapis/keyedapi01/prod/_user_request_/health", headers={"x-api-key": key},
                        timeout=10).status_code


def test_a_generated_key_is_kept_across_restarts_and_resets(tmp_path: Path) -> None:
    config = tmp_path / "poolgate.yaml"
    config.write_text(json.dumps(CONFIG))
    data = tmp_path / "data"
    data.mkdir()
    first = start_server("--config", str(config), data_dir=data)
    try:
        key = _printed_key(first)
        assert _status(first, key) == 200
    finally:
        stop_server(first)
    (data / f"server-{first.port}.log").unlink()
    second = start_server("--config", str(config), data_dir=data)
    try:
        assert _printed_key(second) == key
        assert _status(second, key) == 200
        second.reset()
        assert _status(second, key) == 200
        assert _status(second, "x" * 40) == 403
    finally:
        stop_server(second)
    third = start_server("--config", str(config), data_dir=data)  # after the reset wiped the database
    try:
        assert _status(third, key) == 200
    finally:
        stop_server(third)


@pytest.mark.postgres
def test_two_servers_starting_at_once_on_one_database_serve_the_same_key(tmp_path: Path) -> None:
    if not postgres_available():
        if IN_CI:
            pytest.fail("PostgreSQL is not reachable on 127.0.0.1:5432 and CI=true")
        pytest.skip("PostgreSQL not reachable on 127.0.0.1:5432")
    config = tmp_path / "poolgate.yaml"
    config.write_text(json.dumps(CONFIG))
    with temporary_postgres_database() as url, ThreadPoolExecutor(max_workers=2) as pool:
        servers = list(pool.map(lambda _: start_server("--config", str(config), database_url=url), range(2)))
        try:
            keys = {_printed_key(server) for server in servers}
            assert len(keys) == 1
            key = keys.pop()
            assert [_status(server, key) for server in servers] == [200, 200]
        finally:
            for server in servers:
                stop_server(server)
