"""The hosted login runs PreAuthentication and PostAuthentication as the JSON API does, and sets up an
authenticator app when the pool's MFA is ON and the user has none (MFA_SETUP)."""

from __future__ import annotations

import html
import re
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pyotp
import requests

from ..oauth.helpers import OAuthPool, authorize_params, fragment_of, pkce_pair, query_of
from .conftest import PASSWORD, LiveServer, make_user, trigger_arn
from .test_hosted_ui import CALLBACK, _claims, _exchange, _field_error, _hidden, _hosted_pool, _login_page, _post_step

_TRIGGERS = {"PreAuthentication": trigger_arn("PreAuthentication"),
             "PostAuthentication": trigger_arn("PostAuthentication")}


def _events(live: LiveServer, trigger: str, username: str) -> list[dict[str, Any]]:
    return [e for e in live.events(trigger) if e["userName"] == username]


def _form_error(page: str) -> str:
    found = re.search(r'<p class="error-message" role="alert" id="form-error">([^<]*)</p>', page)
    assert found, page
    return html.unescape(found.group(1))


def test_hosted_login_runs_pre_and_post_authentication(live: LiveServer, idp: Any) -> None:
    pool = _hosted_pool(live, idp, LambdaConfig=_TRIGGERS)
    make_user(idp, pool.pool_id, "blocked-hu")
    make_user(idp, pool.pool_id, "hugo", attributes={"email": "hugo@example.com"})
    params = authorize_params(pool, response_type="token")

    # PreAuthentication runs before the password is checked: its refusal wins even over a wrong password.
    for password in (PASSWORD, "Wrong-Passw0rd!"):
        refused = _login_page(pool, requests.Session(), params, "blocked-hu", password)
        assert refused.status_code == 400
        assert _form_error(refused.text) == "PreAuthentication failed with error This account is blocked."
    assert not _events(live, "PostAuthentication", "blocked-hu")
    assert idp.admin_get_user(UserPoolId=pool.pool_id, Username="blocked-hu")["UserStatus"] == "CONFIRMED"

    done = _login_page(pool, requests.Session(), params, "hugo", PASSWORD)
    assert done.status_code == 302 and done.headers["location"].startswith(CALLBACK + "#"), done.text
    pre = _events(live, "PreAuthentication", "hugo")
    post = _events(live, "PostAuthentication", "hugo")
    assert len(pre) == 1 and len(post) == 1
    assert pre[0]["triggerSource"] == "PreAuthentication_Authentication"
    assert pre[0]["request"]["userAttributes"]["email"] == "hugo@example.com"
    # validationData {} as captured from the hosted UI; no userNotFound: the client is LEGACY
    assert pre[0]["request"]["validationData"] == {} and "userNotFound" not in pre[0]["request"]
    assert post[0]["triggerSource"] == "PostAuthentication_Authentication"
    assert post[0]["request"]["newDeviceUsed"] is False
    for event in (pre[0], post[0]):
        assert event["callerContext"]["clientId"] == pool.client_id and event["userPoolId"] == pool.pool_id


def test_post_authentication_waits_for_the_new_password_and_the_code(live: LiveServer, idp: Any) -> None:
    from .test_mfa import _enrol

    pool = _hosted_pool(live, idp, LambdaConfig=_TRIGGERS)
    idp.set_user_pool_mfa_config(UserPoolId=pool.pool_id, MfaConfiguration="OPTIONAL",
                                 SoftwareTokenMfaConfiguration={"Enabled": True})
    # A temporary password: the new-password page first, PostAuthentication only once it is chosen.
    idp.admin_create_user(UserPoolId=pool.pool_id, Username="iris", TemporaryPassword="Temp-Passw0rd!",
                          MessageAction="SUPPRESS")
    params = authorize_params(pool, response_type="token")
    browser = requests.Session()
    page = _login_page(pool, browser, params, "iris", "Temp-Passw0rd!")
    assert _hidden(page.text, "challenge") == "NEW_PASSWORD_REQUIRED", page.text
    assert len(_events(live, "PreAuthentication", "iris")) == 1 and not _events(live, "PostAuthentication", "iris")
    done = _post_step(pool, browser, page, {"password": "New-Passw0rd!", "confirm_password": "New-Passw0rd!"})
    assert done.status_code == 302, done.text
    assert [e["triggerSource"] for e in _events(live, "PostAuthentication", "iris")] == [
        "PostAuthentication_Authentication"]

    # An authenticator app: PostAuthentication after the right code, not after the password.
    make_user(idp, pool.pool_id, "jon")
    secret = _enrol(idp, live, pool.client_id, "jon")  # a JSON-API sign-in: one event of each
    live.clock.advance(30)
    browser = requests.Session()
    page = _login_page(pool, browser, params, "jon", PASSWORD)
    assert _hidden(page.text, "challenge") == "SOFTWARE_TOKEN_MFA", page.text
    assert len(_events(live, "PreAuthentication", "jon")) == 2 and len(_events(live, "PostAuthentication", "jon")) == 1
    done = _post_step(pool, browser, page, {"code": pyotp.TOTP(secret).at(live.clock.now())})
    assert done.status_code == 302, done.text
    assert len(_events(live, "PostAuthentication", "jon")) == 2


