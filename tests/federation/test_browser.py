"""What issue 16 must show, in Debian's chromium (Playwright): "Sign in with Upstream" on the App pool's login
page → the Upstream pool's login page → back through ``/oauth2/idpresponse`` → the app's callback with a code →
tokens whose claims carry ``identities`` and the provider group; the gateway's Cognito authorizer accepts the
federated user's ID token; a second sign-in updates the same user. Nothing is loaded from outside 127.0.0.1."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import jwt
import requests

from ..conftest import cognito_client
from ..oauth.conftest import Callback
from ..oauth.helpers import PASSWORD, pkce_pair, query_of
from ..support import Server
from .conftest import APP_API, APP_CLIENT, APP_DOMAIN, APP_POOL, UPSTREAM_DOMAIN, UPSTREAM_POOL


def _sign_in(page: Any, server: Server, callback: Callback, challenge: str, *, upstream_form: bool) -> str:
    params = {"client_id": APP_CLIENT, "redirect_uri": f"{callback.url}/callback", "response_type": "code",
              "scope": "openid email profile", "state": "browser-state", "code_challenge": challenge,
              "code_challenge_method": "S256"}
    page.goto(f"{server.url}/_domains/{APP_DOMAIN}/oauth2/authorize?{urlencode(params)}")
    assert page.get_by_role("heading", name="Sign in with your username and password").is_visible()
    with page.expect_navigation():
        page.get_by_role("link", name="Sign in with Upstream").click()
    if upstream_form:
        assert f"/_domains/{UPSTREAM_DOMAIN}/login" in page.url
        assert page.get_by_role("heading", name="Sign in with your username and password").is_visible()
        page.get_by_label("Username").fill("carol")
        page.get_by_label("Password").fill(PASSWORD)
        with page.expect_navigation(url=f"{callback.url}/callback**"):
            page.get_by_role("button", name="Sign in").click()
    else:  # the Upstream remembers carol's session: straight back through idpresponse
        page.wait_for_url(f"{callback.url}/callback**")
    assert page.get_by_text("back at the app").is_visible()
    query = query_of(page.url)
    assert query["state"] == "browser-state"
    return query["code"]


def _tokens(server: Server, callback: Callback, code: str, verifier: str) -> dict[str, Any]:
    answer = requests.post(f"{server.url}/_domains/{APP_DOMAIN}/oauth2/token", timeout=10, data={
        "grant_type": "authorization_code", "client_id": APP_CLIENT, "code": code,
        "redirect_uri": f"{callback.url}/callback", "code_verifier": verifier})
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


def test_sign_in_with_upstream_in_chromium(sqlite_fed_server: Server, browser: Any, callback: Callback) -> None:
    fed_server = sqlite_fed_server
    fed_idp = cognito_client(fed_server.url)
    context = browser.new_context()
    page = context.new_page()
    outside: list[str] = []
    page.on("request", lambda r: outside.append(r.url) if not r.url.startswith("http://127.0.0.1") else None)
    visited: list[str] = []
    page.on("request", lambda r: visited.append(r.url) if r.is_navigation_request() else None)

    verifier, challenge = pkce_pair()
    tokens = _tokens(fed_server, callback, _sign_in(page, fed_server, callback, challenge, upstream_form=True),
                     verifier)
    assert any("/oauth2/idpresponse?" in url for url in visited), visited
    claims = jwt.decode(tokens["id_token"], options={"verify_signature": False})
    upstream = fed_idp.admin_get_user(UserPoolId=UPSTREAM_POOL, Username="carol")["UserAttributes"]
    upstream_sub = next(a["Value"] for a in upstream if a["Name"] == "sub")
    assert claims["cognito:username"] == f"Upstream_{upstream_sub}"
    assert claims["cognito:groups"] == [f"{APP_POOL}_Upstream"]
    assert [(i["providerName"], i["providerType"], i["userId"]) for i in claims["identities"]] == \
        [("Upstream", "OIDC", upstream_sub)]
    assert claims["email"] == "carol@example.com"

    api = f"{fed_server.url}/restapis/{APP_API}/prod/_user_request_/me"
    assert requests.get(api, headers={"Authorization": tokens["id_token"]}, timeout=10).json() == {"ok": True}

    # a second sign-in, after the Upstream changed carol's name, lands on the same user with the new name
    fed_idp.admin_update_user_attributes(UserPoolId=UPSTREAM_POOL, Username="carol",
                                         UserAttributes=[{"Name": "name", "Value": "Carol Again"}])
    verifier, challenge = pkce_pair()
    again = _tokens(fed_server, callback, _sign_in(page, fed_server, callback, challenge, upstream_form=False),
                    verifier)
    second = jwt.decode(again["id_token"], options={"verify_signature": False})
    assert second["sub"] == claims["sub"] and second["cognito:username"] == claims["cognito:username"]
    assert second["name"] == "Carol Again"
    assert [u["Username"] for u in fed_idp.list_users(UserPoolId=APP_POOL)["Users"]] == [claims["cognito:username"]]
    assert outside == []
    context.close()
