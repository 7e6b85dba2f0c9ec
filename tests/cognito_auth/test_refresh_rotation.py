"""GetTokensFromRefreshToken and the app client's RefreshTokenRotation, over boto3 (the server's clock moved by the
tests, ``live.clock``); aws-amplify v6 refreshing through it is ``test_amplify.py``."""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from typing import Any

import jwt
import pytest
from botocore.exceptions import ClientError

from ..cognito.helpers import renew_all_at_once
from .conftest import PASSWORD, LiveServer, make_pool, make_user

ROTATING_FLOWS = ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_USER_SRP_AUTH"]
"""A rotating client has no ALLOW_REFRESH_TOKEN_AUTH (Developer Guide, refresh tokens)."""


def _rotating_client(idp: Any, pool: str, grace: int | None, secret: bool = False) -> dict[str, Any]:
    rotation: dict[str, Any] = {"Feature": "ENABLED"}
    if grace is not None:
        rotation["RetryGracePeriodSeconds"] = grace
    return idp.create_user_pool_client(UserPoolId=pool, ClientName="rotating", ExplicitAuthFlows=ROTATING_FLOWS,
                                       GenerateSecret=secret, RefreshTokenRotation=rotation)["UserPoolClient"]


def _sign_in(idp: Any, client: str, username: str) -> dict[str, Any]:
    return idp.initiate_auth(ClientId=client, AuthFlow="USER_PASSWORD_AUTH",
                             AuthParameters={"USERNAME": username, "PASSWORD": PASSWORD})["AuthenticationResult"]


def _claims(token: str) -> dict[str, Any]:
    return jwt.decode(token, options={"verify_signature": False})


def secret_hash_of(secret: str, username: str, client_id: str) -> str:
    return base64.b64encode(hmac.new(secret.encode(), (username + client_id).encode(), hashlib.sha256).digest()
                            ).decode()


def _error(call: Any, **params: Any) -> tuple[str, str, int]:
    with pytest.raises(ClientError) as info:
        call(**params)
    err = info.value.response
    return err["Error"]["Code"], err["Error"]["Message"], err["ResponseMetadata"]["HTTPStatusCode"]


def test_without_rotation_new_id_and_access_tokens_only(live: LiveServer, idp: Any) -> None:
    pool, client, _ = make_pool(idp, triggers=["PreTokenGeneration"])
    make_user(idp, pool, "nils", attributes={"email": "nils@example.com"})
    first = _sign_in(idp, client, "nils")
    live.clock.advance(30)
    result = idp.get_tokens_from_refresh_token(ClientId=client, RefreshToken=first["RefreshToken"],
                                               ClientMetadata={"app": "web"})["AuthenticationResult"]
    assert set(result) == {"AccessToken", "ExpiresIn", "TokenType", "IdToken"}
    assert (result["TokenType"], result["ExpiresIn"]) == ("Bearer", 3600)
    assert idp.get_user(AccessToken=result["AccessToken"])["Username"] == "nils"
    old, new = _claims(first["AccessToken"]), _claims(result["AccessToken"])
    assert new["origin_jti"] == old["origin_jti"] and new["auth_time"] == old["auth_time"]
    assert new["iat"] >= old["iat"] + 30
    # ClientMetadata reaches PreTokenGeneration as clientMetadata (botocore: GetTokensFromRefreshToken.ClientMetadata)
    event = [e for e in live.events("PreTokenGeneration") if e["userPoolId"] == pool][-1]
    assert event["triggerSource"] == "TokenGeneration_RefreshTokens"
    assert event["request"]["clientMetadata"] == {"app": "web"}
    assert _claims(result["IdToken"])["tier"] == "gold"
    # the refresh token is not rotated: it keeps working
    again = idp.get_tokens_from_refresh_token(ClientId=client, RefreshToken=first["RefreshToken"])
    assert "RefreshToken" not in again["AuthenticationResult"]


