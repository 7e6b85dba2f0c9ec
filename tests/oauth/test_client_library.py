"""An unmodified OAuth client library (requests-oauthlib's OAuth2Session, PKCE S256) against poolgate."""

from __future__ import annotations

from typing import Any

import pytest
import requests

from ..support import Server
from .helpers import PASSWORD, csrf_of, oauth_pool


def test_requests_oauthlib_code_flow_with_pkce(server: Server, idp: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from requests_oauthlib import OAuth2Session

    monkeypatch.setenv("OAUTHLIB_INSECURE_TRANSPORT", "1")  # plain http on 127.0.0.1
    pool = oauth_pool(server, idp)
    client = OAuth2Session(pool.client_id, redirect_uri=pool.callback, scope=["openid", "email"], pkce="S256")
    authorization_url, _state = client.authorization_url(f"{pool.base}/oauth2/authorize")
    assert "code_challenge_method=S256" in authorization_url

    # The user's browser: follow to the login page, sign in, stop at the redirect to the app.
    browser = requests.Session()
    login = browser.get(authorization_url, timeout=10)
    assert login.status_code == 200 and login.url.startswith(f"{pool.base}/login?")
    back = browser.post(login.url, data={"_csrf": csrf_of(login.text), "username": "alice", "password": PASSWORD},
                        allow_redirects=False, timeout=10)
    assert back.status_code == 302

    token = client.fetch_token(f"{pool.base}/oauth2/token", authorization_response=back.headers["location"],
                               include_client_id=True)
    assert {"access_token", "id_token", "refresh_token", "expires_at"} <= set(token)
    info = client.get(f"{pool.base}/oauth2/userInfo", timeout=10)
    assert info.status_code == 200 and info.json()["username"] == "alice"
    refreshed = client.refresh_token(f"{pool.base}/oauth2/token", client_id=pool.client_id)
    assert refreshed["access_token"] != token["access_token"]
