"""The hosted UI federates: "Sign in with <ProviderName>" buttons, ``/oauth2/authorize`` with
``identity_provider=`` or ``idp_identifier=`` (straight to the provider, as Cognito does: Developer Guide, authorize
endpoint), and ``/oauth2/idpresponse``, where the provider sends the browser back.

The trip to the provider is an authorization-code flow with ``state``, PKCE (S256) and ``nonce``. What the return
needs (state, verifier, nonce, provider, the app's authorize parameters) travels in a sealed, HttpOnly cookie of
this domain, never in the URL: a ``state`` that is not the one this browser's cookie holds is refused, so a code
cannot be planted in another browser (RFC 6749 §10.12). The app's client and redirect URI are validated again on
the way back (no open redirects), and the app then gets a code exactly as after a password sign-in
(``authz.complete``); its tokens are minted by the one issuer at the token endpoint.
"""

from __future__ import annotations

import base64
import hashlib
import logging
from typing import Any
from urllib.parse import urlencode

from ..cognito.domain import Client
from ..cognito.federation import links
from ..cognito.federation.providers import IdentityProvider, find_provider, list_providers, provider_by_identifier
from ..compare import same_secret
from ..errors import ServiceError
from . import authz, idp_client
from .authz import AuthorizeRequest, validate
from .site import PageError, Site
from .web import Response, redirect, set_cookie, with_params

log = logging.getLogger("poolgate.oauth.federation")

STATE_COOKIE = "cognito-idp-state"
STATE_SECONDS = 600
_SEAL = "idp-state"
_RFC_ERRORS = frozenset({"access_denied", "invalid_request", "unauthorized_client", "unsupported_response_type",
                         "invalid_scope", "server_error", "temporarily_unavailable"})


def callback_url(site: Site) -> str:
    """This domain's ``/oauth2/idpresponse``, the redirect URI registered with the provider (Cognito's is
    ``https://{domain}/oauth2/idpresponse``)."""
    if site.base:
        return f"{site.services.settings.base_url}{site.base}/oauth2/idpresponse"
    return f"{'https' if site.secure else 'http'}://{site.request.host}/oauth2/idpresponse"


async def supported_providers(site: Site, client: Client) -> list[IdentityProvider]:
    """The pool's providers the client lists in SupportedIdentityProviders, in the client's order."""
    names = [n for n in client.config.get("SupportedIdentityProviders") or [] if n != "COGNITO"]
    if not names:
        return []
    async with site.services.db.read() as conn:
        known = {p.name: p for p in await list_providers(conn, site.pool.id)}
    return [known[n] for n in names if n in known]


async def buttons(site: Site, request: AuthorizeRequest) -> list[dict[str, str]]:
    """One "Sign in with <ProviderName>" button per provider of the client: a link to ``/oauth2/authorize``
    with ``identity_provider``."""
    params = {k: v for k, v in request.params.items() if k not in ("identity_provider", "idp_identifier")}
    page = site.url("oauth2/authorize")
    return [{"name": p.name, "url": f"{page}?{urlencode({**params, 'identity_provider': p.name})}"}
            for p in await supported_providers(site, request.client)]


async def authorize(site: Site) -> Response:
    """``GET /oauth2/authorize``: with a provider named, straight to it; otherwise the usual way."""
    query = site.query()
    wanted, identifier = query.get("identity_provider"), query.get("idp_identifier")
    if (not wanted or wanted == "COGNITO") and not identifier:
        return await authz.authorize(site)
    request = await validate(site, query)
    async with site.services.db.read() as conn:
        provider = await (find_provider(conn, site.pool.id, wanted) if wanted
                          else provider_by_identifier(conn, site.pool.id, identifier or ""))
    supported = request.client.config.get("SupportedIdentityProviders") or []
    if provider is None or provider.name not in supported:
        raise request.fail("invalid_request", "No identity provider of this app client matches the request.")
    return await _start(site, request, provider)


async def _start(site: Site, request: AuthorizeRequest, provider: IdentityProvider) -> Response:
    if provider.type == "SAML":
        raise request.fail("unauthorized_client", "poolgate does not sign in through SAML providers.")
    try:
        where = await idp_client.endpoints(provider)
    except idp_client.IdpError as err:
        log.warning("identity provider %s of pool %s: %s", provider.name, site.pool.id, err.reason)
        raise PageError("invalid_request", f"Signing in with {provider.name} is not possible now: {err.reason}.",
                        502) from None
    services = site.services
    state, verifier, nonce = services.ids.token(32), services.ids.token(48), services.ids.token(32)
    sealed = await site.signer.seal(_SEAL, {"s": state, "v": verifier, "n": nonce, "p": provider.name,
                                            "q": request.params, "e": services.clock.now() + STATE_SECONDS})
    site.set_cookies.append(set_cookie(STATE_COOKIE, sealed, site.cookie_path, STATE_SECONDS, site.secure))
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    params = {"client_id": provider.details["client_id"], "redirect_uri": callback_url(site),
              "response_type": "code", "scope": " ".join(provider.scopes), "state": state, "nonce": nonce,
              "code_challenge": challenge, "code_challenge_method": "S256"}
    return site.finish(redirect(with_params(where.authorize_url, params)))