def test_rotation_settings_are_stored_and_described(idp: Any, live: LiveServer) -> None:
    pool, plain, _ = make_pool(idp)
    described = idp.describe_user_pool_client(UserPoolId=pool, ClientId=plain)["UserPoolClient"]
    assert described["RefreshTokenRotation"] == {"Feature": "DISABLED", "RetryGracePeriodSeconds": 0}
    created = _rotating_client(idp, pool, 15)
    assert created["RefreshTokenRotation"] == {"Feature": "ENABLED", "RetryGracePeriodSeconds": 15}
    described = idp.describe_user_pool_client(UserPoolId=pool, ClientId=created["ClientId"])["UserPoolClient"]
    assert described["RefreshTokenRotation"] == {"Feature": "ENABLED", "RetryGracePeriodSeconds": 15}
    updated = idp.update_user_pool_client(UserPoolId=pool, ClientId=created["ClientId"],
                                          ExplicitAuthFlows=ROTATING_FLOWS,
                                          RefreshTokenRotation={"Feature": "ENABLED"})["UserPoolClient"]
    assert updated["RefreshTokenRotation"] == {"Feature": "ENABLED", "RetryGracePeriodSeconds": 0}
    code, message, status = _error(idp.update_user_pool_client, UserPoolId=pool, ClientId=created["ClientId"],
                                   RefreshTokenRotation={"Feature": "ENABLED", "RetryGracePeriodSeconds": 61})
    assert (code, status) == ("InvalidParameterException", 400)
    assert "refreshTokenRotation.retryGracePeriodSeconds" in message


def test_rotation_returns_a_new_refresh_token_and_the_old_one_lives_for_the_grace_period(
        live: LiveServer, idp: Any) -> None:
    pool, _, _ = make_pool(idp)
    client = _rotating_client(idp, pool, grace=10)["ClientId"]
    make_user(idp, pool, "rosa")
    first = _sign_in(idp, client, "rosa")
    live.clock.advance(60)
    second = idp.get_tokens_from_refresh_token(ClientId=client, RefreshToken=first["RefreshToken"])[
        "AuthenticationResult"]
    assert set(second) == {"AccessToken", "ExpiresIn", "TokenType", "RefreshToken", "IdToken"}
    assert second["RefreshToken"] != first["RefreshToken"]
    assert _claims(second["AccessToken"])["auth_time"] == _claims(first["AccessToken"])["auth_time"]
    assert idp.get_user(AccessToken=first["AccessToken"])["Username"] == "rosa"  # rotation revokes nothing
    live.clock.advance(9)  # a retry with the old token inside RetryGracePeriodSeconds
    retry = idp.get_tokens_from_refresh_token(ClientId=client, RefreshToken=first["RefreshToken"])[
        "AuthenticationResult"]
    assert retry["RefreshToken"] not in (first["RefreshToken"], second["RefreshToken"])
    live.clock.advance(2)  # 11 s after the rotation
    code, _, status = _error(idp.get_tokens_from_refresh_token, ClientId=client, RefreshToken=first["RefreshToken"])
    assert (code, status) == ("RefreshTokenReuseException", 400)
    third = idp.get_tokens_from_refresh_token(ClientId=client, RefreshToken=second["RefreshToken"])[
        "AuthenticationResult"]
    assert idp.get_user(AccessToken=third["AccessToken"])["Username"] == "rosa"
    # REFRESH_TOKEN_AUTH cannot be used with a rotating client ("isn't compatible", Developer Guide)
    code, _, _ = _error(idp.initiate_auth, ClientId=client, AuthFlow="REFRESH_TOKEN_AUTH",
                        AuthParameters={"REFRESH_TOKEN": third["RefreshToken"]})
    assert code == "InvalidParameterException"


