"""``/signup``, ``/confirmUser``, ``/forgotPassword`` and ``/confirmForgotPassword``: forms over the JSON API's
SignUp, ConfirmSignUp, ResendConfirmationCode, ForgotPassword and ConfirmForgotPassword operations."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from ..cognito.schema import required_attributes
from ..errors import ServiceError
from .authz import AuthorizeRequest, validate
from .pages import call_operation, label, page_url, plain_password_problem, render_page
from .site import Site
from .web import Response, redirect

_REQUIRED_MISSING = re.compile(r"([\w:]+): The attribute is required")


@dataclass(frozen=True, slots=True)
class AttributeField:
    name: str
    label: str
    type: str = "text"
    autocomplete: str = "off"
    hint: str | None = None


_KINDS: dict[str, tuple[str, str, str | None]] = {
    "email": ("email", "email", None),
    "phone_number": ("tel", "tel", "Include the country code, for example +14155550100."),
    "birthdate": ("text", "bday", "As YYYY-MM-DD."),
    "name": ("text", "name", None), "given_name": ("text", "given-name", None),
    "family_name": ("text", "family-name", None), "address": ("text", "street-address", None),
}


def attribute_field(name: str) -> AttributeField:
    """The form field that asks for attribute ``name``."""
    kind, autocomplete, hint = _KINDS.get(name, ("text", "off", None))
    return AttributeField(name, label(name), kind, autocomplete, hint)


def signup_fields(site: Site) -> list[AttributeField]:
    """The pool's required attributes, plus those it verifies, minus the one that is the username."""
    pool = site.pool
    names = [*required_attributes(pool.config), *pool.auto_verified]
    return [attribute_field(name) for name in dict.fromkeys(names) if name not in pool.username_attributes]


async def _page(site: Site, template: str, title: str, request: AuthorizeRequest, *, values: dict[str, str],
                errors: dict[str, str] | None = None, error: str | None = None, status: int = 400,
                **extra: Any) -> Response:
    return await render_page(site, template, title, request, status=status, values=values, errors=errors or {},
                             error=error, **extra)


def _field_errors(err: ServiceError, fields: list[str]) -> tuple[dict[str, str], str | None]:
    """Cognito's error as plain words next to the field it is about (or above the form)."""
    message = err.message
    if err.code == "InvalidPasswordException":
        return {"password": plain_password_problem(message)}, None
    if err.code == "UsernameExistsException":
        for name in ("email", "phone_number"):
            if f"given {name}" in message and name in fields:
                return {name: f"An account with this {label(name).lower()} already exists."}, None
        return {"username": "An account with this username already exists."}, None
    if err.code == "CodeMismatchException":
        return {"code": "That code is not right. Check it and try again."}, None
    if err.code == "ExpiredCodeException":
        return {"code": "That code has expired. Ask for a new code."}, None
    if err.code == "UserNotFoundException":
        return {"username": "We could not find an account with that username."}, None
    missing = _REQUIRED_MISSING.findall(message)
    if missing:
        return {m: f"Enter your {label(m).lower()}." for m in missing if m in fields}, None
    if "Username should be" in message:
        return {"username": message}, None
    return {}, message


async def signup(site: Site) -> Response:
    request = await validate(site, site.query())
    fields = signup_fields(site)
    title = "Sign up with a new account"
    if (site.pool.config.get("AdminCreateUserConfig") or {}).get("AllowAdminCreateUserOnly"):
        return await _page(site, "login.html", "Sign in with your username and password", request, values={},
                           error="Only an administrator can create accounts in this user pool.")
    if site.request.method != "POST":
        return await render_page(site, "signup.html", title, request, attributes=fields)
    form = site.request.form()
    values = {k: v.strip() for k, v in form.items() if k not in ("password", "_csrf")}
    if not await site.csrf_ok(form):
        return await _page(site, "signup.html", title, request, values=values, attributes=fields,
                           error="This page expired. Please try again.")
    errors = {}
    if not values.get("username"):
        errors["username"] = "Enter a username." if not site.pool.username_attributes else \
            f"Enter your {label(site.pool.username_attributes[0]).lower()}."
    if not form.get("password"):
        errors["password"] = "Enter a password."
    for f in fields:
        if not values.get(f.name) and f.name in required_attributes(site.pool.config):
            errors[f.name] = f"Enter your {f.label.lower()}."
    if errors:
        return await _page(site, "signup.html", title, request, values=values, errors=errors, attributes=fields)
    attributes = [{"Name": f.name, "Value": values[f.name]} for f in fields if values.get(f.name)]
    try:
        await call_operation(site, request, "SignUp", {"Username": values["username"], "Password": form["password"],
                                                       "UserAttributes": attributes}, values["username"])
    except ServiceError as err:
        field_errors, error = _field_errors(err, ["username", "password", *(f.name for f in fields)])
        return await _page(site, "signup.html", title, request, values=values, errors=field_errors, error=error,
                           attributes=fields)
    return redirect(page_url(site, "confirmUser", request, username=values["username"]))


