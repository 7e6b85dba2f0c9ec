"""Every error path of the OAuth endpoints: error pages where the redirect URI is not trusted, ``error=`` on
a validated redirect URI, and the token endpoint's JSON errors."""

from __future__ import annotations

from typing import Any

import pytest
import requests

from ..support import Server
from .helpers import (
    OAuthPool,
    authorize_params,
    code_for,
    oauth_pool,
    pkce_pair,
    query_of,
    token_call,
)


@pytest.fixture
def pool(server: Server, idp: Any) -> OAuthPool:
    return oauth_pool(server, idp)


def _authorize(pool: OAuthPool, params: dict[str, str]) -> requests.Response:
    return requests.get(f"{pool.base}/oauth2/authorize", params=params, allow_redirects=False, timeout=10)


@pytest.mark.parametrize("change", [
    {"redirect_uri": "http://127.0.0.1:9/callback/"},
    {"redirect_uri": "https://evil.example/callback"},
    {"redirect_uri": ""},
    {"client_id": "nosuchclient0000000000000"},
    {"client_id": ""},
], ids=["redirect-trailing-slash", "redirect-foreign", "redirect-missing", "unknown-client", "client-missing"])
def test_untrusted_request_gets_an_error_page_not_a_redirect(pool: OAuthPool, change: dict[str, str]) -> None:
    response = _authorize(pool, authorize_params(pool, **change))
    assert response.status_code == 400
    assert "location" not in response.headers
    assert response.headers["content-type"].startswith("text/html")
    assert "evil.example" not in response.text
    expected = "redirect_mismatch" if "redirect_uri" in change else "invalid_request"
    assert f"<code>{expected}</code>" in response.text


@pytest.mark.parametrize(("change", "error"), [
    ({"response_type": ""}, "invalid_request"),
    ({"response_type": "id_token"}, "invalid_request"),
    ({"code_challenge": pkce_pair()[1]}, "invalid_request"),
    ({"code_challenge": pkce_pair()[1], "code_challenge_method": "plain"}, "invalid_request"),
    ({"code_challenge_method": "S256"}, "invalid_request"),
    ({"scope": "openid api/write"}, "invalid_scope"),
    ({"scope": "email"}, "invalid_scope"),
    ({"scope": "phone openid"}, "invalid_scope"),
    ({"identity_provider": "Google"}, "invalid_request"),
], ids=["no-response-type", "bad-response-type", "challenge-without-method", "plain-method",
        "method-without-challenge", "scope-not-allowed", "email-without-openid", "scope-not-on-client",
        "unknown-idp"])
def test_bad_parameters_redirect_with_error_to_the_validated_uri(pool: OAuthPool, change: dict[str, str],
                                                                 error: str) -> None:
    response = _authorize(pool, authorize_params(pool, **change))
    assert response.status_code == 302
    location = response.headers["location"]
    assert location.startswith(pool.callback + "?")
    query = query_of(location)
    assert query["error"] == error and query["state"] == "st-123"


def test_flow_not_allowed_is_unauthorized_client(server: Server, idp: Any, pool: OAuthPool) -> None:
    idp.update_user_pool_client(UserPoolId=pool.pool_id, ClientId=pool.client_id, AllowedOAuthFlows=["code"],
                                AllowedOAuthFlowsUserPoolClient=True, AllowedOAuthScopes=["openid"],
                                CallbackURLs=[pool.callback], SupportedIdentityProviders=["COGNITO"])
    response = _authorize(pool, authorize_params(pool, response_type="token", scope="openid"))
    assert query_of(response.headers["location"])["error"] == "unauthorized_client"


def test_unknown_domain_is_404(server: Server) -> None:
    response = requests.get(f"{server.url}/_domains/no-such-domain-here/login", timeout=10)
    assert response.status_code == 404


def _exchange(pool: OAuthPool, code: str, **extra: str) -> requests.Response:
    return token_call(pool, {"grant_type": "authorization_code", "client_id": pool.client_id, "code": code,
                             "redirect_uri": pool.callback, **extra})


def test_code_is_single_use(pool: OAuthPool) -> None:
    code = code_for(pool)
    assert _exchange(pool, code).status_code == 200
    reused = _exchange(pool, code)
    assert reused.status_code == 400 and reused.json() == {"error": "invalid_grant"}