def _expired() -> PageError:
    return PageError("invalid_request", "This sign-in expired or was started in another browser. Please sign in "
                                        "again.")


async def idp_response(site: Site) -> Response:
    """``GET /oauth2/idpresponse``: the provider's answer → the user signed in → the app's callback."""
    query = site.query()
    payload = await site.signer.unseal(_SEAL, site.cookies.get(STATE_COOKIE))
    site.set_cookies.append(set_cookie(STATE_COOKIE, "", site.cookie_path, 0, site.secure))  # single use
    now = site.services.clock.now()
    if (payload is None or not isinstance(payload.get("e"), int | float) or payload["e"] <= now
            or not same_secret(query.get("state"), str(payload.get("s", "")))):
        raise _expired()
    carried = payload.get("q")
    if not isinstance(carried, dict) or not all(isinstance(v, str) for v in carried.values()):
        raise _expired()
    request = await validate(site, carried)  # the app's client and redirect URI, checked again
    async with site.services.db.read() as conn:
        provider = await find_provider(conn, site.pool.id, str(payload.get("p")))
    if provider is None or provider.name not in (request.client.config.get("SupportedIdentityProviders") or []):
        raise request.fail("invalid_request", "The identity provider is no longer available to this app client.")
    if query.get("error"):
        raise request.fail(query["error"] if query["error"] in _RFC_ERRORS else "server_error")
    code = query.get("code")
    if not code:
        raise request.fail("invalid_request")
    claims = await _claims(site, provider, code, str(payload.get("v", "")), str(payload.get("n", "")), now)
    subject = claims.get(provider.subject_claim)
    if isinstance(subject, int) and not isinstance(subject, bool):
        subject = str(subject)
    if not isinstance(subject, str) or not subject or len(subject) > 126 - len(provider.name):
        raise PageError("invalid_request", f"Signing in with {provider.name} failed: the provider named no user.")
    try:
        user = await links.sign_in(site.services, site.pool, provider, subject, mapped_attributes(provider, claims))
    except ServiceError as err:
        raise PageError("invalid_request", f"Signing in with {provider.name} failed: {err.message}") from None
    if not user.enabled:
        raise request.fail("invalid_request", "User is disabled.")
    return site.finish(await authz.complete(site, request, user, int(now)))


async def _claims(site: Site, provider: IdentityProvider, code: str, verifier: str, nonce: str,
                  now: float) -> dict[str, Any]:
    """What the provider says about the user: its verified ID token's claims, with its attributes endpoint's
    answer beneath them (whose ``sub`` must agree, OIDC Core §5.3.2)."""
    try:
        where = await idp_client.endpoints(provider)
        answer = await idp_client.exchange_code(provider, where, code, callback_url(site), verifier)
        claims: dict[str, Any] = {}
        id_token = answer.get("id_token")
        if isinstance(id_token, str):
            claims = await idp_client.verified_id_token(provider, where, id_token, nonce, now)
        elif provider.type in ("OIDC", "Google", "SignInWithApple"):
            raise idp_client.IdpError("the provider sent no ID token")
        extra = await idp_client.user_attributes(provider, where, answer["access_token"])
        if "sub" in claims and "sub" in extra and extra["sub"] != claims["sub"]:
            raise idp_client.IdpError("the attributes endpoint describes another user")
    except idp_client.IdpError as err:
        log.warning("identity provider %s of pool %s: %s", provider.name, site.pool.id, err.reason)
        raise PageError("invalid_request", f"Signing in with {provider.name} failed: {err.reason}.") from None
    return {**extra, **claims}


def mapped_attributes(provider: IdentityProvider, claims: dict[str, Any]) -> dict[str, str]:
    """The pool's attributes from the provider's claims by AttributeMapping (pool attribute → provider
    attribute); booleans as "true"/"false", as Cognito stores them."""
    out: dict[str, str] = {}
    for attribute, claim in provider.attribute_mapping.items():
        if attribute == "username" or claim not in claims or claims[claim] is None:
            continue
        value = claims[claim]
        out[attribute] = ("true" if value else "false") if isinstance(value, bool) else str(value)
    return out
