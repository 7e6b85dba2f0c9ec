"""poolgate.yaml is the declared state: applied at every start, idempotently, its settings winning."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ..conftest import cognito_client
from ..support import start_server, stop_server

POOL = "us-east-1_Declared01"
CLIENT = "declaredclient000000000001"
ADMIN_CLIENT = "declaredclient000000000002"


def _config(min_length: int, flows: list[str], groups: list[str], users: list[dict[str, object]]) -> str:
    return json.dumps({"userPools": [{
        "id": POOL, "name": "Declared",
        "settings": {"Policies": {"PasswordPolicy": {"MinimumLength": min_length}}},
        "clients": [{"id": CLIENT, "name": "web", "explicitAuthFlows": flows},
                    {"id": ADMIN_CLIENT, "name": "admin", "explicitAuthFlows": ["ALLOW_ADMIN_USER_PASSWORD_AUTH"]}],
        "groups": groups, "users": users}]})


def test_restart_applies_changed_settings_and_keeps_existing_users(tmp_path: Path) -> None:
    config = tmp_path / "poolgate.yaml"
    data = tmp_path / "data"
    data.mkdir()
    alice = {"username": "alice", "password": "First-Passw0rd!", "groups": ["readers"]}
    config.write_text(_config(8, ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"], ["readers"], [alice]))
    server = start_server("--config", str(config), data_dir=data)
    try:
        idp = cognito_client(server.url)
        idp.initiate_auth(ClientId=CLIENT, AuthFlow="USER_PASSWORD_AUTH",
                          AuthParameters={"USERNAME": "alice", "PASSWORD": "First-Passw0rd!"})
    finally:
        stop_server(server)

    # The file changes: a stricter policy, SRP only, a new group and a new user; alice's password changes too.
    alice_again = {**alice, "password": "Second-Passw0rd!"}
    bob = {"username": "bob", "password": "Bobs-Passw0rd-1", "groups": ["writers"]}
    config.write_text(_config(12, ["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"], ["readers", "writers"],
                              [alice_again, bob]))
    server = start_server("--config", str(config), data_dir=data)
    try:
        idp = cognito_client(server.url)
        pool = idp.describe_user_pool(UserPoolId=POOL)["UserPool"]
        assert pool["Policies"]["PasswordPolicy"]["MinimumLength"] == 12
        client = idp.describe_user_pool_client(UserPoolId=POOL, ClientId=CLIENT)["UserPoolClient"]
        assert client["ExplicitAuthFlows"] == ["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
        assert [g["GroupName"] for g in idp.list_groups(UserPoolId=POOL)["Groups"]] == ["readers", "writers"]
        assert {u["Username"] for u in idp.list_users(UserPoolId=POOL)["Users"]} == {"alice", "bob"}
        # Users are seeded once: alice keeps the password she had (the file does not reset it).
        def admin_sign_in(password: str) -> None:
            idp.admin_initiate_auth(UserPoolId=POOL, ClientId=ADMIN_CLIENT, AuthFlow="ADMIN_USER_PASSWORD_AUTH",
                                    AuthParameters={"USERNAME": "alice", "PASSWORD": password})

        admin_sign_in("First-Passw0rd!")
        with pytest.raises(idp.exceptions.NotAuthorizedException):
            admin_sign_in("Second-Passw0rd!")
        with pytest.raises(idp.exceptions.InvalidParameterException, match="flow not enabled"):
            idp.initiate_auth(ClientId=CLIENT, AuthFlow="USER_PASSWORD_AUTH",
                              AuthParameters={"USERNAME": "alice", "PASSWORD": "First-Passw0rd!"})
    finally:
        stop_server(server)
