"""Poolgate as the relying party of an identity provider: discovery, the code exchange, the provider's JWKS and
ID token, and its userinfo endpoint (OpenID Connect Core 1.0 §3.1.3, Discovery 1.0 §4).

The ID token is read by ``cognito/jws.py``'s strict reader (RS256 only, never the token's ``alg``; one spelling)
with the provider's key by ``kid``; then ``iss`` must be the provider's issuer, ``aud`` hold our client id (and
``azp`` be it when there are several), ``exp`` lie ahead, ``iat`` not in the future, and ``nonce`` be the one this
browser's sign-in sent. Any failure is an ``IdpError``; what it says is for logs and the error page, never a token.
"""

from __future__ import annotations

import base64
import json
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import aiohttp

from ..cognito import jws
from ..cognito.federation.providers import IdentityProvider

TIMEOUT = aiohttp.ClientTimeout(total=10)
MAX_DOCUMENT = 1 << 20
"""A provider's answer larger than this (1 MiB) is refused."""
CACHE_SECONDS = 300.0
LEEWAY = 60
"""Seconds of clock skew allowed for ``exp`` and ``iat``."""


class IdpError(Exception):
    """The provider's answer cannot be used; ``reason`` says why (short, no secrets)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True, slots=True)
class Endpoints:
    issuer: str | None
    authorize_url: str
    token_url: str
    attributes_url: str | None
    jwks_uri: str | None


_DISCOVERED: dict[str, tuple[float, dict[str, Any]]] = {}
_JWKS: dict[str, tuple[float, list[dict[str, Any]]]] = {}


async def _request(method: str, url: str, *, data: dict[str, str] | None = None,
                   headers: dict[str, str] | None = None) -> Any:
    try:
        async with aiohttp.ClientSession(timeout=TIMEOUT, cookie_jar=aiohttp.DummyCookieJar()) as session, \
                session.request(method, url, data=data, headers={"accept": "application/json", **(headers or {})},
                                allow_redirects=False) as response:
            body = await response.content.read(MAX_DOCUMENT + 1)
            status = response.status
    except (aiohttp.ClientError, TimeoutError, ValueError) as exc:
        raise IdpError(f"{url} could not be reached ({type(exc).__name__})") from None
    if len(body) > MAX_DOCUMENT:
        raise IdpError(f"{url} answered more than {MAX_DOCUMENT} bytes")
    if status != 200:
        raise IdpError(f"{url} answered HTTP {status}")
    try:
        return json.loads(body)
    except ValueError:
        raise IdpError(f"{url} did not answer JSON") from None


async def _discovery(issuer: str) -> dict[str, Any]:
    cached = _DISCOVERED.get(issuer)
    if cached is not None and cached[0] > time.monotonic():
        return cached[1]
    document = await _request("GET", f"{issuer.rstrip('/')}/.well-known/openid-configuration")
    if not isinstance(document, dict) or document.get("issuer") != issuer:
        # Discovery 1.0 §4.3: the issuer in the document must be the one it was fetched for
        raise IdpError("the discovery document names another issuer")
    _DISCOVERED[issuer] = (time.monotonic() + CACHE_SECONDS, document)
    return document


async def endpoints(provider: IdentityProvider) -> Endpoints:
    """The provider's endpoints: its ProviderDetails' own, else discovered at ``oidc_issuer``."""
    details = provider.details
    issuer = details.get("oidc_issuer")
    found: dict[str, Any] = {}
    if issuer and not all(details.get(k) for k in ("authorize_url", "token_url", "jwks_uri")):
        document = await _discovery(issuer)
        found = {"authorize_url": document.get("authorization_endpoint"), "token_url": document.get("token_endpoint"),
                 "attributes_url": document.get("userinfo_endpoint"), "jwks_uri": document.get("jwks_uri")}

    def pick(key: str) -> str | None:
        value = details.get(key) or found.get(key)
        return value if isinstance(value, str) and value.startswith(("https://", "http://")) else None

    authorize_url, token_url = pick("authorize_url"), pick("token_url")
    if authorize_url is None or token_url is None:
        raise IdpError("the provider has no authorize or token endpoint")
    return Endpoints(issuer, authorize_url, token_url, pick("attributes_url"), pick("jwks_uri"))


async def exchange_code(provider: IdentityProvider, where: Endpoints, code: str, redirect_uri: str,
                        verifier: str) -> dict[str, Any]:
    """The token endpoint's answer to our authorization code (client_secret_basic when the provider has a
    secret, RFC 6749 §2.3.1; PKCE's verifier, RFC 7636 §4.5)."""
    form = {"grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri,
            "client_id": provider.details["client_id"], "code_verifier": verifier}
    headers = {}
    secret = provider.details.get("client_secret")
    if secret:
        pair = f"{_form_encode(provider.details['client_id'])}:{_form_encode(secret)}".encode()
        headers["authorization"] = f"Basic {base64.b64encode(pair).decode()}"
    if provider.details.get("token_request_method") == "GET":
        answer = await _request("GET", f"{where.token_url}{'&' if '?' in where.token_url else '?'}"
                                       f"{urlencode({**form, **({'client_secret': secret} if secret else {})})}")
    else:
        answer = await _request("POST", where.token_url, data=form, headers=headers)
    if not isinstance(answer, dict) or not isinstance(answer.get("access_token"), str):
        raise IdpError("the token endpoint answered no access token")
    return answer


