"""The sign-up, confirmation and sign-in pages over HTTP: errors next to fields, in plain words."""

from __future__ import annotations

import re
from typing import Any

import requests

from ..support import Server
from .helpers import OAuthPool, authorize_params, csrf_of, oauth_pool, outbox_code, query_of


def _post(pool: OAuthPool, session: requests.Session, page: str, data: dict[str, str],
          **extra: str) -> requests.Response:
    url = f"{pool.base}/{page}"
    params = authorize_params(pool, **extra)
    form = session.get(url, params=params, timeout=10)
    assert form.status_code == 200, form.text
    return session.post(url, params=params, data={"_csrf": csrf_of(form.text), **data}, allow_redirects=False,
                        timeout=10)


def _field_error(html: str, field: str) -> str:
    found = re.search(rf'<p class="field-error" id="e-{field}"[^>]*>([^<]*)</p>', html)
    assert found, html
    return found.group(1)


def test_signup_errors_are_shown_next_to_their_fields(server: Server, idp: Any) -> None:
    pool = oauth_pool(server, idp)
    session = requests.Session()
    missing = _post(pool, session, "signup", {"username": "carol", "password": "Sup3r-secret!", "email": ""})
    assert missing.status_code == 400 and _field_error(missing.text, "email") == "Enter your email."
    assert 'aria-invalid="true"' in missing.text
    taken = _post(pool, session, "signup", {"username": "alice", "password": "Sup3r-secret!",
                                            "email": "a2@example.com"})
    assert _field_error(taken.text, "username") == "An account with this username already exists."
    weak = _post(pool, session, "signup", {"username": "carol", "password": "sup3r-secret!",
                                           "email": "carol@example.com"})
    assert _field_error(weak.text, "password") == "Password must have uppercase characters."
    assert 'value="carol@example.com"' in weak.text and "sup3r-secret!" not in weak.text


def test_unconfirmed_user_signing_in_is_sent_to_confirm(server: Server, idp: Any) -> None:
    pool = oauth_pool(server, idp)
    session = requests.Session()
    done = _post(pool, session, "signup", {"username": "dave", "password": "Sup3r-secret!",
                                           "email": "dave@example.com"})
    assert done.status_code == 302 and "/confirmUser?" in done.headers["location"]
    login = _post(pool, session, "login", {"username": "dave", "password": "Sup3r-secret!"})
    assert login.status_code == 302 and "/confirmUser?" in login.headers["location"]
    assert query_of(login.headers["location"])["username"] == "dave"
    confirm = _post(pool, session, "confirmUser", {"username": "dave",
                                                   "code": outbox_code(server, pool.pool_id, "dave")})
    assert confirm.status_code == 302 and "/login?" in confirm.headers["location"]
    assert query_of(confirm.headers["location"])["notice"] == "confirmed"
    signed_in = _post(pool, session, "login", {"username": "dave", "password": "Sup3r-secret!"})
    assert signed_in.status_code == 302 and signed_in.headers["location"].startswith(pool.callback + "?code=")


def test_text_in_the_url_is_never_echoed_as_a_notice(server: Server, idp: Any) -> None:
    pool = oauth_pool(server, idp, user=None)
    page = requests.get(f"{pool.base}/login", params={**authorize_params(pool), "notice": "<script>x</script>"},
                        timeout=10)
    assert page.status_code == 200 and "<script>" not in page.text
    escaped = requests.get(f"{pool.base}/login", params=authorize_params(pool, state='"><script>x</script>'),
                           timeout=10)
    assert "<script>x" not in escaped.text