async def confirm_user(site: Site) -> Response:
    request = await validate(site, site.query())
    title = "Confirm your account"
    query_username = site.query().get("username", "")
    if site.request.method != "POST":
        return await render_page(site, "confirm.html", title, request, values={"username": query_username})
    form = site.request.form()
    values = {"username": form.get("username", "").strip()}
    if not await site.csrf_ok(form):
        return await _page(site, "confirm.html", title, request, values=values,
                           error="This page expired. Please try again.")
    if not values["username"]:
        return await _page(site, "confirm.html", title, request, values=values,
                           errors={"username": "Enter your username."})
    try:
        if form.get("resend"):
            await call_operation(site, request, "ResendConfirmationCode", {"Username": values["username"]},
                                 values["username"])
            return redirect(page_url(site, "confirmUser", request, username=values["username"], notice="code_sent"))
        code = form.get("code", "").strip()
        if not code:
            return await _page(site, "confirm.html", title, request, values=values,
                               errors={"code": "Enter the verification code."})
        await call_operation(site, request, "ConfirmSignUp", {"Username": values["username"],
                                                              "ConfirmationCode": code}, values["username"])
    except ServiceError as err:
        field_errors, error = _field_errors(err, ["username", "code"])
        return await _page(site, "confirm.html", title, request, values=values, errors=field_errors, error=error)
    return redirect(page_url(site, "login", request, notice="confirmed"))


async def forgot_password(site: Site) -> Response:
    request = await validate(site, site.query())
    title = "Forgot your password?"
    if site.request.method != "POST":
        return await render_page(site, "forgot.html", title, request,
                                 values={"username": site.query().get("username", "")})
    form = site.request.form()
    values = {"username": form.get("username", "").strip()}
    if not await site.csrf_ok(form):
        return await _page(site, "forgot.html", title, request, values=values,
                           error="This page expired. Please try again.")
    if not values["username"]:
        return await _page(site, "forgot.html", title, request, values=values,
                           errors={"username": "Enter your username."})
    try:
        await call_operation(site, request, "ForgotPassword", {"Username": values["username"]}, values["username"])
    except ServiceError as err:
        field_errors, error = _field_errors(err, ["username"])
        return await _page(site, "forgot.html", title, request, values=values, errors=field_errors, error=error)
    return redirect(page_url(site, "confirmForgotPassword", request, username=values["username"]))


async def confirm_forgot_password(site: Site) -> Response:
    request = await validate(site, site.query())
    title = "Reset your password"
    if site.request.method != "POST":
        return await render_page(site, "confirm_forgot.html", title, request,
                                 values={"username": site.query().get("username", "")})
    form = site.request.form()
    values = {"username": form.get("username", "").strip()}
    if not await site.csrf_ok(form):
        return await _page(site, "confirm_forgot.html", title, request, values=values,
                           error="This page expired. Please try again.")
    errors = {}
    for name, message in (("username", "Enter your username."), ("code", "Enter the code we sent you."),
                          ("password", "Enter a new password.")):
        if not form.get(name, "").strip():
            errors[name] = message
    if not errors and form.get("password") != form.get("confirm_password"):
        errors["confirm_password"] = "The passwords do not match."
    if errors:
        return await _page(site, "confirm_forgot.html", title, request, values=values, errors=errors)
    try:
        await call_operation(site, request, "ConfirmForgotPassword", {
            "Username": values["username"], "ConfirmationCode": form["code"].strip(),
            "Password": form["password"]}, values["username"])
    except ServiceError as err:
        field_errors, error = _field_errors(err, ["username", "code", "password"])
        return await _page(site, "confirm_forgot.html", title, request, values=values, errors=field_errors,
                           error=error)
    return redirect(page_url(site, "login", request, notice="reset"))
