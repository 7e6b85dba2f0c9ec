"""The hosted UI's sign-in form runs the triggers InitiateAuth runs for a name that matches no user: UserMigration
(which creates the user it vouches for) and, on a client with PreventUserExistenceErrors, PreAuthentication with
userNotFound. Both go through InitiateAuth's own code (``cognito.ops.auth.known_or_migrated``)."""

from __future__ import annotations

import time
from typing import Any

import requests

from ..oauth.helpers import OAuthPool, authorize_params, query_of, sign_in_http
from .conftest import LiveServer, trigger_arn

CALLBACK = "http://127.0.0.1:9/callback"
LEGACY_PASSWORD = "Legacy-Passw0rd!"
"""The password ``handlers/triggers.user_migration`` accepts."""


def _hosted_pool(live: LiveServer, idp: Any, triggers: list[str], prevent_existence_errors: bool) -> OAuthPool:
    pool_id = idp.create_user_pool(PoolName=f"hosted-{time.monotonic_ns()}",
                                   LambdaConfig={t: trigger_arn(t) for t in triggers})["UserPool"]["Id"]
    domain = f"hosted-{time.monotonic_ns()}"
    idp.create_user_pool_domain(UserPoolId=pool_id, Domain=domain)
    client = idp.create_user_pool_client(
        UserPoolId=pool_id, ClientName="web", AllowedOAuthFlowsUserPoolClient=True, AllowedOAuthFlows=["code"],
        AllowedOAuthScopes=["openid", "email"], CallbackURLs=[CALLBACK], SupportedIdentityProviders=["COGNITO"],
        ExplicitAuthFlows=["ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
        PreventUserExistenceErrors="ENABLED" if prevent_existence_errors else "LEGACY")["UserPoolClient"]
    return OAuthPool(live, pool_id, domain, client["ClientId"], "", "", CALLBACK, "")  # type: ignore[arg-type]


def _events(live: LiveServer, trigger: str, pool: OAuthPool) -> list[dict[str, Any]]:
    return [e for e in live.events(trigger) if e["userPoolId"] == pool.pool_id]


def test_hosted_ui_sign_in_migrates_an_unknown_user(live: LiveServer, idp: Any) -> None:
    pool = _hosted_pool(live, idp, ["UserMigration"], prevent_existence_errors=False)
    login = sign_in_http(pool, requests.Session(), authorize_params(pool), username="legacy-lea",
                         password=LEGACY_PASSWORD)
    assert login.status_code == 302, login.text
    assert login.headers["location"].startswith(CALLBACK) and query_of(login.headers["location"])["code"]
    user = idp.admin_get_user(UserPoolId=pool.pool_id, Username="legacy-lea")
    assert user["UserStatus"] == "CONFIRMED"
    assert {"Name": "email", "Value": "legacy-lea@legacy.example"} in user["UserAttributes"]
    event = _events(live, "UserMigration", pool)[-1]
    assert event["triggerSource"] == "UserMigration_Authentication" and event["userName"] == "legacy-lea"
    assert event["callerContext"]["clientId"] == pool.client_id
    # the migrated user keeps the password it signed in with: the JSON API takes it too
    tokens = idp.admin_initiate_auth(UserPoolId=pool.pool_id, ClientId=pool.client_id,
                                     AuthFlow="ADMIN_USER_PASSWORD_AUTH",
                                     AuthParameters={"USERNAME": "legacy-lea", "PASSWORD": LEGACY_PASSWORD})
    assert tokens["AuthenticationResult"]["AccessToken"]


def test_hosted_ui_refused_migration_creates_nobody(live: LiveServer, idp: Any) -> None:
    pool = _hosted_pool(live, idp, ["UserMigration"], prevent_existence_errors=False)
    login = sign_in_http(pool, requests.Session(), authorize_params(pool), username="legacy-max",
                         password="Not-The-Legacy-1!")
    assert login.status_code == 400 and "location" not in login.headers
    assert "Bad legacy password" in login.text  # the trigger's refusal, as the PreAuthentication refusal shows
    assert idp.list_users(UserPoolId=pool.pool_id)["Users"] == []


def test_hosted_ui_runs_pre_authentication_for_unknown_users(live: LiveServer, idp: Any) -> None:
    pool = _hosted_pool(live, idp, ["PreAuthentication"], prevent_existence_errors=True)
    login = sign_in_http(pool, requests.Session(), authorize_params(pool), username="ghost", password="Whatever-1!")
    assert login.status_code == 400 and "Incorrect username or password." in login.text
    events = _events(live, "PreAuthentication", pool)
    assert len(events) == 1
    assert events[0]["request"]["userNotFound"] is True
    assert events[0]["triggerSource"] == "PreAuthentication_Authentication"
    assert events[0]["callerContext"]["clientId"] == pool.client_id


def test_hosted_ui_unknown_user_without_prevent_user_existence_errors_runs_no_pre_authentication(
        live: LiveServer, idp: Any) -> None:
    pool = _hosted_pool(live, idp, ["PreAuthentication"], prevent_existence_errors=False)
    login = sign_in_http(pool, requests.Session(), authorize_params(pool), username="ghost", password="Whatever-1!")
    assert login.status_code == 400 and "Incorrect username or password." in login.text
    assert _events(live, "PreAuthentication", pool) == []
