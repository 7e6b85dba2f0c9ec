"""POST /_poolgate/reset forgets identity pools, identities and the credentials this process remembered."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.conftest import cognito_client
from tests.support import Server, start_server, stop_server

from .conftest import UserPool, identity_client, role_arn, signed_get, write_config


@pytest.fixture
def own_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    srv = start_server("--config", str(write_config(tmp_path_factory.mktemp("identity-pools-reset"))))
    try:
        yield srv
    finally:
        stop_server(srv)


def test_reset_forgets_remembered_credentials(own_server: Server) -> None:
    idp = cognito_client(own_server.url)
    pool_id = idp.create_user_pool(PoolName="reset")["UserPool"]["Id"]
    client_id = idp.create_user_pool_client(UserPoolId=pool_id, ClientName="app", ExplicitAuthFlows=[
        "ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"])["UserPoolClient"]["ClientId"]
    user_pool = UserPool(idp, pool_id, client_id, f"cognito-idp.us-east-1.amazonaws.com/{pool_id}")
    user_pool.add_user("alice")
    client = identity_client(own_server.url)
    identity_pool = client.create_identity_pool(
        IdentityPoolName="reset", AllowUnauthenticatedIdentities=False,
        CognitoIdentityProviders=[{"ProviderName": user_pool.provider}])["IdentityPoolId"]
    client.set_identity_pool_roles(IdentityPoolId=identity_pool, Roles={"authenticated": role_arn("CognitoAuthRole")})
    logins = {user_pool.provider: user_pool.sign_in("alice")}
    identity_id = client.get_id(IdentityPoolId=identity_pool, Logins=logins)["IdentityId"]
    credentials = client.get_credentials_for_identity(IdentityId=identity_id, Logins=logins)["Credentials"]
    assert signed_get(own_server, credentials, "allowed").status_code == 200  # now remembered by the process
    own_server.reset()
    assert signed_get(own_server, credentials, "allowed").status_code == 403
    assert client.list_identity_pools(MaxResults=60)["IdentityPools"] == []
