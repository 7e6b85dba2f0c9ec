"""Who may use the console, and what no other site can make it do: the banner names it; every POST needs the
session's form token and must not come from another site (Origin / Sec-Fetch-Site, edge.cross_site_refusal); in
signed mode (--credentials) it asks for an access key and secret and signs as that key, so it shows that key's
account only; operation errors are shown with AWS's type and message."""

from __future__ import annotations

import re
import time
from typing import Any

import boto3
import requests
from botocore.config import Config

from ..support import Server, start_server, stop_server

TOKEN = re.compile(r'name="_token" value="([^"]+)"')


def _session(server: Server, path: str = "/_console/apis/create") -> tuple[requests.Session, str]:
    session = requests.Session()
    page = session.get(f"{server.url}{path}", timeout=10)
    assert page.status_code == 200, page.text
    match = TOKEN.search(page.text)
    assert match
    return session, match.group(1)


def _apigw(server: Server, key: str = "AKIDTEST", secret: str = "secretsecretsecret") -> Any:
    return boto3.client("apigateway", endpoint_url=server.url, region_name="us-east-1", aws_access_key_id=key,
                        aws_secret_access_key=secret, config=Config(retries={"max_attempts": 0}))


def _names(server: Server) -> list[str]:
    return sorted(api["name"] for api in _apigw(server).get_rest_apis()["items"])


def test_banner_prints_the_console_url(server: Server) -> None:
    deadline = time.monotonic() + 10
    while "console:" not in server.log_path.read_text() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert f"console: {server.url}/_console/ (open on loopback)" in server.log_path.read_text()
    assert requests.get(f"{server.url}/_console/static/console.css", timeout=10).headers["content-type"].startswith(
        "text/css")


def test_state_changing_requests_cannot_be_forged_cross_site(server: Server) -> None:
    session, token = _session(server)
    url = f"{server.url}/_console/apis/create"
    before = _names(server)
    forged = [
        ({"_token": token, "name": "evil-origin"}, {"Origin": "http://evil.example"}),
        ({"_token": token, "name": "evil-port"}, {"Origin": "http://127.0.0.1:1"}),
        ({"_token": token, "name": "evil-site"}, {"Sec-Fetch-Site": "cross-site"}),
        ({"name": "no-token"}, {}),
        ({"_token": "x" + token, "name": "bad-token"}, {}),
    ]
    for form, headers in forged:
        answer = session.post(url, data=form, headers=headers, timeout=10, allow_redirects=False)
        assert answer.status_code == 403, (form, headers, answer.text)
    # another browser's token does not fit this session
    _other, other_token = _session(server)
    answer = session.post(url, data={"_token": other_token, "name": "foreign-token"}, timeout=10,
                          allow_redirects=False)
    assert answer.status_code == 403
    # a request without the session cookie gets a new session, whose token the form does not carry
    answer = requests.post(url, data={"_token": token, "name": "no-cookie"}, timeout=10, allow_redirects=False)
    assert answer.status_code == 403
    assert _names(server) == before
    answer = session.post(url, data={"_token": token, "name": "same-site"}, timeout=10, allow_redirects=False,
                          headers={"Origin": server.url, "Sec-Fetch-Site": "same-origin"})
    assert answer.status_code == 303 and answer.headers["location"].startswith("/_console/apis/")
    assert _names(server) == sorted([*before, "same-site"])
    cookie = answer.request.headers["cookie"]
    assert "poolgate_console=" in cookie
    set_cookie = requests.get(f"{server.url}/_console/", timeout=10).headers["set-cookie"]
    assert "HttpOnly" in set_cookie and "SameSite=Strict" in set_cookie and "Path=/_console/" in set_cookie


def test_another_host_name_is_refused_in_local_mode(server: Server) -> None:
    answer = requests.get(f"{server.url}/_console/", headers={"Host": "evil.example"}, timeout=10)
    assert answer.status_code == 421


def test_operation_errors_are_shown_with_the_aws_message(server: Server) -> None:
    session, token = _session(server)
    created = session.post(f"{server.url}/_console/apis/create", data={"_token": token, "name": "Errors"},
                           timeout=10, allow_redirects=False)
    api_id = created.headers["location"].rsplit("/", 1)[-1]
    root = _apigw(server).get_resources(restApiId=api_id)["items"][0]["id"]
    form = {"_token": token, "parent": root, "name": "users"}
    assert session.post(f"{server.url}/_console/apis/{api_id}/resources/create", data=form, timeout=10,
                        allow_redirects=False).status_code == 303
    again = session.post(f"{server.url}/_console/apis/{api_id}/resources/create", data=form, timeout=10)
    assert again.status_code == 400
    assert "ConflictException: Another resource with the same parent already has this name: users" in again.text
    missing = session.get(f"{server.url}/_console/apis/nosuchapi1", timeout=10)
    assert missing.status_code == 404
    assert "NotFoundException: Invalid API identifier specified 000000000000:nosuchapi1" in missing.text


