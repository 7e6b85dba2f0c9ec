"""The discovery document lists the domain's logout and revocation endpoints, as Cognito's does, and both work."""

from __future__ import annotations

from typing import Any

import requests

from ..cognito.helpers import AwsError, error_of
from ..support import Server
from .helpers import PASSWORD, oauth_pool


def _discovery(server: Server, pool_id: str) -> dict[str, Any]:
    response = requests.get(f"{server.url}/{pool_id}/.well-known/openid-configuration", timeout=10)
    assert response.status_code == 200
    return dict(response.json())


def test_discovery_lists_working_logout_and_revocation_endpoints(server: Server, idp: Any) -> None:
    pool = oauth_pool(server, idp)
    doc = _discovery(server, pool.pool_id)
    # Cognito publishes its domain's /logout as end_session_endpoint (swisstopo/swissgeol-boreholes-suite#1066:
    # listed since February 2024) and /oauth2/revoke (Cognito Developer Guide, revocation endpoint)
    assert doc["end_session_endpoint"] == f"{pool.base}/logout"
    assert doc["revocation_endpoint"] == f"{pool.base}/oauth2/revoke"

    tokens = idp.initiate_auth(ClientId=pool.client_id, AuthFlow="USER_PASSWORD_AUTH",
                               AuthParameters={"USERNAME": "alice", "PASSWORD": PASSWORD})["AuthenticationResult"]
    revoked = requests.post(doc["revocation_endpoint"], data={"token": tokens["RefreshToken"],
                                                              "client_id": pool.client_id}, timeout=10)
    assert revoked.status_code == 200
    assert error_of(idp.initiate_auth, ClientId=pool.client_id, AuthFlow="REFRESH_TOKEN_AUTH",
                    AuthParameters={"REFRESH_TOKEN": tokens["RefreshToken"]}) == AwsError(
        "NotAuthorizedException", "Refresh Token has been revoked", 400)

    out = requests.get(doc["end_session_endpoint"], params={"client_id": pool.client_id, "logout_uri": pool.logout},
                       allow_redirects=False, timeout=10)
    assert out.status_code == 302 and out.headers["location"] == pool.logout


def test_a_pool_without_a_domain_lists_neither(server: Server, idp: Any) -> None:
    pool_id = idp.create_user_pool(PoolName="no-domain")["UserPool"]["Id"]
    doc = _discovery(server, pool_id)
    assert "end_session_endpoint" not in doc and "revocation_endpoint" not in doc
