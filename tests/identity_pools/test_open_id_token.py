"""GetOpenIdToken: a token for the identity, verifiable with the JWKS poolgate serves for identity pools."""

from __future__ import annotations

import jwt
import pytest
import requests
from botocore.exceptions import ClientError

from tests.support import Server

from .conftest import UserPool, identity_client


def test_open_id_token_for_a_signed_in_identity(server: Server, user_pool: UserPool) -> None:
    client = identity_client(server.url)
    pool_id = client.create_identity_pool(
        IdentityPoolName="oidc", AllowUnauthenticatedIdentities=True,
        CognitoIdentityProviders=[{"ProviderName": user_pool.provider, "ClientId": user_pool.client_id}]
    )["IdentityPoolId"]
    logins = {user_pool.provider: user_pool.sign_in("alice")}
    identity_id = client.get_id(IdentityPoolId=pool_id, Logins=logins)["IdentityId"]
    result = client.get_open_id_token(IdentityId=identity_id, Logins=logins)
    assert result["IdentityId"] == identity_id
    keys = requests.get(f"{server.url}/_cognito-identity/.well-known/jwks_uri", timeout=10).json()["keys"]
    header = jwt.get_unverified_header(result["Token"])
    key = next(k for k in keys if k["kid"] == header["kid"])
    claims = jwt.decode(result["Token"], jwt.PyJWK(key).key, algorithms=["RS512"], audience=pool_id,
                        issuer="https://cognito-identity.amazonaws.com")
    assert claims["sub"] == identity_id
    assert claims["amr"][:2] == ["authenticated", user_pool.provider]
    assert claims["exp"] - claims["iat"] == 600
    with pytest.raises(ClientError) as excinfo:  # the identity's login is needed
        client.get_open_id_token(IdentityId=identity_id)
    assert excinfo.value.response["Error"]["Code"] == "NotAuthorizedException"

    guest = client.get_id(IdentityPoolId=pool_id)["IdentityId"]
    guest_claims = jwt.decode(client.get_open_id_token(IdentityId=guest)["Token"], options={"verify_signature": False})
    assert guest_claims["amr"] == ["unauthenticated"]
