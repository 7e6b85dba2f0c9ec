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
    fragment_of,
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
    {"redirect_uri": ""},
    {"client_id": "nosuchclient0000000000000"},
    {"client_id": ""},
], ids=["redirect-missing", "unknown-client", "client-missing"])
def test_untrusted_request_gets_an_error_page_not_a_redirect(pool: OAuthPool, change: dict[str, str]) -> None:
    response = _authorize(pool, authorize_params(pool, **change))
    assert response.status_code == 400
    assert "location" not in response.headers
    assert response.headers["content-type"].startswith("text/html")
    expected = "redirect_mismatch" if "redirect_uri" in change else "invalid_request"
    assert f"<code>{expected}</code>" in response.text


@pytest.mark.parametrize("page", ["oauth2/authorize", "login"])
@pytest.mark.parametrize("redirect_uri", ["http://127.0.0.1:9/callback/", "https://evil.example/callback"],
                         ids=["trailing-slash", "foreign"])
def test_unregistered_redirect_uri_goes_to_the_error_page(pool: OAuthPool, page: str, redirect_uri: str) -> None:
    # As Cognito: 302 to the domain's /error?error=redirect_mismatch&client_id=…, never to the redirect_uri.
    response = requests.get(f"{pool.base}/{page}", params=authorize_params(pool, redirect_uri=redirect_uri),
                            allow_redirects=False, timeout=10)
    assert response.status_code == 302 and response.content == b""
    assert response.headers["location"] == (f"/_domains/{pool.domain}/error?error=redirect_mismatch"
                                            f"&client_id={pool.client_id}")
    error_page = requests.get(f"{pool.server.url}{response.headers['location']}", allow_redirects=False, timeout=10)
    assert error_page.status_code == 400
    assert error_page.headers["content-type"].startswith("text/html")
    assert "An error was encountered with the requested page." in error_page.text
    assert "<code>redirect_mismatch</code>" in error_page.text
    assert "evil.example" not in error_page.text


def test_client_without_callback_urls_goes_to_the_error_page(pool: OAuthPool) -> None:
    # The machine client has no CallbackURLs at all.
    response = _authorize(pool, authorize_params(pool, client_id=pool.secret_client_id))
    assert response.status_code == 302
    assert response.headers["location"] == (f"/_domains/{pool.domain}/error?error=redirect_mismatch"
                                            f"&client_id={pool.secret_client_id}")


def test_error_page_is_served_on_the_domain_host_too(server: Server, pool: OAuthPool) -> None:
    host = {"Host": f"{pool.domain}.auth.localhost:{server.port}"}
    response = requests.get(f"{server.url}/oauth2/authorize", params=authorize_params(
        pool, redirect_uri="https://evil.example/callback"), headers=host, allow_redirects=False, timeout=10)
    assert response.status_code == 302
    assert response.headers["location"] == f"/error?error=redirect_mismatch&client_id={pool.client_id}"
    page = requests.get(f"{server.url}{response.headers['location']}", headers=host, timeout=10)
    assert page.status_code == 400 and "<code>redirect_mismatch</code>" in page.text


def test_error_page_echoes_no_text_from_its_url(pool: OAuthPool) -> None:
    page = requests.get(f"{pool.base}/error", params={"error": "Call 555-0100 now", "client_id": "<b>x</b>"},
                        timeout=10)
    assert page.status_code == 400 and page.headers["content-type"].startswith("text/html")
    assert "An error was encountered with the requested page." in page.text
    assert "555-0100" not in page.text and "&lt;b&gt;" not in page.text
    assert "<code>invalid_request</code>" in page.text
    assert requests.post(f"{pool.base}/error", timeout=10).status_code == 405


