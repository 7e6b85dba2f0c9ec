"""Hosted-UI federation over plain HTTP (issue 16): the App pool's hosted UI sends the browser to the Upstream pool
(an OIDC provider found by its issuer URL), back through ``/oauth2/idpresponse``, and on to the app with a code;
the tokens carry ``identities`` and the ``{poolId}_Upstream`` group, the gateway's Cognito authorizer takes the ID
token, and a second sign-in updates the same user. Also: state bound to the browser, no open redirects."""

from __future__ import annotations

import json
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from urllib.parse import parse_qs, urlsplit

import jwt
import requests

from ..oauth.conftest import Callback
from ..oauth.helpers import PASSWORD, csrf_of, pkce_pair, query_of
from ..support import Server
from .conftest import APP_API, APP_CLIENT, APP_DOMAIN, APP_POOL, UPSTREAM_DOMAIN, UPSTREAM_POOL


def _app_base(server: Server) -> str:
    return f"{server.url}/_domains/{APP_DOMAIN}"


def _authorize_params(callback: Callback, **extra: str) -> dict[str, str]:
    return {"client_id": APP_CLIENT, "redirect_uri": f"{callback.url}/callback", "response_type": "code",
            "scope": "openid email profile", "state": "app-state", **extra}


def _to_upstream(server: Server, session: requests.Session, params: dict[str, str]) -> str:
    """authorize with identity_provider → the Upstream's authorize URL (checked), followed to its login page."""
    first = session.get(f"{_app_base(server)}/oauth2/authorize", params=params, allow_redirects=False, timeout=10)
    assert first.status_code == 302, first.text
    location = first.headers["location"]
    assert location.startswith(f"{server.url}/_domains/{UPSTREAM_DOMAIN}/oauth2/authorize?"), location
    sent = query_of(location)
    assert sent["redirect_uri"] == f"{_app_base(server)}/oauth2/idpresponse"
    assert sent["code_challenge_method"] == "S256" and len(sent["code_challenge"]) == 43
    assert sent["state"] and sent["nonce"] and sent["scope"] == "openid email profile"
    assert "app-state" not in location  # the app's own state does not travel to the provider
    hop = session.get(location, allow_redirects=False, timeout=10)
    assert hop.status_code == 302, hop.text
    return f"{server.url}{hop.headers['location']}"


def _upstream_login(server: Server, session: requests.Session, login_url: str, username: str = "carol") -> str:
    page = session.get(login_url, timeout=10)
    assert page.status_code == 200, page.text
    back = session.post(login_url, data={"_csrf": csrf_of(page.text), "username": username, "password": PASSWORD},
                        allow_redirects=False, timeout=10)
    assert back.status_code == 302, back.text
    location = back.headers["location"]
    assert location.startswith(f"{_app_base(server)}/oauth2/idpresponse?"), location
    return location


def federated_code(server: Server, callback: Callback, session: requests.Session | None = None,
                   username: str = "carol", **extra: str) -> tuple[str, requests.Session]:
    session = session or requests.Session()
    idp_response = _upstream_login(server, session, _to_upstream(server, session, _authorize_params(
        callback, identity_provider="Upstream", **extra)), username)
    final = session.get(idp_response, allow_redirects=False, timeout=10)
    assert final.status_code == 302, final.text
    location = final.headers["location"]
    assert location.startswith(f"{callback.url}/callback?"), location
    query = query_of(location)
    assert query["state"] == "app-state"
    return query["code"], session


def tokens_for(server: Server, callback: Callback, code: str, **extra: str) -> dict[str, Any]:
    answer = requests.post(f"{_app_base(server)}/oauth2/token", data={
        "grant_type": "authorization_code", "client_id": APP_CLIENT, "code": code,
        "redirect_uri": f"{callback.url}/callback", **extra}, timeout=10)
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


def _claims(token: str) -> dict[str, Any]:
    return dict(jwt.decode(token, options={"verify_signature": False}))


