"""Refresh-token rotation holds across two poolgate processes on one PostgreSQL database: of many renewals of one
token at the same moment, spread over both, exactly one rotates it (no grace period)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest

from ..cognito.helpers import renew_all_at_once
from ..conftest import _require_postgres, cognito_client
from ..support import Server, start_server, stop_server, temporary_postgres_database

POOL, PASSWORD = "us-east-1_Rotation01", "Rotation-Passw0rd!"


@pytest.fixture(scope="module")
def nodes(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Server, Server]]:
    _require_postgres()
    root = tmp_path_factory.mktemp("rotation-nodes")
    path = root / "poolgate.yaml"
    path.write_text(json.dumps({"userPools": [{"id": POOL, "name": "Rotation",
                                               "users": [{"username": "rita", "password": PASSWORD}]}]}))
    with temporary_postgres_database() as url, ThreadPoolExecutor(2) as pool:
        started = list(pool.map(lambda _: start_server("--config", str(path), database_url=url), range(2)))
        try:
            yield started[0], started[1]
        finally:
            for server in started:
                stop_server(server)


def test_one_token_renewed_on_both_nodes_at_once_rotates_once(nodes: tuple[Server, Server]) -> None:
    a, b = nodes
    idp = cognito_client(a.url)
    client = idp.create_user_pool_client(
        UserPoolId=POOL, ClientName="rotating", ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH"],
        RefreshTokenRotation={"Feature": "ENABLED", "RetryGracePeriodSeconds": 0})["UserPoolClient"]["ClientId"]
    token = idp.initiate_auth(ClientId=client, AuthFlow="USER_PASSWORD_AUTH",
                              AuthParameters={"USERNAME": "rita", "PASSWORD": PASSWORD})[
        "AuthenticationResult"]["RefreshToken"]
    clients = [cognito_client(node.url) for node in (a, b) * 8]
    outcomes = renew_all_at_once(clients, client, token)
    assert sorted(outcomes) == ["RefreshTokenReuseException"] * 15 + ["ok"]