@pytest.mark.parametrize(("change", "error"), [
    ({"response_type": ""}, "invalid_request"),
    ({"response_type": "id_token"}, "invalid_request"),
    ({"code_challenge": pkce_pair()[1]}, "invalid_request"),
    ({"code_challenge": pkce_pair()[1], "code_challenge_method": "plain"}, "invalid_request"),
    ({"code_challenge_method": "S256"}, "invalid_request"),
    ({"scope": "openid api/write"}, "invalid_request"),
    ({"scope": "email"}, "invalid_request"),
    ({"scope": "phone openid"}, "invalid_request"),
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
    if "scope" in change:
        assert query["error_description"] == "invalid_scope"


@pytest.mark.parametrize(("extra", "location"), [
    ({}, "?error_description=invalid_scope&state=st-123&error=invalid_request"),
    ({"response_type": "token"}, "#error_description=invalid_scope&state=st-123&error=invalid_request"),
], ids=["code", "implicit"])
def test_refused_scope_is_invalid_request_as_cognito_sends_it(pool: OAuthPool, extra: dict[str, str],
                                                              location: str) -> None:
    # As Cognito: error=invalid_request, error_description=invalid_scope, in the order error_description, state,
    # error; in the fragment for the implicit grant.
    response = _authorize(pool, authorize_params(pool, scope="openid phone", **extra))
    assert response.status_code == 302
    assert response.headers["location"] == pool.callback + location


@pytest.mark.parametrize("response_type", ["code", "token"])
def test_refused_scope_without_state_sends_no_state(pool: OAuthPool, response_type: str) -> None:
    params = authorize_params(pool, scope="openid api/write", response_type=response_type)
    del params["state"]
    separator = "#" if response_type == "token" else "?"
    assert _authorize(pool, params).headers["location"] == (
        f"{pool.callback}{separator}error_description=invalid_scope&error=invalid_request")


def test_flow_not_allowed_is_unauthorized_client(server: Server, idp: Any, pool: OAuthPool) -> None:
    idp.update_user_pool_client(UserPoolId=pool.pool_id, ClientId=pool.client_id, AllowedOAuthFlows=["code"],
                                AllowedOAuthFlowsUserPoolClient=True, AllowedOAuthScopes=["openid"],
                                CallbackURLs=[pool.callback], SupportedIdentityProviders=["COGNITO"])
    response = _authorize(pool, authorize_params(pool, response_type="token", scope="openid"))
    location = response.headers["location"]
    # response_type=token: the error goes in the fragment, as for a refused scope.
    assert location.startswith(pool.callback + "#") and not query_of(location)
    assert fragment_of(location) == {"error": "unauthorized_client", "state": "st-123"}


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
    ({"grant_type": "client_credentials", "client_id": "PUBLIC_CLIENT"}, None, "invalid_grant"),
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


def test_client_credentials_on_a_client_without_that_grant_is_invalid_grant(idp: Any, pool: OAuthPool) -> None:
    # As Cognito: a client that authenticates but lacks the client_credentials grant gets invalid_grant.
    human = idp.create_user_pool_client(
        UserPoolId=pool.pool_id, ClientName="human", GenerateSecret=True, AllowedOAuthFlowsUserPoolClient=True,
        AllowedOAuthFlows=["code"], AllowedOAuthScopes=["openid"], CallbackURLs=[pool.callback],
        SupportedIdentityProviders=["COGNITO"])["UserPoolClient"]
    data = {"grant_type": "client_credentials"}
    response = token_call(pool, data, auth=(human["ClientId"], human["ClientSecret"]))
    assert response.status_code == 400 and response.json() == {"error": "invalid_grant"}
    posted = token_call(pool, {**data, "client_id": human["ClientId"], "client_secret": human["ClientSecret"]})
    assert posted.status_code == 400 and posted.json() == {"error": "invalid_grant"}
    wrong = token_call(pool, data, auth=(human["ClientId"], "wrong-secret"))
    assert wrong.status_code == 400 and wrong.json() == {"error": "invalid_client"}
    missing = token_call(pool, {**data, "client_id": human["ClientId"]})
    assert missing.status_code == 400 and missing.json() == {"error": "invalid_client"}


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
