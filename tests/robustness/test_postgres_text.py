"""The U+0000 regressions on PostgreSQL, the backend they crashed (CharacterNotInRepertoireError → 500): the
control plane's validation and the identity plane's boundary refuse NUL before any lookup."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from tests.conftest import _require_postgres
from tests.support import Server, start_server, stop_server, temporary_postgres_database

from . import test_identity_plane as identity
from .test_control_plane import World, assert_aws_error, call


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    _require_postgres()
    config = identity.write_config(tmp_path_factory.mktemp("robust-postgres"))
    with temporary_postgres_database() as url:
        srv = start_server("--config", str(config), database_url=url)
        try:
            yield srv
        finally:
            stop_server(srv)


@pytest.mark.parametrize(("operation", "body"), [
    ("AdminGetUser", {"UserPoolId": identity.POOL, "Username": "a\x00b"}),
    ("GetGroup", {"UserPoolId": identity.POOL, "GroupName": "\x00"}),
    ("InitiateAuth", {"ClientId": identity.PUBLIC, "AuthFlow": "USER_PASSWORD_AUTH",
                      "AuthParameters": {"USERNAME": "alice\x00", "PASSWORD": "x"}}),
    ("CreateUserPoolClient", {"UserPoolId": identity.POOL, "ClientName": "nul", "CallbackURLs": ["https://a/\x00"]}),
], ids=["admin-get-user", "get-group", "initiate-auth", "stored-list"])
def test_control_plane(server: Server, operation: str, body: dict[str, object]) -> None:
    world = World(server, identity.POOL, identity.PUBLIC, "", "")
    unsigned = operation == "InitiateAuth"
    response = call(world, operation, json.dumps(body), sign=not unsigned)
    assert_aws_error(response, operation, allow_ok=False)
    assert response.json()["__type"] == "InvalidParameterException"


@pytest.mark.parametrize("page", [*identity.PAGES, "/static/custom.css"])
def test_nul_in_the_query(server: Server, page: str) -> None:
    identity.test_nul_in_the_query(server, page)


def test_nul_in_the_login_form(server: Server) -> None:
    identity.test_nul_in_the_login_form(server)


@pytest.mark.parametrize("page", ["/oauth2/token", "/oauth2/revoke"])
def test_nul_in_oauth_forms(server: Server, page: str) -> None:
    identity.test_nul_in_oauth_forms(server, page)


def test_nul_in_basic_credentials(server: Server) -> None:
    identity.test_nul_in_basic_credentials(server)
