"""The provider's ID token, case by case (issue 16; docs/design.md habit 5, security rules as tables): only a token
signed with a key of the provider's JWKS, for our client, from the provider's issuer, unexpired and carrying this
sign-in's nonce is taken. A JWKS is served on 127.0.0.1 by a thread; ``idp_client.verified_id_token`` reads it."""

from __future__ import annotations

import asyncio
import base64
import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from poolgate.cognito.federation.providers import IdentityProvider
from poolgate.oauth import idp_client

ISSUER = "http://127.0.0.1:9/us-east-1_Upstream"
CLIENT = "upstream-client"
NONCE = "n-0123456789"
KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
OTHER_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture(scope="module")
def jwks_url() -> Iterator[str]:
    jwk = json.loads(RSAAlgorithm.to_jwk(KEY.public_key()))
    body = json.dumps({"keys": [{**jwk, "kid": "k1", "alg": "RS256", "use": "sig"}]}).encode()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/jwks.json"
    httpd.shutdown()
    httpd.server_close()


def _claims(**changes: Any) -> dict[str, Any]:
    now = int(time.time())
    claims = {"iss": ISSUER, "aud": CLIENT, "sub": "s-1", "exp": now + 300, "iat": now, "nonce": NONCE}
    claims.update(changes)
    return {k: v for k, v in claims.items() if v is not None}


def _token(claims: dict[str, Any], key: Any = KEY, kid: str = "k1", alg: str = "RS256") -> str:
    return jwt.encode(claims, key, algorithm=alg, headers={"kid": kid})


def _unsigned(claims: dict[str, Any]) -> str:
    def part(value: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=").decode()
    return f"{part({'alg': 'none', 'kid': 'k1'})}.{part(claims)}."


CASES: dict[str, Any] = {
    "alg none": lambda: _unsigned(_claims()),
    "HS256 keyed with anything": lambda: _token(_claims(), "a-shared-secret-of-32-bytes-long!", alg="HS256"),
    "unknown kid": lambda: _token(_claims(), kid="k2"),
    "another key under the provider's kid": lambda: _token(_claims(), OTHER_KEY),
    "wrong issuer": lambda: _token(_claims(iss="http://127.0.0.1:9/us-east-1_Other")),
    "no issuer": lambda: _token(_claims(iss=None)),
    "another audience": lambda: _token(_claims(aud="someone-else")),
    "several audiences, azp another": lambda: _token(_claims(aud=[CLIENT, "x"], azp="x")),
    "expired": lambda: _token(_claims(exp=int(time.time()) - 120)),
    "no exp": lambda: _token(_claims(exp=None)),
    "issued in the future": lambda: _token(_claims(iat=int(time.time()) + 3600)),
    "another sign-in's nonce": lambda: _token(_claims(nonce="n-other")),
    "no nonce": lambda: _token(_claims(nonce=None)),
    "not a JWT": lambda: "not.a.jwt",
}


def _provider() -> IdentityProvider:
    return IdentityProvider("us-east-1_App", "Upstream", "OIDC", {"client_id": CLIENT}, {"username": "sub"}, [],
                            0.0, 0.0)


def _verify(jwks: str, token: str) -> dict[str, Any]:
    where = idp_client.Endpoints(ISSUER, "http://127.0.0.1:9/a", "http://127.0.0.1:9/t", None, jwks)
    return asyncio.run(idp_client.verified_id_token(_provider(), where, token, NONCE, time.time()))


def test_a_good_token_is_taken(jwks_url: str) -> None:
    assert _verify(jwks_url, _token(_claims()))["sub"] == "s-1"
    assert _verify(jwks_url, _token(_claims(aud=[CLIENT, "x"], azp=CLIENT)))["sub"] == "s-1"


@pytest.mark.parametrize("case", list(CASES))
def test_a_bad_token_is_refused(jwks_url: str, case: str) -> None:
    with pytest.raises(idp_client.IdpError):
        _verify(jwks_url, CASES[case]())
