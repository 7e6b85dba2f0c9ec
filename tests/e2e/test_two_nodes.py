"""Two poolgate processes on one PostgreSQL database act as one service: they start together on a fresh
database (taking turns to migrate and apply the config), and what one does the other sees."""

from __future__ import annotations

import json
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests

from ..conftest import _require_postgres, cognito_client
from ..support import Server, start_server, stop_server, temporary_postgres_database

POOL, CLIENT, PASSWORD = "us-east-1_TwoNodes01", "twonodesclient000000000001", "Two-Nodes-Passw0rd!"
API = "twonodes01"


@pytest.fixture(scope="module")
def nodes(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Server, Server]]:
    _require_postgres()
    root = tmp_path_factory.mktemp("two-nodes")
    (root / "functions").mkdir()
    (root / "functions" / "me.py").write_text(
        "def handler(event, context):\n"
        "    return {'statusCode': 200, 'body': event['requestContext']['authorizer']['claims']['sub']}\n")
    config = {
        "userPools": [{"id": POOL, "name": "TwoNodes",
                       "clients": [{"id": CLIENT, "name": "web",
                                    "explicitAuthFlows": ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]}],
                       "users": [{"username": "nina", "password": PASSWORD}]}],
        "functions": {"me": {"handler": "me.handler", "code": "./functions"}},
        "apis": [{"id": API, "name": "Two nodes",
                  "authorizers": {"Pool": {"type": "COGNITO_USER_POOLS", "providerARNs": [POOL],
                                           "rejectRevokedTokens": True}},
                  "resources": {"/me": {"GET": {"authorizer": "Pool",
                                                "integration": {"type": "AWS_PROXY", "function": "me"}}}},
                  "stages": {"prod": {}}}],
    }
    path = root / "poolgate.yaml"
    path.write_text(json.dumps(config))
    with temporary_postgres_database() as url, ThreadPoolExecutor(2) as pool:
        # Both start at once on an empty database: one migrates and applies the config, then the other.
        # They sit behind one public URL (a load balancer's), so they issue and accept one issuer.
        public = ("--public-url", "http://pools.example.test")
        started = list(pool.map(lambda _: start_server("--config", str(path), *public, database_url=url),
                                range(2)))
        try:
            yield started[0], started[1]
        finally:
            for server in started:
                stop_server(server)


def test_a_user_made_on_one_node_signs_in_on_the_other(nodes: tuple[Server, Server]) -> None:
    a, b = nodes
    cognito_client(a.url).admin_create_user(UserPoolId=POOL, Username="otto", TemporaryPassword=PASSWORD,
                                            MessageAction="SUPPRESS")
    cognito_client(a.url).admin_set_user_password(UserPoolId=POOL, Username="otto", Password=PASSWORD,
                                                  Permanent=True)
    tokens = cognito_client(b.url).initiate_auth(ClientId=CLIENT, AuthFlow="USER_PASSWORD_AUTH",
                                                 AuthParameters={"USERNAME": "otto", "PASSWORD": PASSWORD})
    assert tokens["AuthenticationResult"]["IdToken"]


def test_a_sign_out_on_one_node_holds_on_the_other(nodes: tuple[Server, Server]) -> None:
    a, b = nodes
    idp_a, idp_b = cognito_client(a.url), cognito_client(b.url)
    tokens = idp_a.initiate_auth(ClientId=CLIENT, AuthFlow="USER_PASSWORD_AUTH",
                                 AuthParameters={"USERNAME": "nina", "PASSWORD": PASSWORD})["AuthenticationResult"]
    me = f"{b.url}/restapis/{API}/prod/_user_request_/me"
    assert requests.get(me, headers={"Authorization": tokens["IdToken"]}, timeout=10).status_code == 200

    idp_b.global_sign_out(AccessToken=tokens["AccessToken"])
    with pytest.raises(idp_a.exceptions.NotAuthorizedException, match="Access Token has been revoked"):
        idp_a.get_user(AccessToken=tokens["AccessToken"])
    with pytest.raises(idp_a.exceptions.NotAuthorizedException, match="Refresh Token has been revoked"):
        idp_a.initiate_auth(ClientId=CLIENT, AuthFlow="REFRESH_TOKEN_AUTH",
                            AuthParameters={"REFRESH_TOKEN": tokens["RefreshToken"]})
    # The gateway of node a learns of the revocation made on node b within its refresh interval (2 s).
    me_a = f"{a.url}/restapis/{API}/prod/_user_request_/me"
    import time

    deadline = time.monotonic() + 10
    status = 200
    while time.monotonic() < deadline:
        status = requests.get(me_a, headers={"Authorization": tokens["IdToken"]}, timeout=10).status_code
        if status == 401:
            break
        time.sleep(0.25)
    assert status == 401


def test_nodes_share_one_configuration(nodes: tuple[Server, Server]) -> None:
    a, b = nodes
    pools_a = cognito_client(a.url).list_user_pools(MaxResults=60)["UserPools"]
    pools_b = cognito_client(b.url).list_user_pools(MaxResults=60)["UserPools"]
    assert [p["Id"] for p in pools_a] == [p["Id"] for p in pools_b] == [POOL]
    assert Path(a.data_dir).exists() and Path(b.data_dir).exists()