def _setup_pool(live: LiveServer, idp: Any) -> OAuthPool:
    pool = _hosted_pool(live, idp, LambdaConfig=_TRIGGERS)
    idp.set_user_pool_mfa_config(UserPoolId=pool.pool_id, MfaConfiguration="ON",
                                 SoftwareTokenMfaConfiguration={"Enabled": True})
    return pool


def _shown(page: str, element_id: str) -> str:
    found = re.search(rf'<code class="secret" id="{element_id}"[^>]*>([^<]*)</code>', page)
    assert found, page
    return html.unescape(found.group(1))


def test_hosted_login_sets_up_an_authenticator_app_when_mfa_is_required(live: LiveServer, idp: Any) -> None:
    pool = _setup_pool(live, idp)
    make_user(idp, pool.pool_id, "kurt", attributes={"email": "kurt@example.com"})
    pool_name = idp.describe_user_pool(UserPoolId=pool.pool_id)["UserPool"]["Name"]
    verifier, challenge = pkce_pair()
    params = authorize_params(pool, code_challenge=challenge, code_challenge_method="S256")
    browser = requests.Session()
    page = _login_page(pool, browser, params, "kurt", PASSWORD)
    assert page.status_code == 200, page.text
    assert "Set up an authenticator app" in page.text and _hidden(page.text, "challenge") == "MFA_SETUP"
    secret = _shown(page.text, "totp-secret")
    assert re.fullmatch(r"[A-Z2-7]{32}", secret)
    uri = urlsplit(_shown(page.text, "totp-uri"))
    assert (uri.scheme, uri.netloc, uri.path) == ("otpauth", "totp", f"/{pool_name}:kurt")
    assert {k: v[0] for k, v in parse_qs(uri.query).items()} == {"secret": secret, "issuer": pool_name}
    assert "<script" not in page.text and "https://" not in page.text  # nothing from outside
    assert not _events(live, "PostAuthentication", "kurt")

    wrong_code = str((int(pyotp.TOTP(secret).at(live.clock.now())) + 1) % 1_000_000).zfill(6)
    wrong = _post_step(pool, browser, page, {"code": wrong_code})
    assert wrong.status_code == 400
    assert _field_error(wrong.text, "code") == "That code is not right. Check it and try again."
    assert _shown(wrong.text, "totp-secret") == secret  # the same secret: the app keeps what it scanned
    empty = _post_step(pool, browser, wrong, {"code": ""})
    assert _field_error(empty.text, "code") == "Enter the code from your authenticator app."

    done = _post_step(pool, browser, empty, {"code": pyotp.TOTP(secret).at(live.clock.now())})
    assert done.status_code == 302, done.text
    body = _exchange(pool, query_of(done.headers["location"])["code"], verifier)
    assert _claims(body["id_token"])["cognito:username"] == "kurt"
    assert len(_events(live, "PostAuthentication", "kurt")) == 1
    user = idp.admin_get_user(UserPoolId=pool.pool_id, Username="kurt")
    assert user["UserMFASettingList"] == ["SOFTWARE_TOKEN_MFA"]
    assert user["PreferredMfaSetting"] == "SOFTWARE_TOKEN_MFA"

    # The set-up session is spent; the next sign-in asks for a code from the new authenticator.
    replay = _post_step(pool, requests.Session(), empty, {"code": pyotp.TOTP(secret).at(live.clock.now())})
    assert replay.status_code == 400 and "Please sign in again" in replay.text
    live.clock.advance(30)
    browser = requests.Session()
    params = authorize_params(pool, response_type="token")
    page = _login_page(pool, browser, params, "kurt", PASSWORD)
    assert _hidden(page.text, "challenge") == "SOFTWARE_TOKEN_MFA", page.text
    signed_in = _post_step(pool, browser, page, {"code": pyotp.TOTP(secret).at(live.clock.now())})
    assert _claims(fragment_of(signed_in.headers["location"])["access_token"])["username"] == "kurt"


def test_mfa_setup_page_needs_the_csrf_token_and_its_own_session(live: LiveServer, idp: Any) -> None:
    pool = _setup_pool(live, idp)
    make_user(idp, pool.pool_id, "lars")
    params = authorize_params(pool, response_type="token")
    browser = requests.Session()
    page = _login_page(pool, browser, params, "lars", PASSWORD)
    secret = _shown(page.text, "totp-secret")
    code = pyotp.TOTP(secret).at(live.clock.now())
    forged = browser.post(page.url, data={"_csrf": "forged", "challenge": "MFA_SETUP",
                                          "session": _hidden(page.text, "session"), "code": code},
                          allow_redirects=False, timeout=10)
    assert forged.status_code == 400 and "This page expired" in forged.text
    # A session issued for another step is not an MFA_SETUP session.
    as_totp = _post_step(pool, browser, page, {"code": code, "challenge": "SOFTWARE_TOKEN_MFA"})
    assert as_totp.status_code == 400 and "Please sign in again" in as_totp.text
    assert "UserMFASettingList" not in idp.admin_get_user(UserPoolId=pool.pool_id, Username="lars")