def test_wrong_code_verifier_is_invalid_grant(pool: OAuthPool) -> None:
    _, challenge = pkce_pair()
    code = code_for(pool, code_challenge=challenge, code_challenge_method="S256")
    wrong = _exchange(pool, code, code_verifier=pkce_pair()[0])
    assert wrong.status_code == 400 and wrong.json() == {"error": "invalid_grant"}


def test_missing_code_verifier_is_invalid_request(pool: OAuthPool) -> None:
    _, challenge = pkce_pair()
    code = code_for(pool, code_challenge=challenge, code_challenge_method="S256")
    assert _exchange(pool, code).json() == {"error": "invalid_request"}


def test_unknown_code_is_invalid_grant(pool: OAuthPool) -> None:
    assert _exchange(pool, "00000000-0000-4000-8000-000000000000").json() == {"error": "invalid_grant"}


def test_redirect_uri_differing_from_authorize_is_refused(pool: OAuthPool) -> None:
    code = code_for(pool)
    response = _exchange(pool, code, redirect_uri=pool.callback + "/")
    # AWS quirk: Cognito answers unauthorized_client here, not RFC 6749's invalid_grant.
    assert response.status_code == 400 and response.json() == {"error": "unauthorized_client"}


def test_code_of_another_client_is_invalid_grant(server: Server, idp: Any, pool: OAuthPool) -> None:
    other = idp.create_user_pool_client(
        UserPoolId=pool.pool_id, ClientName="other", AllowedOAuthFlowsUserPoolClient=True,
        AllowedOAuthFlows=["code"], AllowedOAuthScopes=["openid"], CallbackURLs=[pool.callback],
        SupportedIdentityProviders=["COGNITO"])["UserPoolClient"]["ClientId"]
    code = code_for(pool)
    response = token_call(pool, {"grant_type": "authorization_code", "client_id": other, "code": code,
                                 "redirect_uri": pool.callback})
    assert response.json() == {"error": "invalid_grant"}


def test_expired_code_is_invalid_grant(pool: OAuthPool) -> None:
    code = code_for(pool)
    _expire_codes(pool)
    assert _exchange(pool, code).json() == {"error": "invalid_grant"}


def _expire_codes(pool: OAuthPool) -> None:
    """Move every stored code's expiry into the past (the server's clock is real time)."""
    import asyncio

    from sqlalchemy import update
    from sqlalchemy.ext.asyncio import create_async_engine

    from poolgate.store.sql.tables import oauth_codes

    url = pool.server.database_url or f"sqlite+aiosqlite:///{pool.server.data_dir / 'poolgate.db'}"

    async def run() -> None:
        engine = create_async_engine(url)
        async with engine.begin() as conn:
            await conn.execute(update(oauth_codes).where(oauth_codes.c.pool_id == pool.pool_id).values(expires=0))
        await engine.dispose()

    asyncio.run(run())


@pytest.mark.parametrize(("data", "auth", "error"), [
    ({"grant_type": "authorization_code", "client_id": "nosuchclient0000000000000", "code": "x",
      "redirect_uri": "http://127.0.0.1:9/callback"}, None, "invalid_client"),
    ({"grant_type": "client_credentials"}, ("SECRET_CLIENT", "wrong-secret"), "invalid_client"),
    ({"grant_type": "client_credentials", "client_id": "SECRET_CLIENT"}, None, "invalid_client"),
    ({"grant_type": "password", "client_id": "PUBLIC_CLIENT"}, None, "unsupported_grant_type"),
    ({"client_id": "PUBLIC_CLIENT"}, None, "invalid_request"),
    ({"grant_type": "authorization_code", "client_id": "PUBLIC_CLIENT"}, None, "invalid_request"),
    ({"grant_type": "refresh_token", "client_id": "PUBLIC_CLIENT"}, None, "invalid_request"),
    ({"grant_type": "refresh_token", "client_id": "PUBLIC_CLIENT", "refresh_token": "nope"}, None, "invalid_grant"),
    ({"grant_type": "client_credentials", "scope": "api/write"}, "SECRET", "invalid_scope"),
    ({"grant_type": "client_credentials", "scope": "api/read other/thing"}, "SECRET", "invalid_scope"),
    ({"grant_type": "client_credentials", "client_id": "PUBLIC_CLIENT"}, None, "invalid_client"),
    ({"grant_type": "authorization_code", "code": "x", "redirect_uri": "http://127.0.0.1:9/callback"}, "SECRET",
     "unauthorized_client"),
    ({"grant_type": "client_credentials"}, None, "invalid_request"),
], ids=["unknown-client", "wrong-secret", "secret-missing", "unsupported-grant", "grant-missing", "code-missing",
        "refresh-missing", "refresh-unknown", "disallowed-scope", "unknown-scope", "public-client-credentials",
        "code-on-credentials-client", "no-client"])