def test_sign_in_with_upstream_end_to_end(fed_server: Server, callback: Callback, fed_idp: Any) -> None:
    verifier, challenge = pkce_pair()
    code, _ = federated_code(fed_server, callback, nonce="app-nonce", code_challenge=challenge,
                             code_challenge_method="S256")
    tokens = tokens_for(fed_server, callback, code, code_verifier=verifier)
    upstream_sub = fed_idp.admin_get_user(UserPoolId=UPSTREAM_POOL, Username="carol")["UserAttributes"]
    upstream_sub = next(a["Value"] for a in upstream_sub if a["Name"] == "sub")
    claims = _claims(tokens["id_token"])
    username = f"Upstream_{upstream_sub}"
    assert claims["cognito:username"] == username
    assert claims["iss"] == f"{fed_server.url}/{APP_POOL}" and claims["aud"] == APP_CLIENT
    assert claims["nonce"] == "app-nonce"
    assert claims["cognito:groups"] == [f"{APP_POOL}_Upstream"]
    assert claims["email"] == "carol@example.com" and claims["email_verified"] is True
    assert claims["name"] == "Carol Upstream"
    [identity] = claims["identities"]
    assert identity["userId"] == upstream_sub and identity["providerName"] == "Upstream"
    assert identity["providerType"] == "OIDC" and identity["primary"] == "true" and identity["issuer"] is None
    assert identity["dateCreated"].isdigit()
    access = _claims(tokens["access_token"])
    assert access["username"] == username and access["cognito:groups"] == [f"{APP_POOL}_Upstream"]

    user = fed_idp.admin_get_user(UserPoolId=APP_POOL, Username=username)
    assert user["UserStatus"] == "EXTERNAL_PROVIDER"
    attributes = {a["Name"]: a["Value"] for a in user["UserAttributes"]}
    stored = json.loads(attributes["identities"])
    assert stored[0]["primary"] is True and isinstance(stored[0]["dateCreated"], int)
    group = fed_idp.get_group(UserPoolId=APP_POOL, GroupName=f"{APP_POOL}_Upstream")["Group"]
    assert group["GroupName"] == f"{APP_POOL}_Upstream"

    # the gateway's Cognito authorizer takes the federated user's ID token
    api = f"{fed_server.url}/restapis/{APP_API}/prod/_user_request_/me"
    assert requests.get(api, headers={"Authorization": tokens["id_token"]}, timeout=10).status_code == 200
    assert requests.get(api, headers={"Authorization": "nope"}, timeout=10).status_code == 401

    # a second sign-in (the upstream's attributes changed) updates the same user
    fed_idp.admin_update_user_attributes(UserPoolId=UPSTREAM_POOL, Username="carol",
                                         UserAttributes=[{"Name": "name", "Value": "Carol Renamed"}])
    code, _ = federated_code(fed_server, callback)
    again = _claims(tokens_for(fed_server, callback, code)["id_token"])
    assert again["cognito:username"] == username and again["sub"] == claims["sub"]
    assert again["name"] == "Carol Renamed"
    listed = fed_idp.list_users(UserPoolId=APP_POOL)["Users"]
    assert [u["Username"] for u in listed] == [username]


def test_the_login_page_offers_the_provider_and_idp_identifier_skips_it(fed_server: Server,
                                                                        callback: Callback) -> None:
    session = requests.Session()
    page = session.get(f"{_app_base(fed_server)}/login", params=_authorize_params(callback), timeout=10)
    assert page.status_code == 200
    assert "Sign in with Upstream" in page.text
    href = page.text.split("Sign in with Upstream")[0].rsplit('href="', 1)[1].split('"')[0].replace("&amp;", "&")
    assert query_of(href)["identity_provider"] == "Upstream"
    assert urlsplit(href).path == f"/_domains/{APP_DOMAIN}/oauth2/authorize"
    # idp_identifier finds the provider by its IdpIdentifiers
    login_url = _to_upstream(fed_server, session, _authorize_params(callback, idp_identifier="upstream.example"))
    assert f"/_domains/{UPSTREAM_DOMAIN}/login?" in login_url
    unknown = session.get(f"{_app_base(fed_server)}/oauth2/authorize", allow_redirects=False, timeout=10,
                          params=_authorize_params(callback, identity_provider="Nobody"))
    assert unknown.status_code == 302
    assert query_of(unknown.headers["location"])["error"] == "invalid_request"


