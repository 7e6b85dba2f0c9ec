"""``poolgate serve``'s start-up banner names every app client and each hosted-UI sign-in URL, and the demo has
a hosted-UI domain, so every README section can be tried on the demo as printed."""

from __future__ import annotations

import re
from collections.abc import Iterator
from urllib.parse import parse_qs, urljoin, urlsplit

import pytest
import requests

from .support import Server, start_server, stop_server


@pytest.fixture(scope="module")
def demo() -> Iterator[Server]:
    server = start_server()  # no --config: the embedded SecurePets demo
    try:
        yield server
    finally:
        stop_server(server)


def test_the_banner_names_each_app_client(demo: Server) -> None:
    assert "  app client securepetsdemo0client0001a (securepets-web)" in demo.log().splitlines()


def test_the_banner_gives_a_working_hosted_ui_sign_in_url(demo: Server) -> None:
    lines = demo.log().splitlines()
    assert f"  hosted UI domain securepets: {demo.url}/_domains/securepets/  " \
           f"http://securepets.auth.localhost:{demo.port}/" in lines
    url = next(m.group(1) for line in lines if (m := re.match(r"^    sign in on the hosted UI: (\S+)$", line)))
    parts = urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == f"{demo.url}/_domains/securepets/login"
    assert parse_qs(parts.query) == {"client_id": ["securepetsdemo0client0001a"], "response_type": ["code"],
                                     "scope": ["openid email profile"],
                                     "redirect_uri": ["http://localhost:3000/callback"]}
    page = requests.get(url, timeout=10)
    assert page.status_code == 200
    assert 'name="password"' in page.text


def sign_in_on_hosted_ui(url: str, username: str, password: str) -> str:
    """Fill in the hosted UI's sign-in form at ``url`` as a browser would; the address it is sent to."""
    session = requests.Session()
    page = session.get(url, timeout=10)
    form = dict(re.findall(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', page.text))
    action = re.search(r'<form[^>]*action="([^"]+)"', page.text).group(1).replace("&amp;", "&")  # type: ignore[union-attr]
    target = urljoin(url, action)
    answer = session.post(target, data={**form, "username": username, "password": password},
                          allow_redirects=False, timeout=10)
    assert answer.status_code == 302, answer.text[:500]
    return str(answer.headers["Location"])


def test_the_demo_signs_in_on_its_hosted_ui(demo: Server) -> None:
    """The demo user signs in on the printed page and the browser is sent to the client's callback with a code,
    which the token endpoint exchanges (README: Hosted UI and OAuth 2.0)."""
    url = next(m.group(1) for line in demo.log().splitlines()
               if (m := re.match(r"^    sign in on the hosted UI: (\S+)$", line)))
    location = sign_in_on_hosted_ui(url, "demo", "Demo-Passw0rd!")
    assert location.startswith("http://localhost:3000/callback?code=")
    code = parse_qs(urlsplit(location).query)["code"][0]
    tokens = requests.post(f"{demo.url}/_domains/securepets/oauth2/token", timeout=10, data={
        "grant_type": "authorization_code", "client_id": "securepetsdemo0client0001a", "code": code,
        "redirect_uri": "http://localhost:3000/callback"})
    assert tokens.status_code == 200, tokens.text
    assert {"id_token", "access_token", "refresh_token"} <= set(tokens.json())
