"""The hosted UI and OAuth endpoints with triggers and challenges: PreTokenGeneration on /oauth2/token and the
implicit grant, hosted-UI refresh tokens through InitiateAuth, the new-password and MFA pages."""

from __future__ import annotations

import base64
import json
import re
import time
from typing import Any

import pyotp
import requests

from ..oauth.helpers import OAuthPool, authorize_params, csrf_of, fragment_of, pkce_pair, query_of, sign_in_http
from .conftest import PASSWORD, LiveServer, make_user, trigger_arn

SCOPES = ["openid", "email", "profile", "aws.cognito.signin.user.admin"]
CALLBACK = "http://127.0.0.1:9/callback"


def _claims(token: str) -> dict[str, Any]:
    payload = token.split(".")[1]
    return dict(json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))))


def _hosted_pool(live: LiveServer, idp: Any, **settings: Any) -> OAuthPool:
    """A pool (``settings`` as CreateUserPool takes them) with a domain and a public code/implicit client."""
    pool_id = idp.create_user_pool(PoolName=f"hosted-{time.monotonic_ns()}", **settings)["UserPool"]["Id"]
    domain = f"hosted-{time.monotonic_ns()}"
    idp.create_user_pool_domain(UserPoolId=pool_id, Domain=domain)
    client = idp.create_user_pool_client(
        UserPoolId=pool_id, ClientName="web", AllowedOAuthFlowsUserPoolClient=True,
        AllowedOAuthFlows=["code", "implicit"], AllowedOAuthScopes=SCOPES, CallbackURLs=[CALLBACK],
        SupportedIdentityProviders=["COGNITO"],
        ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"])["UserPoolClient"]
    return OAuthPool(live, pool_id, domain, client["ClientId"], "", "", CALLBACK, "")  # type: ignore[arg-type]


def _exchange(pool: OAuthPool, code: str, verifier: str) -> dict[str, Any]:
    response = requests.post(f"{pool.base}/oauth2/token", data={
        "grant_type": "authorization_code", "client_id": pool.client_id, "code": code,
        "redirect_uri": pool.callback, "code_verifier": verifier}, timeout=10)
    assert response.status_code == 200, response.text
    return dict(response.json())


def _events(live: LiveServer, username: str) -> list[dict[str, Any]]:
    return [e for e in live.events("PreTokenGeneration") if e["userName"] == username]


def test_token_endpoint_runs_pre_token_generation_v1(live: LiveServer, idp: Any) -> None:
    pool = _hosted_pool(live, idp, LambdaConfig={"PreTokenGeneration": trigger_arn("PreTokenGeneration")})
    make_user(idp, pool.pool_id, "hana", attributes={"email": "hana@example.com", "family_name": "H"})
    verifier, challenge = pkce_pair()
    login = sign_in_http(pool, requests.Session(), authorize_params(
        pool, code_challenge=challenge, code_challenge_method="S256"), username="hana", password=PASSWORD)
    assert login.status_code == 302, login.text
    body = _exchange(pool, query_of(login.headers["location"])["code"], verifier)
    identity = _claims(body["id_token"])
    assert identity["tier"] == "gold" and "family_name" not in identity
    assert identity["cognito:groups"] == ["vip"] and identity["sub"] != "forged"
    event = _events(live, "hana")[-1]
    assert event["triggerSource"] == "TokenGeneration_HostedAuth" and event["version"] == "1"
    assert event["callerContext"]["clientId"] == pool.client_id

    refreshed = requests.post(f"{pool.base}/oauth2/token", data={
        "grant_type": "refresh_token", "client_id": pool.client_id, "refresh_token": body["refresh_token"]},
        timeout=10)
    assert refreshed.status_code == 200, refreshed.text
    assert _claims(refreshed.json()["id_token"])["tier"] == "gold"
    assert _events(live, "hana")[-1]["triggerSource"] == "TokenGeneration_RefreshTokens"


def test_implicit_grant_runs_pre_token_generation_v2(live: LiveServer, idp: Any) -> None:
    pool = _hosted_pool(live, idp, LambdaConfig={"PreTokenGenerationConfig": {
        "LambdaVersion": "V2_0", "LambdaArn": trigger_arn("PreTokenGeneration")}})
    make_user(idp, pool.pool_id, "ivan", attributes={"email": "ivan@example.com"})
    login = sign_in_http(pool, requests.Session(), authorize_params(pool, response_type="token"),
                         username="ivan", password=PASSWORD)
    fragment = fragment_of(login.headers["location"])
    assert _claims(fragment["id_token"])["tier"] == "platinum"
    access = _claims(fragment["access_token"])
    assert access["plan"] == "pro" and access["scope"].split() == ["openid", "email", "pets/read"]
    event = _events(live, "ivan")[-1]
    assert event["triggerSource"] == "TokenGeneration_HostedAuth" and event["version"] == "2"
    assert event["request"]["scopes"] == ["openid", "email"]


def test_hosted_ui_refresh_token_keeps_its_scopes_through_initiate_auth(live: LiveServer, idp: Any) -> None:
    pool = _hosted_pool(live, idp)
    make_user(idp, pool.pool_id, "jude", attributes={"email": "jude@example.com"})
    verifier, challenge = pkce_pair()
    login = sign_in_http(pool, requests.Session(), authorize_params(
        pool, code_challenge=challenge, code_challenge_method="S256", scope="openid email profile"),
        username="jude", password=PASSWORD)
    body = _exchange(pool, query_of(login.headers["location"])["code"], verifier)
    refreshed = idp.initiate_auth(ClientId=pool.client_id, AuthFlow="REFRESH_TOKEN_AUTH",
                                  AuthParameters={"REFRESH_TOKEN": body["refresh_token"]})["AuthenticationResult"]
    access = _claims(refreshed["AccessToken"])
    assert access["scope"] == "openid email profile" and access["version"] == 2
    assert _claims(refreshed["IdToken"])["email"] == "jude@example.com"
    # A JSON-API sign-in still refreshes to the admin scope only, without ``version``.
    tokens = idp.initiate_auth(ClientId=pool.client_id, AuthFlow="USER_PASSWORD_AUTH",
                               AuthParameters={"USERNAME": "jude", "PASSWORD": PASSWORD})["AuthenticationResult"]
    again = idp.initiate_auth(ClientId=pool.client_id, AuthFlow="REFRESH_TOKEN_AUTH",
                              AuthParameters={"REFRESH_TOKEN": tokens["RefreshToken"]})["AuthenticationResult"]
    plain = _claims(again["AccessToken"])
    assert plain["scope"] == "aws.cognito.signin.user.admin" and "version" not in plain


def _field_error(html: str, field: str) -> str:
    found = re.search(rf'<p class="field-error" id="e-{field}"[^>]*>([^<]*)</p>', html)
    assert found, html
    return found.group(1)


def _hidden(html: str, name: str) -> str:
    found = re.search(rf'<input type="hidden" name="{name}" value="([^"]*)">', html)
    assert found, html
    return found.group(1)


def _post_step(pool: OAuthPool, session: requests.Session, page: requests.Response,
               data: dict[str, str]) -> requests.Response:
    """Answer the step ``page`` shows (it was served for the /login URL) with its CSRF token and session."""
    form = {"_csrf": csrf_of(page.text), "challenge": _hidden(page.text, "challenge"),
            "session": _hidden(page.text, "session"), **data}
    return session.post(page.url, data=form, allow_redirects=False, timeout=10)


def _login_page(pool: OAuthPool, session: requests.Session, params: dict[str, str], username: str,
                password: str) -> requests.Response:
    response = sign_in_http(pool, session, params, username=username, password=password)
    response.url = f"{pool.base}/login?" + requests.compat.urlencode(params)  # where the step's form posts to
    return response


def test_force_change_password_user_chooses_a_new_password(live: LiveServer, idp: Any) -> None:
    pool = _hosted_pool(live, idp, Schema=[
        {"Name": "email", "AttributeDataType": "String", "Required": True, "Mutable": True},
        {"Name": "name", "AttributeDataType": "String", "Required": True, "Mutable": True}])
    idp.admin_create_user(UserPoolId=pool.pool_id, Username="kim", TemporaryPassword="Temp-Passw0rd!",
                          MessageAction="SUPPRESS", UserAttributes=[{"Name": "email", "Value": "kim@example.com"},
                                                                    {"Name": "name", "Value": "K"}])
    # A required attribute the user lacks (as after a migration): the page asks for it, as requiredAttributes does.
    idp.admin_delete_user_attributes(UserPoolId=pool.pool_id, Username="kim", UserAttributeNames=["name"])
    verifier, challenge = pkce_pair()
    params = authorize_params(pool, code_challenge=challenge, code_challenge_method="S256")
    browser = requests.Session()
    page = _login_page(pool, browser, params, "kim", "Temp-Passw0rd!")
    assert page.status_code == 200, page.text
    assert "Choose a new password" in page.text and _hidden(page.text, "challenge") == "NEW_PASSWORD_REQUIRED"
    assert 'id="f-name"' in page.text and 'id="f-email"' not in page.text  # only the missing required ones

    again = _post_step(pool, browser, page, {"name": "", "password": "New-Passw0rd!", "confirm_password": "other"})
    assert again.status_code == 400
    assert _field_error(again.text, "name") == "Enter your name."
    assert _field_error(again.text, "confirm_password") == "The passwords do not match."
    weak = _post_step(pool, browser, again, {"name": "Kim", "password": "short", "confirm_password": "short"})
    assert weak.status_code == 400 and _field_error(weak.text, "password") == "Password not long enough."
    assert _hidden(weak.text, "session") != _hidden(again.text, "session")  # each answer spends its session

    done = _post_step(pool, browser, weak, {"name": "Kim", "password": "New-Passw0rd!",
                                            "confirm_password": "New-Passw0rd!"})
    assert done.status_code == 302, done.text
    assert done.headers["location"].startswith(CALLBACK + "?code=")
    body = _exchange(pool, query_of(done.headers["location"])["code"], verifier)
    assert _claims(body["id_token"])["name"] == "Kim"
    assert idp.admin_get_user(UserPoolId=pool.pool_id, Username="kim")["UserStatus"] == "CONFIRMED"
    # The spent session is not accepted again; the new password works everywhere.
    replay = _post_step(pool, requests.Session(), weak, {"name": "Kim", "password": "Other-Passw0rd!",
                                                         "confirm_password": "Other-Passw0rd!"})
    assert replay.status_code == 400 and "Please sign in again" in replay.text
    idp.initiate_auth(ClientId=pool.client_id, AuthFlow="USER_PASSWORD_AUTH",
                      AuthParameters={"USERNAME": "kim", "PASSWORD": "New-Passw0rd!"})


def test_hosted_login_asks_for_the_totp_code(live: LiveServer, idp: Any) -> None:
    from .test_mfa import _enrol

    pool = _hosted_pool(live, idp)
    idp.set_user_pool_mfa_config(UserPoolId=pool.pool_id, MfaConfiguration="OPTIONAL",
                                 SoftwareTokenMfaConfiguration={"Enabled": True})
    make_user(idp, pool.pool_id, "lena", attributes={"email": "lena@example.com"})
    secret = _enrol(idp, live, pool.client_id, "lena")
    live.clock.advance(30)  # the enrolment spent this step's code
    params = authorize_params(pool, response_type="token")
    browser = requests.Session()
    page = _login_page(pool, browser, params, "lena", PASSWORD)
    assert page.status_code == 200, page.text
    assert _hidden(page.text, "challenge") == "SOFTWARE_TOKEN_MFA" and "authenticator app" in page.text
    wrong_code = str((int(pyotp.TOTP(secret).at(live.clock.now())) + 1) % 1_000_000).zfill(6)
    wrong = _post_step(pool, browser, page, {"code": wrong_code})
    assert wrong.status_code == 400
    assert _field_error(wrong.text, "code") == "That code is not right. Check it and try again."
    done = _post_step(pool, browser, wrong, {"code": pyotp.TOTP(secret).at(live.clock.now())})
    assert done.status_code == 302, done.text
    fragment = fragment_of(done.headers["location"])
    assert _claims(fragment["access_token"])["username"] == "lena"
    # Signed in: the session cookie completes the next authorize without a password or a code.
    again = browser.get(f"{pool.base}/oauth2/authorize", params=params, allow_redirects=False, timeout=10)
    assert again.headers["location"].startswith(CALLBACK + "#")
