"""``/oauth2/authorize`` parameters: validated once, carried through the pages, completed with a code or tokens.

Cognito's rules: an unknown client gets an error page; a redirect_uri that is not exactly one of the client's
CallbackURLs is sent to the domain's ``/error?error=redirect_mismatch&client_id=…`` page; every other problem is
``302 {redirect_uri}?error=…`` (``#error=…`` for the implicit grant).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from ..cognito.domain import Client, User
from ..cognito.hosted_ui import custom_scopes
from ..cognito.signin import issuer
from ..cognito.tokens import Issued, Session, token_hash
from ..store.sql.tables import oauth_codes
from .site import ErrorPageRedirect, PageError, Site
from .web import Response, redirect, with_params

CODE_SECONDS = 300
RESERVED_SCOPES = ("openid", "email", "phone", "profile", "aws.cognito.signin.user.admin")
OAUTH_PARAMS = ("client_id", "redirect_uri", "response_type", "state", "scope", "nonce", "code_challenge",
                "code_challenge_method", "identity_provider", "idp_identifier", "lang")
"""Query parameters that travel from ``/oauth2/authorize`` through the sign-in pages."""
_PKCE_CHALLENGE = re.compile(r"^[A-Za-z0-9\-._~]{43,128}$")
_REDIRECT_MISMATCH = "The redirect_uri is not one of the callback URLs registered for this app client."
ERROR_PAGES = {"redirect_mismatch": _REDIRECT_MISMATCH}
"""What ``/error?error=…`` says for each code poolgate sends there (by key: nothing in the URL is echoed)."""


class RedirectError(Exception):
    """An authorize error reported to a redirect URI that has been validated against CallbackURLs: in its query,
    or in its fragment for the implicit grant (RFC 6749 §4.2.2.1)."""

    def __init__(self, error: str, redirect_uri: str, state: str | None, description: str | None = None, *,
                 fragment: bool = False) -> None:
        super().__init__(error)
        self.error = error
        self.redirect_uri = redirect_uri
        self.state = state
        self.description = description
        self.fragment = fragment

    def response(self) -> Response:
        # capture: Cognito orders the parameters error_description, state, error, e.g.
        # `?error_description=invalid_scope&state=…&error=invalid_request` (captures:
        # mlops-club/awscdk-minecraft#40, aws-samples/cloudfront-authorization-at-edge#82).
        params: dict[str, str] = {}
        if self.description:
            params["error_description"] = self.description
        if self.state is not None:
            params["state"] = self.state
        params["error"] = self.error
        return redirect(with_params(self.redirect_uri, params, fragment=self.fragment))


@dataclass(slots=True)
class AuthorizeRequest:
    client: Client
    redirect_uri: str
    response_type: str
    state: str | None
    scopes: list[str]
    nonce: str | None
    code_challenge: str | None
    code_challenge_method: str | None
    params: dict[str, str]

    def fail(self, error: str, description: str | None = None) -> RedirectError:
        # capture: for response_type=token Cognito puts the error in the fragment,
        # `callback#error_description=invalid_scope&error=invalid_request` (a Location header
        # captured from a live pool). Only for exactly "token": an unknown response_type gets its error in the query.
        return RedirectError(error, self.redirect_uri, self.state, description,
                             fragment=self.response_type == "token")


def carried(query: dict[str, str]) -> dict[str, str]:
    return {k: v for k, v in query.items() if k in OAUTH_PARAMS}


def oauth_enabled(client: Client) -> bool:
    return bool(client.config.get("AllowedOAuthFlowsUserPoolClient"))


async def validated_client(site: Site, query: dict[str, str]) -> tuple[Client, str]:
    """The client and its validated redirect URI, or a PageError or ErrorPageRedirect: nothing here may redirect
    to the redirect URI."""
    client_id = query.get("client_id")
    if not client_id:
        raise PageError("invalid_request", "The request has no client_id.")
    client = await site.client(client_id)
    if client is None:
        raise PageError("invalid_request", f"There is no app client {client_id} in this user pool.")
    redirect_uri = query.get("redirect_uri")
    if not redirect_uri:
        raise PageError("redirect_mismatch", _REDIRECT_MISMATCH)
    if redirect_uri not in (client.config.get("CallbackURLs") or []):
        # capture: Cognito answers 302 {domain}/error?error=redirect_mismatch&client_id=…, and that page is the
        # 400 "An error was encountered with the requested page." (captures:
        # aws/aws-aspnet-cognito-identity-provider#167, aws-samples/iam-identity-center-team#437).
        raise ErrorPageRedirect("redirect_mismatch", client.client_id)
    return client, redirect_uri


async def error_page(site: Site) -> Response:
    """``GET /error``: the domain's 400 error page, where an untrusted authorize request is sent."""
    code = site.query().get("error", "")
    if code in ERROR_PAGES:
        raise PageError(code, ERROR_PAGES[code])
    raise PageError("invalid_request", "The request could not be completed.")


