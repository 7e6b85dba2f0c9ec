"""The OAuth 2.0 endpoints over HTTP: code + PKCE, implicit, refresh, userInfo, revoke, client_credentials."""

from __future__ import annotations

from typing import Any

import jwt
import requests

from ..support import Server
from .helpers import (
    authorize_params,
    code_for,
    fragment_of,
    oauth_pool,
    pkce_pair,
    query_of,
    sign_in_http,
    token_call,
)


def _claims(token: str) -> dict[str, Any]:
    return dict(jwt.decode(token, options={"verify_signature": False}))


def test_code_grant_with_pkce_returns_tokens_with_granted_scopes(server: Server, idp: Any) -> None:
    pool = oauth_pool(server, idp)
    verifier, challenge = pkce_pair()
    code = code_for(pool, code_challenge=challenge, code_challenge_method="S256", nonce="n-1")
    response = token_call(pool, {"grant_type": "authorization_code", "client_id": pool.client_id, "code": code,
                                 "redirect_uri": pool.callback, "code_verifier": verifier})
    assert response.status_code == 200, response.text
    assert response.headers["cache-control"] == "no-store"
    body = response.json()
    assert set(body) == {"id_token", "access_token", "refresh_token", "expires_in", "token_type"}
    assert body["token_type"] == "Bearer" and body["expires_in"] == 3600
    access, identity = _claims(body["access_token"]), _claims(body["id_token"])
    assert access["scope"] == "openid email" and access["client_id"] == pool.client_id
    assert access["username"] == "alice" and access["token_use"] == "access"
    assert identity["nonce"] == "n-1" and identity["email"] == "alice@example.com" and "at_hash" in identity
    # The ID token verifies against the pool's JWKS, with the pool's issuer.
    jwks = requests.get(f"{server.url}/{pool.pool_id}/.well-known/jwks.json", timeout=10).json()
    key = next(k for k in jwks["keys"] if k["kid"] == jwt.get_unverified_header(body["id_token"])["kid"])
    verified = jwt.decode(body["id_token"], jwt.PyJWK(key).key, algorithms=["RS256"], audience=pool.client_id)
    assert verified["iss"] == f"{server.url}/{pool.pool_id}"

    refreshed = token_call(pool, {"grant_type": "refresh_token", "client_id": pool.client_id,
                                  "refresh_token": body["refresh_token"]})
    assert refreshed.status_code == 200, refreshed.text
    assert set(refreshed.json()) == {"id_token", "access_token", "expires_in", "token_type"}
    assert _claims(refreshed.json()["access_token"])["scope"] == "openid email"

    info = requests.get(f"{pool.base}/oauth2/userInfo", headers={"Authorization": f"Bearer {body['access_token']}"},
                        timeout=10)
    assert info.status_code == 200, info.text
    assert info.json() == {"sub": access["sub"], "email": "alice@example.com", "email_verified": "true",
                           "username": "alice"}

    revoked = requests.post(f"{pool.base}/oauth2/revoke", data={"token": body["refresh_token"],
                                                                "client_id": pool.client_id}, timeout=10)
    assert revoked.status_code == 200 and revoked.content == b""
    again = token_call(pool, {"grant_type": "refresh_token", "client_id": pool.client_id,
                              "refresh_token": body["refresh_token"]})
    assert again.status_code == 400 and again.json() == {"error": "invalid_grant"}
    info = requests.get(f"{pool.base}/oauth2/userInfo", headers={"Authorization": f"Bearer {body['access_token']}"},
                        timeout=10)
    assert info.status_code == 401 and 'error="invalid_token"' in info.headers["www-authenticate"]


def test_implicit_grant_puts_tokens_in_the_fragment(server: Server, idp: Any) -> None:
    pool = oauth_pool(server, idp)
    response = sign_in_http(pool, requests.Session(), authorize_params(pool, response_type="token", nonce="xyz"))
    assert response.status_code == 302
    location = response.headers["location"]
    assert location.startswith(pool.callback + "#")
    fragment = fragment_of(location)
    assert set(fragment) == {"id_token", "access_token", "token_type", "expires_in", "state"}
    assert fragment["token_type"] == "bearer" and fragment["state"] == "st-123" and fragment["expires_in"] == "3600"
    assert _claims(fragment["id_token"])["nonce"] == "xyz"


def test_implicit_grant_without_openid_has_no_id_token(server: Server, idp: Any) -> None:
    pool = oauth_pool(server, idp)
    response = sign_in_http(pool, requests.Session(), authorize_params(
        pool, response_type="token", scope="aws.cognito.signin.user.admin"))
    fragment = fragment_of(response.headers["location"])
    assert "id_token" not in fragment
    assert _claims(fragment["access_token"])["scope"] == "aws.cognito.signin.user.admin"


