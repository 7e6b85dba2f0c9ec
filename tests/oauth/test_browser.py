"""The hosted UI in a real browser (Debian's chromium, headless, via Playwright): sign up → confirm →
sign in → back at the app with a code (code + PKCE) whose ID token opens a Cognito-guarded API method, and
with tokens (implicit); logout clears the session."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import jwt
import requests

from ..support import Server
from .conftest import Callback
from .helpers import (
    call_api,
    fragment_of,
    gateway_pool,
    oauth_pool,
    outbox_code,
    pkce_pair,
    query_of,
    token_call,
)


def test_sign_up_confirm_sign_in_code_and_implicit_then_logout(ui_server: Server, browser: Any,
                                                               callback: Callback) -> None:
    pool = gateway_pool(ui_server, callback.url)
    verifier, challenge = pkce_pair()
    code_params = {"client_id": pool.client_id, "redirect_uri": pool.callback, "response_type": "code",
                   "scope": "openid email profile", "state": "s-code", "code_challenge": challenge,
                   "code_challenge_method": "S256"}
    context = browser.new_context()
    page = context.new_page()
    external: list[str] = []
    page.on("request", lambda r: external.append(r.url) if not r.url.startswith(("http://127.0.0.1",)) else None)

    page.goto(f"{pool.base}/oauth2/authorize?{urlencode(code_params)}")
    assert page.get_by_role("heading", name="Sign in with your username and password").is_visible()
    page.get_by_role("link", name="Sign up").click()

    # Sign-up asks for the pool's required attribute (email); a weak password is explained next to the field.
    page.get_by_label("Username").fill("bob")
    page.get_by_label("Email").fill("bob@example.com")
    page.get_by_label("Password").fill("short")
    page.get_by_role("button", name="Sign up").click()
    assert page.locator("#e-password").inner_text() == "Password not long enough."
    page.get_by_label("Password").fill("Sup3r-secret!")
    page.get_by_role("button", name="Sign up").click()

    assert page.get_by_role("heading", name="Confirm your account").is_visible()
    page.get_by_label("Verification code").fill("000000" if outbox_code(ui_server, pool.pool_id, "bob") != "000000"
                                                else "111111")
    page.get_by_role("button", name="Confirm account").click()
    assert "not right" in page.locator("#e-code").inner_text()
    page.get_by_label("Verification code").fill(outbox_code(ui_server, pool.pool_id, "bob"))
    page.get_by_role("button", name="Confirm account").click()

    assert page.get_by_text("Your account is confirmed").is_visible()
    page.get_by_label("Username").fill("bob")
    page.get_by_label("Password").fill("Sup3r-secret!")
    page.keyboard.press("Enter")
    page.wait_for_url(f"{pool.callback}?*")
    returned = query_of(page.url)
    assert returned["state"] == "s-code"
    assert any(path.startswith("/callback?code=") for path in callback.requests)

    tokens = token_call(pool, {"grant_type": "authorization_code", "client_id": pool.client_id,
                               "code": returned["code"], "redirect_uri": pool.callback, "code_verifier": verifier})
    assert tokens.status_code == 200, tokens.text
    id_claims = jwt.decode(tokens.json()["id_token"], options={"verify_signature": False})
    assert id_claims["cognito:username"] == "bob" and id_claims["email_verified"] is True
    # The ID token opens a method guarded by the pool's Cognito authorizer.
    assert call_api(ui_server, "/me", tokens.json()["id_token"]).status_code == 200

    # Implicit grant: the session cookie signs bob in at once; the tokens come back in the fragment.
    implicit = {**code_params, "response_type": "token", "state": "s-token", "nonce": "n-42"}
    del implicit["code_challenge"], implicit["code_challenge_method"]
    page.goto(f"{pool.base}/oauth2/authorize?{urlencode(implicit)}")
    page.wait_for_url(f"{pool.callback}#*")
    fragment = fragment_of(page.url)
    assert fragment["state"] == "s-token" and fragment["token_type"] == "bearer"
    assert jwt.decode(fragment["id_token"], options={"verify_signature": False})["nonce"] == "n-42"
    info = requests.get(f"{pool.base}/oauth2/userInfo",
                        headers={"Authorization": f"Bearer {fragment['access_token']}"}, timeout=10)
    assert info.json()["email"] == "bob@example.com"

    cookies = {c["name"]: c for c in context.cookies()}
    assert cookies["cognito"]["httpOnly"] and cookies["cognito"]["sameSite"] == "Lax"

    # Logout clears the session: the next authorize shows the sign-in form again.
    page.goto(f"{pool.base}/logout?{urlencode({'client_id': pool.client_id, 'logout_uri': pool.logout})}")
    page.wait_for_url(pool.logout)
    assert "cognito" not in {c["name"] for c in context.cookies()}
    page.goto(f"{pool.base}/oauth2/authorize?{urlencode(implicit)}")
    assert page.get_by_role("button", name="Sign in").is_visible()
    assert external == []
    context.close()


def test_forgot_password_in_the_browser(ui_server: Server, browser: Any, callback: Callback) -> None:
    from ..conftest import cognito_client

    idp = cognito_client(ui_server.url)
    pool = oauth_pool(ui_server, idp, callback=f"{callback.url}/callback", logout=f"{callback.url}/bye")
    params = {"client_id": pool.client_id, "redirect_uri": pool.callback, "response_type": "token",
              "scope": "openid", "state": "s"}
    context = browser.new_context(viewport={"width": 375, "height": 740})  # a phone
    page = context.new_page()
    page.goto(f"{pool.base}/login?{urlencode(params)}")
    page.get_by_role("link", name="Forgot your password?").click()
    page.get_by_label("Username").fill("alice")
    page.get_by_role("button", name="Reset my password").click()
    assert page.get_by_role("heading", name="Reset your password").is_visible()
    page.get_by_label("Code").fill(outbox_code(ui_server, pool.pool_id, "alice", "forgot"))
    page.get_by_label("New password", exact=True).fill("An0ther-secret!")
    page.get_by_label("Enter the new password again").fill("An0ther-secret?")
    page.get_by_role("button", name="Change password").click()
    assert page.locator("#e-confirm_password").inner_text() == "The passwords do not match."
    page.get_by_label("Code").fill(outbox_code(ui_server, pool.pool_id, "alice", "forgot"))
    page.get_by_label("New password", exact=True).fill("An0ther-secret!")
    page.get_by_label("Enter the new password again").fill("An0ther-secret!")
    page.get_by_role("button", name="Change password").click()
    assert page.get_by_text("Your password has been changed").is_visible()
    page.get_by_label("Username").fill("alice")
    page.get_by_label("Password").fill("An0ther-secret!")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{pool.callback}#*")
    assert "access_token" in fragment_of(page.url)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375
    context.close()
