"""Shared parts of the hosted UI's pages: the template context, form checks and calls into the JSON API."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from ..awsproto.dispatch import Caller
from ..awsproto.validate import validation_errors
from ..cognito.access import secret_hash
from ..cognito.hosted_ui import find_ui_customization
from ..cognito.passwords import DEFAULT_POLICY
from ..cognito.service import COGNITO
from ..errors import ServiceError
from . import federation
from .authz import AuthorizeRequest
from .site import Site
from .web import Response, render

NOTICES = {
    "confirmed": "Your account is confirmed. Sign in to continue.",
    "reset": "Your password has been changed. Sign in with your new password.",
    "code_sent": "We sent you a new code.",
    "signed_out": "You have signed out.",
}
"""Messages a redirect may ask a page to show (by key, so that nothing in a URL is echoed as text)."""

LABELS = {
    "email": "Email", "phone_number": "Phone number", "name": "Name", "given_name": "Given name",
    "family_name": "Family name", "middle_name": "Middle name", "nickname": "Nickname",
    "preferred_username": "Preferred username", "birthdate": "Date of birth", "address": "Address",
    "gender": "Gender", "locale": "Locale", "zoneinfo": "Time zone", "picture": "Picture URL",
    "profile": "Profile URL", "website": "Website", "updated_at": "Updated at",
}


def label(attribute: str) -> str:
    if attribute in LABELS:
        return LABELS[attribute]
    return attribute.removeprefix("custom:").replace("_", " ").capitalize()


def username_label(site: Site) -> str:
    kinds = site.pool.username_attributes
    if kinds == ["email"]:
        return "Email"
    if kinds == ["phone_number"]:
        return "Phone number"
    if kinds:
        return "Email or phone number"
    return "Username"


def password_hint(site: Site) -> str:
    rules = {**DEFAULT_POLICY, **site.pool.password_policy}
    needs = [what for key, what in (("RequireLowercase", "a lowercase letter"),
                                    ("RequireUppercase", "an uppercase letter"),
                                    ("RequireNumbers", "a number"), ("RequireSymbols", "a symbol")) if rules[key]]
    text = f"At least {int(rules['MinimumLength'])} characters"
    if not needs:
        return f"{text}."
    listed = needs[0] if len(needs) == 1 else f"{', '.join(needs[:-1])} and {needs[-1]}"
    return f"{text}, with {listed}."


def page_url(site: Site, page: str, request: AuthorizeRequest, **extra: str) -> str:
    return f"{site.url(page)}?{urlencode({**request.params, **extra})}"


async def render_page(site: Site, template: str, title: str, request: AuthorizeRequest | None, *,
                      status: int = 200, **context: Any) -> Response:
    client_id = request.client.client_id if request else None
    custom_css = logo = None
    async with site.services.db.read() as conn:
        row = await find_ui_customization(conn, site.pool.id, client_id)
    if row is not None:
        ref = urlencode({"client_id": row["client_id"], "v": int(row["modified"])})
        custom_css = ref if row["css"] else None
        logo = ref if row["image"] is not None else None
    notice = NOTICES.get(site.query().get("notice", ""))
    base_context: dict[str, Any] = {
        "pool_name": site.pool.name, "base": site.base, "title": title, "custom_css": custom_css, "logo": logo,
        "notice": notice, "errors": {}, "values": {}, "error": None, "username_label": username_label(site),
        "password_hint": password_hint(site),
        "action": f"{site.request.path}?{site.request.query_string}" if site.request.query_string
        else site.request.path,
    }
    if request is not None:
        base_context["csrf"] = await site.csrf_field()
        allow_signup = not (site.pool.config.get("AdminCreateUserConfig") or {}).get("AllowAdminCreateUserOnly")
        base_context["links"] = {"login": page_url(site, "login", request),
                                 "signup": page_url(site, "signup", request) if allow_signup else None,
                                 "forgot": page_url(site, "forgotPassword", request)}
    if request is not None and template == "login.html":  # the providers' buttons (issue 16)
        base_context["providers"] = await federation.buttons(site, request)
        base_context["password_login"] = "COGNITO" in (request.client.config.get("SupportedIdentityProviders") or [])
    base_context.update(context)
    return site.finish(render(template, status, **base_context))


async def call_operation(site: Site, request: AuthorizeRequest, name: str, params: dict[str, Any],
                         username: str | None = None) -> dict[str, Any]:
    """Run a cognito-idp operation for the hosted UI, as the app client would over the JSON API."""
    client = request.client
    params = {"ClientId": client.client_id, **params}
    if client.secret and username is not None:
        params["SecretHash"] = secret_hash(client.secret, username, client.client_id)
    operation = COGNITO.operations[name]
    problem = validation_errors(operation.model.input_shape, params)
    if problem:
        raise ServiceError("InvalidParameterException", problem)
    caller = Caller(region=site.pool.region, account=site.pool.account, signed=False, access_key=None,
                    source_ip=site.request.client_ip, request_id=site.services.ids.uuid())
    return await operation.handler(site.services, caller, params)


def plain_password_problem(message: str) -> str:
    """Cognito's policy message in plain words: 'Password not long enough' → 'Password not long enough.'"""
    text = message.removeprefix("Password did not conform with policy: ").strip()
    return text if text.endswith(".") else f"{text}."