def test_token_endpoint_errors(pool: OAuthPool, data: dict[str, str], auth: Any, error: str) -> None:
    names = {"SECRET_CLIENT": pool.secret_client_id, "PUBLIC_CLIENT": pool.client_id}
    data = {k: names.get(v, v) for k, v in data.items()}
    if auth == "SECRET":
        auth = (pool.secret_client_id, pool.secret)
    elif auth:
        auth = (names.get(auth[0], auth[0]), auth[1])
    response = token_call(pool, data, auth)
    assert response.status_code == 400, response.text
    assert response.json() == {"error": error}


def test_token_endpoint_needs_a_form_body(pool: OAuthPool) -> None:
    response = requests.post(f"{pool.base}/oauth2/token", json={"grant_type": "client_credentials"}, timeout=10)
    assert response.status_code == 400 and response.json() == {"error": "invalid_request"}


def test_userinfo_errors(pool: OAuthPool) -> None:
    missing = requests.get(f"{pool.base}/oauth2/userInfo", timeout=10)
    assert missing.status_code == 400 and 'error="invalid_request"' in missing.headers["www-authenticate"]
    garbage = requests.get(f"{pool.base}/oauth2/userInfo", headers={"Authorization": "Bearer abc.def.ghi"},
                           timeout=10)
    assert garbage.status_code == 401 and 'error="invalid_token"' in garbage.headers["www-authenticate"]
    machine = token_call(pool, {"grant_type": "client_credentials"}, auth=(pool.secret_client_id, pool.secret))
    token = machine.json()["access_token"]
    no_openid = requests.get(f"{pool.base}/oauth2/userInfo", headers={"Authorization": f"Bearer {token}"},
                             timeout=10)
    assert no_openid.status_code == 400


def test_revoke_errors(pool: OAuthPool) -> None:
    url = f"{pool.base}/oauth2/revoke"
    assert requests.post(url, data={"client_id": pool.client_id}, timeout=10).json() == {"error": "invalid_request"}
    unknown = requests.post(url, data={"token": "x", "client_id": "nosuchclient0000000000000"}, timeout=10)
    assert unknown.status_code == 401 and unknown.json() == {"error": "invalid_client"}
    jwt_like = requests.post(url, data={"token": "a.b.c", "client_id": pool.client_id}, timeout=10)
    assert jwt_like.json() == {"error": "unsupported_token_type"}
    assert requests.post(url, data={"token": "nope", "client_id": pool.client_id}, timeout=10).status_code == 200


def test_logout_uri_must_be_registered(pool: OAuthPool) -> None:
    response = requests.get(f"{pool.base}/logout", params={"client_id": pool.client_id,
                                                           "logout_uri": "https://evil.example/"},
                            allow_redirects=False, timeout=10)
    assert response.status_code == 400 and "location" not in response.headers
    no_client = requests.get(f"{pool.base}/logout", params={"logout_uri": pool.logout}, allow_redirects=False,
                             timeout=10)
    assert no_client.status_code == 400 and "location" not in no_client.headers


def test_login_form_without_csrf_token_is_refused(pool: OAuthPool) -> None:
    session = requests.Session()
    url = f"{pool.base}/login"
    session.get(url, params=authorize_params(pool), timeout=10)
    response = session.post(url, params=authorize_params(pool), data={"username": "alice", "password": "Passw0rd!"},
                            allow_redirects=False, timeout=10)
    assert response.status_code == 400 and "location" not in response.headers
    assert "This page expired" in response.text


def test_wrong_password_shows_an_error_on_the_page(pool: OAuthPool) -> None:
    from .helpers import sign_in_http

    response = sign_in_http(pool, requests.Session(), authorize_params(pool), password="Wrong-passw0rd")
    assert response.status_code == 400 and "Incorrect username or password." in response.text