def test_rotation_keeps_the_sign_in_expiry(live: LiveServer, idp: Any) -> None:
    """A rotated refresh token expires when the sign-in's first one would have (authts/oidc-client-ts#2039)."""
    pool, _, _ = make_pool(idp)
    client = idp.create_user_pool_client(
        UserPoolId=pool, ClientName="short", ExplicitAuthFlows=ROTATING_FLOWS, RefreshTokenValidity=60,
        TokenValidityUnits={"RefreshToken": "minutes"},
        RefreshTokenRotation={"Feature": "ENABLED"})["UserPoolClient"]["ClientId"]
    make_user(idp, pool, "ugo")
    token = _sign_in(idp, client, "ugo")["RefreshToken"]
    for _ in range(3):
        live.clock.advance(1000)
        token = idp.get_tokens_from_refresh_token(ClientId=client, RefreshToken=token)[
            "AuthenticationResult"]["RefreshToken"]
    live.clock.advance(700)  # 3700 s after the sign-in
    assert _error(idp.get_tokens_from_refresh_token, ClientId=client, RefreshToken=token)[:2] == (
        "NotAuthorizedException", "Refresh Token has expired")


def test_without_grace_period_the_old_token_is_refused_at_once(idp: Any, live: LiveServer) -> None:
    pool, _, _ = make_pool(idp)
    client = _rotating_client(idp, pool, grace=None)["ClientId"]
    make_user(idp, pool, "ida")
    first = _sign_in(idp, client, "ida")
    idp.get_tokens_from_refresh_token(ClientId=client, RefreshToken=first["RefreshToken"])
    code, _, _ = _error(idp.get_tokens_from_refresh_token, ClientId=client, RefreshToken=first["RefreshToken"])
    assert code == "RefreshTokenReuseException"


def test_errors_as_aws_answers_them(live: LiveServer, idp: Any) -> None:
    pool, client, _ = make_pool(idp)
    _, other, _ = make_pool(idp)
    make_user(idp, pool, "vera")
    token = _sign_in(idp, client, "vera")["RefreshToken"]
    invalid = ("NotAuthorizedException", "Invalid Refresh Token.", 400)
    assert _error(idp.get_tokens_from_refresh_token, ClientId=client, RefreshToken="not-a-token") == invalid
    assert _error(idp.get_tokens_from_refresh_token, ClientId=other, RefreshToken=token) == invalid
    assert _error(idp.get_tokens_from_refresh_token, ClientId="nosuchclient", RefreshToken=token)[0] == \
        "ResourceNotFoundException"
    idp.admin_disable_user(UserPoolId=pool, Username="vera")
    assert _error(idp.get_tokens_from_refresh_token, ClientId=client, RefreshToken=token)[:2] == (
        "NotAuthorizedException", "User is disabled.")
    idp.admin_enable_user(UserPoolId=pool, Username="vera")
    idp.revoke_token(ClientId=client, Token=token)
    assert _error(idp.get_tokens_from_refresh_token, ClientId=client, RefreshToken=token)[:2] == (
        "NotAuthorizedException", "Refresh Token has been revoked")


def test_client_secret_is_required_and_checked(idp: Any, live: LiveServer) -> None:
    pool, _, _ = make_pool(idp)
    created = _rotating_client(idp, pool, grace=0, secret=True)
    client, secret = created["ClientId"], created["ClientSecret"]
    make_user(idp, pool, "theo")
    token = idp.initiate_auth(ClientId=client, AuthFlow="USER_PASSWORD_AUTH", AuthParameters={
        "USERNAME": "theo", "PASSWORD": PASSWORD, "SECRET_HASH": secret_hash_of(secret, "theo", client)})[
        "AuthenticationResult"]["RefreshToken"]
    code, message, _ = _error(idp.get_tokens_from_refresh_token, ClientId=client, RefreshToken=token)
    assert (code, message) == ("NotAuthorizedException",
                               f"Client {client} is configured for secret but secret was not received")
    code, _, _ = _error(idp.get_tokens_from_refresh_token, ClientId=client, RefreshToken=token,
                        ClientSecret="x" * 52)
    assert code == "NotAuthorizedException"
    result = idp.get_tokens_from_refresh_token(ClientId=client, RefreshToken=token, ClientSecret=secret)
    assert result["AuthenticationResult"]["RefreshToken"]


