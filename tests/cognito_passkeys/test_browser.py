"""Passkeys in a real browser: Debian's chromium (Playwright) with a CTAP2 virtual authenticator (Chrome DevTools
Protocol, WebAuthn domain: ``WebAuthn.enable``, ``WebAuthn.addVirtualAuthenticator``).

A page served by this test from http://localhost:<port> (WebAuthn allows http on localhost, and poolgate's default
relying party is ``localhost``) calls StartWebAuthnRegistration, ``navigator.credentials.create`` with its options and
CompleteWebAuthnRegistration; then InitiateAuth USER_AUTH preferring WEB_AUTHN, ``navigator.credentials.get`` with the
CREDENTIAL_REQUEST_OPTIONS, and RespondToAuthChallenge with the CREDENTIAL, which gives tokens. The page speaks
cognito-idp's JSON protocol to its own origin's ``/cognito``, which the test forwards to poolgate unchanged (poolgate's
Cognito endpoint sends no CORS headers, and an app serving its page and proxying its API is an ordinary set-up).
Fails in CI without chromium (tests/chromium.py).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import jwt
import pytest
import requests

from ..chromium import launched_chromium
from ..support import Server, free_port
from .helpers import member, passkey_pool

PAGE = (Path(__file__).parent / "page.html").read_bytes()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with launched_chromium() as chromium:
        yield chromium


@pytest.fixture
def app_origin(server: Server) -> Iterator[str]:
    """http://localhost:<port>: the page, and ``POST /cognito`` forwarded to poolgate."""

    class App(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self._send(200, "text/html; charset=utf-8", PAGE)

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            forwarded = requests.post(server.url + "/", data=body, timeout=30, headers={
                "Content-Type": self.headers["Content-Type"], "X-Amz-Target": self.headers["X-Amz-Target"]})
            self._send(forwarded.status_code, forwarded.headers.get("Content-Type", "application/json"),
                       forwarded.content)

        def _send(self, status: int, content_type: str, body: bytes) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    port = free_port()
    app = ThreadingHTTPServer(("127.0.0.1", port), App)
    thread = threading.Thread(target=app.serve_forever, daemon=True)
    thread.start()
    yield f"http://localhost:{port}"
    app.shutdown()
    app.server_close()


def test_register_a_passkey_and_sign_in_with_it_in_chromium(idp: Any, browser: Any, app_origin: str) -> None:
    pool_id, client_id = passkey_pool(idp)
    who = member(idp, pool_id, client_id)
    context = browser.new_context()
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("WebAuthn.enable", {"enableUI": False})
    authenticator = cdp.send("WebAuthn.addVirtualAuthenticator", {"options": {
        "protocol": "ctap2", "transport": "internal", "hasResidentKey": True, "hasUserVerification": True,
        "isUserVerified": True}})["authenticatorId"]
    page.goto(app_origin + "/")

    credential_id = page.evaluate("token => registerPasskey(token)", who.access_token)
    listed = idp.list_web_authn_credentials(AccessToken=who.access_token)["Credentials"]
    assert [c["CredentialId"] for c in listed] == [credential_id]
    assert listed[0]["RelyingPartyId"] == "localhost" and listed[0]["AuthenticatorTransports"] == ["internal"]
    held = cdp.send("WebAuthn.getCredentials", {"authenticatorId": authenticator})["credentials"]
    assert len(held) == 1 and held[0]["rpId"] == "localhost" and held[0]["isResidentCredential"]

    for _ in range(2):  # twice: the second assertion's sign count must be above the first's
        signed = page.evaluate("([client, name]) => signInWithPasskey(client, name)", [client_id, who.username])
        assert signed["options"]["rpId"] == "localhost"
        assert [c["id"] for c in signed["options"]["allowCredentials"]] == [credential_id]
        claims = jwt.decode(signed["result"]["AccessToken"], options={"verify_signature": False})
        assert claims["username"] == who.username and claims["token_use"] == "access"
        assert signed["result"]["RefreshToken"]
    counted = cdp.send("WebAuthn.getCredentials", {"authenticatorId": authenticator})["credentials"][0]
    assert counted["signCount"] >= 2

    # the passkey removed from the pool: the page's sign-in no longer gets a WEB_AUTHN challenge
    idp.delete_web_authn_credential(AccessToken=who.access_token, CredentialId=credential_id)
    with pytest.raises(Exception, match="no WEB_AUTHN challenge"):
        page.evaluate("([client, name]) => signInWithPasskey(client, name)", [client_id, who.username])
    context.close()
