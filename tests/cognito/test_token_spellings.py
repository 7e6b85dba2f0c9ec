"""Security table (design.md habit 5): every reader of user-pool tokens accepts exactly one spelling of a token.

One real server; real tokens from the hosted UI's code flow (ID token and an access token with ``openid``,
``aws.cognito.signin.user.admin`` and ``api/read``); each case below is a token derived from them (another
spelling of the same bytes, or a forgery) and is refused by every door that reads tokens: the gateway's Cognito
authorizer (``/me`` takes the ID token, ``/pets`` the access token), the JSON API's GetUser and
``/oauth2/userInfo``. The unaltered tokens pass each door (``test_the_real_tokens_pass_every_door``), so a
refusal below is the case's doing.

Before cognito/jws.py, the padded, standard-alphabet and whitespace spellings were accepted by the gateway and
by GetUser/userInfo (both decoded base64 without validating it).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import jwt
import pytest
import requests
import yaml
from botocore.exceptions import ClientError
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from ..conftest import cognito_client
from ..oauth.helpers import GATEWAY_POOL, call_api, code_for, gateway_config, gateway_pool, token_call
from ..support import Server, start_server, stop_server

CALLBACK = "http://127.0.0.1:9"
OTHER_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)


@dataclass(frozen=True)
class Tokens:
    id_token: str
    access_token: str
    jwks: dict[str, Any]


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Server, Tokens]]:
    path = tmp_path_factory.mktemp("spellings") / "poolgate.yaml"
    path.write_text(yaml.safe_dump(gateway_config(CALLBACK), sort_keys=False))
    server = start_server("--config", str(path))
    try:
        pool = gateway_pool(server, CALLBACK)
        idp = cognito_client(server.url)
        idp.admin_create_user(UserPoolId=GATEWAY_POOL, Username="tina", MessageAction="SUPPRESS",
                              TemporaryPassword="Passw0rd!",
                              UserAttributes=[{"Name": "email", "Value": "tina@example.com"}])
        idp.admin_set_user_password(UserPoolId=GATEWAY_POOL, Username="tina", Password="Passw0rd!", Permanent=True)
        code = code_for(pool, "tina", scope="openid aws.cognito.signin.user.admin api/read")
        body = token_call(pool, {"grant_type": "authorization_code", "client_id": pool.client_id, "code": code,
                                 "redirect_uri": pool.callback}).json()
        jwks = requests.get(f"{server.url}/{GATEWAY_POOL}/.well-known/jwks.json", timeout=10).json()
        yield server, Tokens(body["id_token"], body["access_token"], jwks)
    finally:
        stop_server(server)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _segments(token: str) -> tuple[str, str, str]:
    head, body, signature = token.split(".")
    return head, body, signature


def _reheader(token: str, **header: Any) -> str:
    _, body, signature = _segments(token)
    old = jwt.get_unverified_header(token)
    return f"{_b64(json.dumps({**old, **header}).encode())}.{body}.{signature}"


def _resigned(token: str, key: Any, alg: str = "RS256", kid: str | None = None) -> str:
    claims = jwt.decode(token, options={"verify_signature": False})
    return jwt.encode(claims, key, algorithm=alg, headers={"kid": kid or jwt.get_unverified_header(token)["kid"]})


def _hs256_keyed_with_public_key(token: str, jwks: dict[str, Any]) -> str:
    """The RS/HS confusion: HMAC-SHA256 keyed with the pool's public key (as PEM), header alg HS256."""
    kid = jwt.get_unverified_header(token)["kid"]
    jwk = next(k for k in jwks["keys"] if k["kid"] == kid)
    public = jwt.PyJWK(jwk).key
    pem = public.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    _, body, _ = _segments(token)
    head = _b64(json.dumps({"alg": "HS256", "kid": kid}).encode())
    return f"{head}.{body}.{_b64(hmac.new(pem, f'{head}.{body}'.encode(), hashlib.sha256).digest())}"


def _std_alphabet(token: str) -> str:
    head, body, signature = _segments(token)
    assert "-" in signature or "_" in signature  # 342 random base64url characters: practically certain
    return f"{head}.{body}.{signature.replace('-', '+').replace('_', '/')}"


def _padded(token: str) -> str:
    head, body, signature = _segments(token)
    return f"{head}.{body}.{signature}{'=' * (-len(signature) % 4)}"


