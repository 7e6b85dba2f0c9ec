"""``/login`` and ``/logout``: the sign-in form, the session cookie, and sign-out back to a LogoutURL."""

from __future__ import annotations

from urllib.parse import urlencode

from ..cognito import repo
from ..cognito.delivery import send_code
from ..cognito.signin.errors import SignInError
from ..cognito.signin.first_factor import password_factor
from ..errors import ServiceError
from . import challenge
from .authz import AuthorizeRequest, validate, validated_client
from .pages import page_url, render_page
from .refusals import password_refusal
from .site import PageError, Site
from .web import Response, redirect


async def login(site: Site) -> Response:
    request = await validate(site, site.query())
    if site.request.method != "POST":
        return await render_page(site, "login.html", "Sign in with your username and password", request)
    form = site.request.form()
    values = {"username": form.get("username", "").strip()}
    if not await site.csrf_ok(form):
        return await _again(site, request, values, error="This page expired. Please sign in again.")
    if form.get("challenge"):
        return await challenge.answer(site, request, form)
    if "COGNITO" not in (request.client.config.get("SupportedIdentityProviders") or []):
        return await _again(site, request, values, error="This app signs in through its identity providers only.")
    errors = {}
    if not values["username"]:
        errors["username"] = "Enter your username."
    if not form.get("password"):
        errors["password"] = "Enter your password."
    if errors:
        return await _again(site, request, values, errors=errors)
    return await _sign_in(site, request, values["username"], form["password"], values)


async def _again(site: Site, request: AuthorizeRequest, values: dict[str, str], *, error: str | None = None,
                 errors: dict[str, str] | None = None) -> Response:
    return await render_page(site, "login.html", "Sign in with your username and password", request,
                             status=400, values=values, error=error, errors=errors or {})


async def _sign_in(site: Site, request: AuthorizeRequest, username: str, password: str,
                   values: dict[str, str]) -> Response:
    services = site.services
    found = await repo.find_signing_in_user(services.db, site.pool, username)
    try:  # InitiateAuth's first factor: UserMigration for an unknown name, PreAuthentication, the password
        user = await password_factor(services, site.pool, request.client, username, password, found)
    except SignInError as err:
        return await _again(site, request, values, error=password_refusal(err.reason))
    except ServiceError as err:  # a trigger refused: its message, as the JSON API answers
        return await _again(site, request, values, error=err.message)
    if user.status == "UNCONFIRMED":
        async with services.db.begin() as conn:
            await send_code(conn, services, site.pool, user, "signup", verified_only=False)
        return redirect(page_url(site, "confirmUser", request, username=username, notice="code_sent"))
    if user.status == "RESET_REQUIRED":
        return redirect(page_url(site, "forgotPassword", request, username=username))
    if user.status not in ("CONFIRMED", "FORCE_CHANGE_PASSWORD"):
        return await _again(site, request, values, error="This account cannot sign in. Ask your administrator.")
    return await challenge.after_password(site, request, user)


async def logout(site: Site) -> Response:
    """``GET /logout``: with ``logout_uri`` (one of LogoutURLs) or ``redirect_uri`` + ``response_type``."""
    query = site.query()
    client = await site.client(query.get("client_id"))
    if client is None:
        raise PageError("invalid_request", "The request has no valid client_id.")
    logout_uri = query.get("logout_uri")
    if logout_uri:
        if logout_uri not in (client.config.get("LogoutURLs") or []):
            raise PageError("invalid_request", "The logout_uri is not one of the sign-out URLs registered for "
                                               "this app client.")
        site.end_session()
        return site.finish(redirect(logout_uri))
    if query.get("redirect_uri"):
        await validated_client(site, query)
        site.end_session()
        request = await validate(site, query)
        return site.finish(redirect(f"{site.url('login')}?{urlencode({**request.params, 'notice': 'signed_out'})}"))
    raise PageError("invalid_request", "The request has neither a logout_uri nor a redirect_uri.")
