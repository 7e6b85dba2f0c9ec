"""POST /_poolgate/reset forgets identity pools, identities and the credentials this process remembered."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support import Server, start_server, stop_server

from .conftest import alice_credentials, identity_client, make_user_pool, role_arn, signed_get, write_config


@pytest.fixture
def own_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    srv = start_server("--config", str(write_config(tmp_path_factory.mktemp("identity-pools-reset"))))
    try:
        yield srv
    finally:
        stop_server(srv)


def test_reset_forgets_remembered_credentials(own_server: Server) -> None:
    user_pool = make_user_pool(own_server.url, "reset")
    client = identity_client(own_server.url)
    _, credentials = alice_credentials(client, user_pool, role_arn("CognitoAuthRole"), "reset")
    assert signed_get(own_server, credentials, "allowed").status_code == 200  # now remembered by the process
    own_server.reset()
    assert signed_get(own_server, credentials, "allowed").status_code == 403
    assert client.list_identity_pools(MaxResults=60)["IdentityPools"] == []