def test_global_sign_out_ends_the_grace_period_too(live: LiveServer, idp: Any) -> None:
    pool, _, _ = make_pool(idp)
    client = _rotating_client(idp, pool, grace=60)["ClientId"]
    make_user(idp, pool, "gus")
    first = _sign_in(idp, client, "gus")
    second = idp.get_tokens_from_refresh_token(ClientId=client, RefreshToken=first["RefreshToken"])[
        "AuthenticationResult"]
    idp.global_sign_out(AccessToken=second["AccessToken"])
    for token in (first["RefreshToken"], second["RefreshToken"]):
        assert _error(idp.get_tokens_from_refresh_token, ClientId=client, RefreshToken=token)[:2] == (
            "NotAuthorizedException", "Refresh Token has been revoked")


def test_one_token_renewed_at_once_by_many_rotates_once(live: LiveServer, idp: Any) -> None:
    """Sixteen renewals of one token at the same moment, no grace period: exactly one gets a new refresh token."""
    pool, _, _ = make_pool(idp)
    client = _rotating_client(idp, pool, grace=0)["ClientId"]
    make_user(idp, pool, "zoe")
    token = _sign_in(idp, client, "zoe")["RefreshToken"]
    from ..conftest import cognito_client

    clients = [cognito_client(live.url) for _ in range(16)]
    began = time.monotonic()
    outcomes = renew_all_at_once(clients, client, token)
    assert time.monotonic() - began < 60
    assert sorted(outcomes) == ["RefreshTokenReuseException"] * 15 + ["ok"]


def test_token_endpoint_rotates_and_keeps_the_scopes(live: LiveServer, idp: Any) -> None:
    """``grant_type=refresh_token`` issues "optionally (with refresh token rotation) refresh tokens" (Developer
    Guide, refresh tokens), also for a client without ALLOW_REFRESH_TOKEN_AUTH."""
    import requests

    from ..oauth.helpers import OAuthPool, authorize_params, pkce_pair, query_of, sign_in_http

    callback = "http://127.0.0.1:9/callback"
    pool_id = idp.create_user_pool(PoolName=f"rotating-{time.monotonic_ns()}")["UserPool"]["Id"]
    domain = f"rotating-{time.monotonic_ns()}"
    idp.create_user_pool_domain(UserPoolId=pool_id, Domain=domain)
    client = idp.create_user_pool_client(
        UserPoolId=pool_id, ClientName="web", AllowedOAuthFlowsUserPoolClient=True, AllowedOAuthFlows=["code"],
        AllowedOAuthScopes=["openid", "email"], CallbackURLs=[callback], SupportedIdentityProviders=["COGNITO"],
        ExplicitAuthFlows=["ALLOW_USER_SRP_AUTH"],
        RefreshTokenRotation={"Feature": "ENABLED", "RetryGracePeriodSeconds": 0})["UserPoolClient"]["ClientId"]
    pool = OAuthPool(live, pool_id, domain, client, "", "", callback, "")  # type: ignore[arg-type]
    make_user(idp, pool_id, "otis", attributes={"email": "otis@example.com"})
    verifier, challenge = pkce_pair()
    login = sign_in_http(pool, requests.Session(), authorize_params(
        pool, code_challenge=challenge, code_challenge_method="S256", scope="openid email"),
        username="otis", password=PASSWORD)
    first = requests.post(f"{pool.base}/oauth2/token", data={
        "grant_type": "authorization_code", "client_id": client, "code": query_of(login.headers["location"])["code"],
        "redirect_uri": callback, "code_verifier": verifier}, timeout=10).json()

    def refresh(token: str) -> requests.Response:
        return requests.post(f"{pool.base}/oauth2/token", data={
            "grant_type": "refresh_token", "client_id": client, "refresh_token": token}, timeout=10)

    renewed = refresh(first["refresh_token"])
    assert renewed.status_code == 200, renewed.text
    body = renewed.json()
    assert body["refresh_token"] != first["refresh_token"] and body["id_token"]
    assert _claims(body["access_token"])["scope"] == "openid email"
    assert (refresh(first["refresh_token"]).status_code, refresh(first["refresh_token"]).json()) == (
        400, {"error": "invalid_grant"})
    again = refresh(body["refresh_token"])
    assert again.status_code == 200 and _claims(again.json()["access_token"])["scope"] == "openid email"