def test_no_scope_requested_grants_all_client_scopes(server: Server, idp: Any) -> None:
    pool = oauth_pool(server, idp)
    params = authorize_params(pool)
    del params["scope"]
    code = query_of(sign_in_http(pool, requests.Session(), params).headers["location"])["code"]
    body = token_call(pool, {"grant_type": "authorization_code", "client_id": pool.client_id, "code": code,
                             "redirect_uri": pool.callback}).json()
    assert _claims(body["access_token"])["scope"] == "openid email profile aws.cognito.signin.user.admin"


def test_session_cookie_signs_in_again_without_the_form_and_logout_clears_it(server: Server, idp: Any) -> None:
    pool = oauth_pool(server, idp)
    session = requests.Session()
    first = sign_in_http(pool, session, authorize_params(pool))
    cookie = first.headers["set-cookie"]
    assert "cognito=" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    again = session.get(f"{pool.base}/oauth2/authorize", params=authorize_params(pool), allow_redirects=False,
                        timeout=10)
    assert again.status_code == 302 and again.headers["location"].startswith(pool.callback + "?code=")
    out = session.get(f"{pool.base}/logout", params={"client_id": pool.client_id, "logout_uri": pool.logout},
                      allow_redirects=False, timeout=10)
    assert out.status_code == 302 and out.headers["location"] == pool.logout
    after = session.get(f"{pool.base}/oauth2/authorize", params=authorize_params(pool), allow_redirects=False,
                        timeout=10)
    assert after.headers["location"].startswith(f"/_domains/{pool.domain}/login?")


def test_tampered_session_cookie_is_ignored(server: Server, idp: Any) -> None:
    pool = oauth_pool(server, idp)
    session = requests.Session()
    sign_in_http(pool, session, authorize_params(pool))
    value = session.cookies.get("cognito")
    body, mac = value.split(".")
    session.cookies.clear()
    session.cookies.set("cognito", body + "." + mac[::-1], path=f"/_domains/{pool.domain}/")
    again = session.get(f"{pool.base}/oauth2/authorize", params=authorize_params(pool), allow_redirects=False,
                        timeout=10)
    assert again.headers["location"].startswith(f"/_domains/{pool.domain}/login?")


def test_client_credentials_carry_custom_scopes(server: Server, idp: Any) -> None:
    pool = oauth_pool(server, idp, user=None)
    basic = token_call(pool, {"grant_type": "client_credentials"}, auth=(pool.secret_client_id, pool.secret))
    assert basic.status_code == 200, basic.text
    assert set(basic.json()) == {"access_token", "expires_in", "token_type"}
    claims = _claims(basic.json()["access_token"])
    assert claims["sub"] == pool.secret_client_id and claims["scope"] == "api/read"
    assert claims["token_use"] == "access" and "username" not in claims
    post = token_call(pool, {"grant_type": "client_credentials", "scope": "api/read",
                             "client_id": pool.secret_client_id, "client_secret": pool.secret})
    assert post.status_code == 200 and _claims(post.json()["access_token"])["scope"] == "api/read"


def test_host_routing_serves_the_same_domain(server: Server, idp: Any) -> None:
    pool = oauth_pool(server, idp)
    response = requests.get(f"{server.url}/oauth2/authorize", params=authorize_params(pool),
                            headers={"Host": f"{pool.domain}.auth.localhost:{server.port}"}, allow_redirects=False,
                            timeout=10)
    assert response.status_code == 302 and response.headers["location"].startswith("/login?")


def test_pages_send_security_headers_and_load_nothing_external(server: Server, idp: Any) -> None:
    pool = oauth_pool(server, idp)
    page = requests.get(f"{pool.base}/login", params=authorize_params(pool), timeout=10)
    assert page.status_code == 200
    assert page.headers["x-frame-options"] == "DENY"
    assert page.headers["x-content-type-options"] == "nosniff"
    assert page.headers["referrer-policy"] == "no-referrer"
    assert page.headers["content-security-policy"].startswith("default-src 'self'")
    assert "http://" not in page.text and "https://" not in page.text
    assert '<label class="label-customizable" for="f-username">' in page.text


def test_discovery_lists_the_domain_endpoints(server: Server, idp: Any) -> None:
    pool = oauth_pool(server, idp, user=None)
    doc = requests.get(f"{server.url}/{pool.pool_id}/.well-known/openid-configuration", timeout=10).json()
    assert doc["authorization_endpoint"] == f"{pool.base}/oauth2/authorize"
    assert doc["token_endpoint"] == f"{pool.base}/oauth2/token"
    assert doc["userinfo_endpoint"] == f"{pool.base}/oauth2/userInfo"