async def validate(site: Site, query: dict[str, str]) -> AuthorizeRequest:
    client, redirect_uri = await validated_client(site, query)
    state = query.get("state")
    request = AuthorizeRequest(client, redirect_uri, query.get("response_type", ""), state, [],
                               query.get("nonce") or None, query.get("code_challenge") or None,
                               query.get("code_challenge_method") or None, carried(query))
    if not oauth_enabled(client):
        raise request.fail("unauthorized_client")
    if request.response_type not in ("code", "token"):
        raise request.fail("invalid_request")
    flows = client.config.get("AllowedOAuthFlows") or []
    if ("code" if request.response_type == "code" else "implicit") not in flows:
        raise request.fail("unauthorized_client")
    providers = client.config.get("SupportedIdentityProviders") or []
    provider = query.get("identity_provider")
    if provider and provider not in providers:
        raise request.fail("invalid_request", f"{provider} is not an identity provider of this app client.")
    if not providers:
        raise request.fail("unauthorized_client", "The app client has no identity provider.")
    if request.code_challenge or request.code_challenge_method:
        # AWS quirk: of RFC 7636's methods, Cognito accepts only S256.
        if request.code_challenge_method != "S256" or not _PKCE_CHALLENGE.match(request.code_challenge or ""):
            raise request.fail("invalid_request")
        if request.response_type != "code":
            raise request.fail("invalid_request")
    request.scopes = await _scopes(site, client, query.get("scope"), request)
    return request


async def _scopes(site: Site, client: Client, requested: str | None, request: AuthorizeRequest) -> list[str]:
    allowed = list(client.config.get("AllowedOAuthScopes") or [])
    async with site.services.db.read() as conn:
        defined = await custom_scopes(conn, site.pool.id)
    usable = [s for s in allowed if s in RESERVED_SCOPES or s in defined]
    wanted = requested.split() if requested and requested.strip() else usable
    if not wanted or any(s not in usable for s in wanted):
        raise _invalid_scope(request)
    if "openid" not in wanted and any(s in ("email", "phone", "profile") for s in wanted):
        raise _invalid_scope(request)
    return list(dict.fromkeys(wanted))


def _invalid_scope(request: AuthorizeRequest) -> RedirectError:
    # capture: Cognito refuses a scope with error=invalid_request and error_description=invalid_scope, not the
    # Developer Guide's error=invalid_scope (captures: mlops-club/awscdk-minecraft#40,
    # aws-samples/cloudfront-authorization-at-edge#82).
    return request.fail("invalid_request", "invalid_scope")


async def mint_tokens(site: Site, client: Client, user: User, session: Session, *, include_id: bool,
                      source: str = "TokenGeneration_HostedAuth") -> Issued:
    """Mint a token set for the hosted UI / token endpoint after the PreTokenGeneration trigger, as the JSON
    API's sign-in does (CogDG user-pool-lambda-pre-token-generation: ``TokenGeneration_HostedAuth``)."""
    return await issuer.mint(site.services, site.pool, client, user, session, source, include_id=include_id)


async def complete(site: Site, request: AuthorizeRequest, user: User, auth_time: int) -> Response:
    """Send the signed-in user back to the client with a code (code grant) or tokens (implicit grant)."""
    services = site.services
    now = services.clock.now()
    if request.response_type == "code":
        code = services.ids.uuid()
        async with services.db.begin() as conn:
            await conn.execute(oauth_codes.insert().values(
                code_hash=token_hash(code), pool_id=site.pool.id, client_id=request.client.client_id,
                username=user.username, redirect_uri=request.redirect_uri, scopes=request.scopes,
                nonce=request.nonce, code_challenge=request.code_challenge,
                code_challenge_method=request.code_challenge_method, auth_time=float(auth_time),
                expires=now + CODE_SECONDS))
        params = {"code": code}
        if request.state is not None:
            params["state"] = request.state
        return redirect(with_params(request.redirect_uri, params))
    session = Session(origin_jti=services.ids.uuid(), auth_time=auth_time, event_id=services.ids.uuid(),
                      scopes=request.scopes, oauth=True, nonce=request.nonce)
    with_id = "openid" in request.scopes
    issued = await mint_tokens(site, request.client, user, session, include_id=with_id)
    fragment: dict[str, Any] = {}
    if with_id:
        fragment["id_token"] = issued.id_token
    fragment.update({"access_token": issued.access_token, "token_type": "bearer",
                     "expires_in": str(issued.expires_in)})
    if request.state is not None:
        fragment["state"] = request.state
    return redirect(with_params(request.redirect_uri, fragment, fragment=True))


async def authorize(site: Site) -> Response:
    """``GET /oauth2/authorize``: a signed-in session completes at once; otherwise on to ``/login``."""
    query = site.query()
    request = await validate(site, query)
    signed_in = await site.session_user()
    if signed_in is not None:
        return await complete(site, request, *signed_in)
    return redirect(f"{site.url('login')}?{urlencode(request.params)}")