def test_state_is_bound_to_the_browser(fed_server: Server, callback: Callback) -> None:
    victim = requests.Session()
    attacker = requests.Session()
    # the attacker's own trip to the provider, stopped at the callback
    planted = _upstream_login(fed_server, attacker, _to_upstream(fed_server, attacker, _authorize_params(
        callback, identity_provider="Upstream")))
    # the victim's browser is sent to the attacker's idpresponse URL: no cookie of that sign-in, refused
    answer = victim.get(planted, allow_redirects=False, timeout=10)
    assert answer.status_code == 400 and "expired or was started in another browser" in answer.text
    # the victim has a sign-in of its own going: the attacker's state is still not its state
    _to_upstream(fed_server, victim, _authorize_params(callback, identity_provider="Upstream"))
    answer = victim.get(planted, allow_redirects=False, timeout=10)
    assert answer.status_code == 400
    # the cookie is single use: the attacker's own browser cannot replay its answer either after using it
    first = attacker.get(planted, allow_redirects=False, timeout=10)
    assert first.status_code == 302 and first.headers["location"].startswith(f"{callback.url}/callback?")
    assert attacker.get(planted, allow_redirects=False, timeout=10).status_code == 400


def test_a_tampered_state_cookie_or_redirect_is_refused(fed_server: Server, callback: Callback) -> None:
    session = requests.Session()
    idp_response = _upstream_login(fed_server, session, _to_upstream(fed_server, session, _authorize_params(
        callback, identity_provider="Upstream")))
    cookie = session.cookies.get("cognito-idp-state")
    assert cookie
    body, mac = cookie.split(".")
    forged = requests.Session()
    forged.cookies.set("cognito-idp-state", f"{body}x.{mac}", path=f"/_domains/{APP_DOMAIN}/")
    answer = forged.get(idp_response, allow_redirects=False, timeout=10)
    assert answer.status_code == 400
    # an authorize request whose redirect_uri is not a callback URL never reaches the provider
    evil = session.get(f"{_app_base(fed_server)}/oauth2/authorize", allow_redirects=False, timeout=10,
                       params=_authorize_params(callback, identity_provider="Upstream",
                                                redirect_uri="https://evil.example/cb"))
    assert evil.status_code == 302 and evil.headers["location"].startswith(f"/_domains/{APP_DOMAIN}/error?")
    # the provider's error goes back to the app, not to a URL from the request
    params = parse_qs(urlsplit(idp_response).query)
    state = params["state"][0]
    refused = session.get(f"{_app_base(fed_server)}/oauth2/idpresponse", allow_redirects=False, timeout=10,
                          params={"error": "access_denied", "state": state})
    assert refused.status_code == 302
    assert refused.headers["location"].startswith(f"{callback.url}/callback?")
    assert query_of(refused.headers["location"])["error"] == "access_denied"


def test_first_sign_ins_racing_make_one_user(fed_server: Server, callback: Callback, fed_idp: Any) -> None:
    """Six browsers of one new upstream user come back through idpresponse at the same moment: one user, one
    link, every browser signed in (the database decides; the losers find the winner's user)."""
    fed_idp.admin_create_user(UserPoolId=UPSTREAM_POOL, Username="racer", MessageAction="SUPPRESS",
                              TemporaryPassword=PASSWORD)
    fed_idp.admin_set_user_password(UserPoolId=UPSTREAM_POOL, Username="racer", Password=PASSWORD, Permanent=True)
    trips = []
    for _ in range(6):
        session = requests.Session()
        trips.append((session, _upstream_login(fed_server, session, _to_upstream(
            fed_server, session, _authorize_params(callback, identity_provider="Upstream")), "racer")))
    barrier = threading.Barrier(len(trips))

    def back(trip: tuple[requests.Session, str]) -> int:
        barrier.wait()
        answer = trip[0].get(trip[1], allow_redirects=False, timeout=30)
        return answer.status_code if not answer.headers.get("location", "").startswith(callback.url) else 302

    with ThreadPoolExecutor(len(trips)) as pool:
        assert list(pool.map(back, trips)) == [302] * len(trips)
    racers = [u["Username"] for u in fed_idp.list_users(UserPoolId=APP_POOL)["Users"]
              if u["Username"].startswith("Upstream_")
              and u["Username"] != f"Upstream_{_sub(fed_idp, 'carol')}"]
    assert len(racers) == 1


def _sub(idp: Any, username: str) -> str:
    attributes = idp.admin_get_user(UserPoolId=UPSTREAM_POOL, Username=username)["UserAttributes"]
    return str(next(a["Value"] for a in attributes if a["Name"] == "sub"))