def _non_canonical_tail(token: str) -> str:
    """An RSA-2048 signature is 342 characters: the last one's low 4 bits are unused; setting one is another
    spelling of the same 256 bytes."""
    head, body, signature = _segments(token)
    assert len(signature) % 4 == 2
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    last = alphabet[alphabet.index(signature[-1]) | 1]
    return f"{head}.{body}.{signature[:-1]}{last}"


def _payload_changed(token: str) -> str:
    head, body, signature = _segments(token)
    claims = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    claims["username"] = claims["cognito:username"] = "someone-else"
    return f"{head}.{_b64(json.dumps(claims).encode())}.{signature}"


Case = Callable[[str, dict[str, Any]], str]

CASES: dict[str, Case] = {
    "signature-padded-with-==": lambda t, _: _padded(t),
    "signature-with-=-appended": lambda t, _: t + "=",
    "signature-with-==-appended": lambda t, _: t + "==",
    "signature-in-standard-alphabet": lambda t, _: _std_alphabet(t),
    "signature-non-canonical-last-char": lambda t, _: _non_canonical_tail(t),
    "space-inside-signature": lambda t, _: t[:-20] + " " + t[-20:],
    "tab-inside-signature": lambda t, _: t[:-20] + "\t" + t[-20:],
    "newline-escape-inside-payload": lambda t, _: t.replace(".", ".\\n", 1),
    "header-padded": lambda t, _: ".".join([_segments(t)[0] + "=" * (-len(_segments(t)[0]) % 4 or 4),
                                            *_segments(t)[1:]]),
    "extra-segment": lambda t, _: t + ".e30",
    "trailing-dot": lambda t, _: t + ".",
    "two-segments": lambda t, _: t.rsplit(".", 1)[0],
    "alg-none-no-signature": lambda t, _: _reheader(t, alg="none").rsplit(".", 1)[0] + ".",
    "alg-none-original-signature": lambda t, _: _reheader(t, alg="none"),
    "alg-RS512-header": lambda t, _: _reheader(t, alg="RS512"),
    "hs256-keyed-with-the-public-key": lambda t, jwks: _hs256_keyed_with_public_key(t, jwks),
    "unknown-kid-signed-by-another-key": lambda t, _: _resigned(t, OTHER_KEY, kid="not-a-kid-of-this-pool"),
    "pool-kid-signed-by-another-key": lambda t, _: _resigned(t, OTHER_KEY),
    "payload-changed": lambda t, _: _payload_changed(t),
    "crit-header": lambda t, _: _reheader(t, crit=["exp"]),
}


def _gateway_id(server: Server, token: str) -> bool:
    return call_api(server, "/me", token).status_code == 200


def _gateway_access(server: Server, token: str) -> bool:
    return call_api(server, "/pets", token).status_code == 200


def _get_user(server: Server, token: str) -> bool:
    try:
        cognito_client(server.url).get_user(AccessToken=token)
    except ClientError as err:
        # AccessToken's model pattern [A-Za-z0-9-_=.]+ refuses '+', '/' and whitespace before any token check
        # (InvalidParameterException, as AWS validates it); '=' passes the pattern and must be refused by jws.py.
        assert err.response["Error"]["Code"] in ("NotAuthorizedException", "InvalidParameterException"), err.response
        return False
    return True


def _userinfo(server: Server, token: str) -> bool:
    response = requests.get(f"{server.url}/_domains/{gateway_pool(server, CALLBACK).domain}/oauth2/userInfo",
                            headers={"Authorization": f"Bearer {token}"}, timeout=10)
    assert response.status_code in (200, 401), response.text
    return response.status_code == 200


DOORS: dict[str, tuple[str, Callable[[Server, str], bool]]] = {
    "gateway-id-token": ("id_token", _gateway_id),
    "gateway-access-token": ("access_token", _gateway_access),
    "GetUser": ("access_token", _get_user),
    "userInfo": ("access_token", _userinfo),
}


@pytest.mark.parametrize("door", list(DOORS))
def test_the_real_tokens_pass_every_door(site: tuple[Server, Tokens], door: str) -> None:
    server, tokens = site
    kind, passes = DOORS[door]
    assert passes(server, getattr(tokens, kind))


@pytest.mark.parametrize("door", list(DOORS))
@pytest.mark.parametrize("case", list(CASES))
def test_other_spellings_and_forgeries_are_refused(site: tuple[Server, Tokens], case: str, door: str) -> None:
    server, tokens = site
    kind, passes = DOORS[door]
    original = getattr(tokens, kind)
    forged = CASES[case](original, tokens.jwks)
    assert forged != original
    assert not passes(server, forged), f"{door} accepted {case}"
