"""Hosted-UI tokens at the gateway: an ID token opens a method guarded by the pool's Cognito authorizer;
access tokens with a custom scope (user or client_credentials) open the scope-protected method."""

from __future__ import annotations

from typing import Any

import requests

from ..support import Server
from .conftest import Callback
from .helpers import authorize_params, call_api, code_for, fragment_of, gateway_pool, sign_in_http, token_call


def test_hosted_ui_tokens_open_the_gateway(ui_server: Server, callback: Callback, idp_for_ui: Any) -> None:
    pool = gateway_pool(ui_server, callback.url)
    idp_for_ui.admin_create_user(UserPoolId=pool.pool_id, Username="gina", MessageAction="SUPPRESS",
                                 TemporaryPassword="Passw0rd!",
                                 UserAttributes=[{"Name": "email", "Value": "gina@example.com"}])
    idp_for_ui.admin_set_user_password(UserPoolId=pool.pool_id, Username="gina", Password="Passw0rd!",
                                       Permanent=True)
    code = code_for(pool, "gina", scope="openid api/read")
    tokens = token_call(pool, {"grant_type": "authorization_code", "client_id": pool.client_id, "code": code,
                               "redirect_uri": pool.callback}).json()
    assert call_api(ui_server, "/me", "not-a-token").status_code == 401
    assert call_api(ui_server, "/me", tokens["id_token"]).status_code == 200
    assert call_api(ui_server, "/pets", tokens["access_token"]).status_code == 200
    assert call_api(ui_server, "/pets", tokens["id_token"]).status_code == 401

    implicit = sign_in_http(pool, requests.Session(), authorize_params(pool, response_type="token",
                                                                         scope="openid email"), username="gina")
    access = fragment_of(implicit.headers["location"])["access_token"]
    assert call_api(ui_server, "/pets", access).status_code == 401  # no api/read in this token

    machine = token_call(pool, {"grant_type": "client_credentials", "scope": "api/read"},
                         auth=(pool.secret_client_id, pool.secret)).json()["access_token"]
    assert call_api(ui_server, "/pets", machine).status_code == 200
    write_only = token_call(pool, {"grant_type": "client_credentials", "scope": "api/write"},
                            auth=(pool.secret_client_id, pool.secret)).json()["access_token"]
    assert call_api(ui_server, "/pets", write_only).status_code == 401