def _form_encode(value: str) -> str:
    return urlencode({"": value})[1:]


async def _keys(jwks_uri: str, refresh: bool) -> list[dict[str, Any]]:
    cached = _JWKS.get(jwks_uri)
    if cached is not None and cached[0] > time.monotonic() and not refresh:
        return cached[1]
    document = await _request("GET", jwks_uri)
    keys = document.get("keys") if isinstance(document, dict) else None
    if not isinstance(keys, list):
        raise IdpError("the JWKS has no keys")
    found = [k for k in keys if isinstance(k, dict)]
    _JWKS[jwks_uri] = (time.monotonic() + CACHE_SECONDS, found)
    return found


async def verified_id_token(provider: IdentityProvider, where: Endpoints, token: str, nonce: str,
                            now: float) -> dict[str, Any]:
    """The claims of the provider's ID token, checked as this module's docstring says."""
    if where.jwks_uri is None:
        raise IdpError("the provider has no jwks_uri")
    try:
        parsed = jws.parse(token)
        keys = [k for k in await _keys(where.jwks_uri, False) if k.get("kid") == parsed.kid]
        if not keys:  # a rotated key: read the JWKS again (at most every time an unknown kid comes)
            keys = [k for k in await _keys(where.jwks_uri, True) if k.get("kid") == parsed.kid]
        if not keys:
            raise IdpError("the ID token's key is not in the provider's JWKS")
        jws.check_signature(parsed, jws.public_key(keys[0]))
    except jws.InvalidToken as err:
        raise IdpError(f"the ID token is not valid ({err.reason})") from None
    claims = parsed.claims
    client_id = provider.details["client_id"]
    audience = claims.get("aud")
    audiences = audience if isinstance(audience, list) else [audience]
    if where.issuer is not None and claims.get("iss") != where.issuer:
        raise IdpError("the ID token's issuer is not the provider's")
    if client_id not in audiences or (len(audiences) > 1 and claims.get("azp") != client_id):
        raise IdpError("the ID token is not for this client")
    exp, iat = claims.get("exp"), claims.get("iat")
    if not isinstance(exp, int | float) or isinstance(exp, bool) or exp + LEEWAY <= now:
        raise IdpError("the ID token has expired")
    if iat is not None and (not _number(iat) or iat > now + LEEWAY):
        raise IdpError("the ID token was issued in the future")
    if claims.get("nonce") != nonce:
        raise IdpError("the ID token's nonce is not this sign-in's")
    return claims


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


async def user_attributes(provider: IdentityProvider, where: Endpoints, access_token: str) -> dict[str, Any]:
    """The userinfo / attributes endpoint's answer (attributes_request_method GET or POST)."""
    if where.attributes_url is None:
        return {}
    method = provider.details.get("attributes_request_method", "GET")
    headers = {"authorization": f"Bearer {access_token}"}
    answer = await _request("POST" if method == "POST" else "GET", where.attributes_url, headers=headers,
                            data={} if method == "POST" else None)
    if not isinstance(answer, dict):
        raise IdpError("the attributes endpoint did not answer a JSON object")
    return answer