def test_signed_mode_asks_for_a_key_and_signs_as_it() -> None:
    one = "AKIAONEONEONEONE1:wJalrXUtnFEMIK7MDENG1:111122223333"
    two = "AKIATWOTWOTWOTWO2:wJalrXUtnFEMIK7MDENG2:444455556666"
    server = start_server("--no-demo", "--credentials", one, "--credentials", two, allow_reset=False)
    try:
        _apigw(server, "AKIAONEONEONEONE1", "wJalrXUtnFEMIK7MDENG1").create_rest_api(name="account-one")
        _apigw(server, "AKIATWOTWOTWOTWO2", "wJalrXUtnFEMIK7MDENG2").create_rest_api(name="account-two")
        session = requests.Session()
        first = session.get(f"{server.url}/_console/apis", timeout=10, allow_redirects=False)
        assert (first.status_code, first.headers["location"]) == (303, "/_console/sign-in")
        form = session.get(f"{server.url}/_console/sign-in", timeout=10)
        token = TOKEN.search(form.text)
        assert token and 'label for="secret_key"' in form.text
        wrong = session.post(f"{server.url}/_console/sign-in", timeout=10, data={
            "_token": token.group(1), "access_key": "AKIAONEONEONEONE1", "secret_key": "wrong"})
        assert wrong.status_code == 403
        assert "InvalidSignatureException: The request signature we calculated does not match" in wrong.text
        assert "Canonical String" not in wrong.text
        unknown = session.post(f"{server.url}/_console/sign-in", timeout=10, data={
            "_token": token.group(1), "access_key": "AKIANOBODY", "secret_key": "x"})
        assert unknown.status_code == 403 and "security token included in the request is invalid" in unknown.text
        assert session.get(f"{server.url}/_console/apis", timeout=10, allow_redirects=False).status_code == 303
        right = session.post(f"{server.url}/_console/sign-in", timeout=10, allow_redirects=False, data={
            "_token": token.group(1), "access_key": "AKIATWOTWOTWOTWO2", "secret_key": "wJalrXUtnFEMIK7MDENG2"})
        assert right.status_code == 303
        apis = session.get(f"{server.url}/_console/apis", timeout=10)
        assert apis.status_code == 200 and "account-two" in apis.text and "account-one" not in apis.text
        out = TOKEN.search(session.get(f"{server.url}/_console/", timeout=10).text)
        assert out
        session.post(f"{server.url}/_console/sign-out", data={"_token": out.group(1)}, timeout=10)
        assert session.get(f"{server.url}/_console/apis", timeout=10, allow_redirects=False).status_code == 303
        assert "sign in with a --credentials access key and secret" in server.log_path.read_text()
    finally:
        stop_server(server)


def test_a_session_works_on_every_process_of_one_database() -> None:
    """Behind a load balancer the next request may reach another process: the session (its cookie, sealed with a
    key kept in the database) and its form token are good on both, and a tampered cookie is a new session."""
    from ..conftest import _require_postgres
    from ..support import temporary_postgres_database

    _require_postgres()
    with temporary_postgres_database() as url:
        one = start_server("--no-demo", database_url=url)
        two = start_server("--no-demo", database_url=url)
        try:
            session, token = _session(one)
            answer = session.post(f"{two.url}/_console/apis/create", data={"_token": token, "name": "on-two"},
                                  timeout=10, allow_redirects=False)
            assert answer.status_code == 303, answer.text
            assert "on-two" in session.get(f"{one.url}/_console/apis", timeout=10).text
            cookie = session.cookies.get("poolgate_console")
            assert cookie
            tampered = requests.post(f"{two.url}/_console/apis/create", timeout=10, allow_redirects=False,
                                     data={"_token": token, "name": "tampered"},
                                     cookies={"poolgate_console": cookie[:-2] + ("AA" if cookie[-2:] != "AA"
                                                                                  else "BB")})
            assert tampered.status_code == 403
        finally:
            stop_server(one)
            stop_server(two)
