"""The hosted UI's sign-in steps after a correct password: choosing a new password (FORCE_CHANGE_PASSWORD),
setting up an authenticator app (MFA_SETUP) and entering an MFA code (SOFTWARE_TOKEN_MFA, SMS_MFA, EMAIL_OTP).

Each step is a challenge session of the JSON API (``cognito/challenges.py``: single use, ``AuthSessionValidity``),
carried by the page's form in a hidden field and answered with the JSON API's own checks
(``accept_new_password``, ``check_mfa_code``, AssociateSoftwareToken's ``associate_token`` and
VerifySoftwareToken's ``verify_token``). A rejected answer re-renders the page with a fresh session.
"""

from __future__ import annotations

from typing import Any

import pyotp

from ..cognito import mfa, repo
from ..cognito.challenges import (
    MFA_CODE_FIELDS,
    check_mfa_code,
    claim_session,
    mfa_challenge,
    mfa_step,
    open_session,
    post_authentication,
)
from ..cognito.domain import User
from ..cognito.ops.auth import accept_new_password, temporary_password_expired
from ..cognito.ops.mfa import associate_token, verify_token
from ..cognito.schema import required_attributes
from ..cognito.sender import mask
from ..errors import ServiceError
from .account import attribute_field
from .authz import AuthorizeRequest, complete
from .pages import plain_password_problem, render_page
from .site import Site
from .web import Response

NEW_PASSWORD = "NEW_PASSWORD_REQUIRED"
MFA_SETUP = "MFA_SETUP"
SOURCE = "TokenGeneration_HostedAuth"
_LOGIN_TITLE = "Sign in with your username and password"
_EXPIRED = "Your sign-in took too long. Please sign in again."
_CODE_HINTS = {
    mfa.TOTP: "Enter the 6-digit code from your authenticator app.",
    mfa.SMS: "Enter the code we sent by text message to {destination}.",
    mfa.EMAIL: "Enter the code we sent by email to {destination}.",
}


async def after_password(site: Site, request: AuthorizeRequest, user: User) -> Response:
    """A correct password: the new-password page, an MFA page, or signed in and back to the client."""
    if user.status == "FORCE_CHANGE_PASSWORD":
        if temporary_password_expired(site.services, site.pool, user):
            return await _login_error(site, request, "Your temporary password has expired. Ask your administrator "
                                                     "to reset it.")
        session = await open_session(site.services, site.pool, request.client, user.username, NEW_PASSWORD, {})
        return await _new_password_page(site, request, user, session)
    return await _second_factor(site, request, user)


async def answer(site: Site, request: AuthorizeRequest, form: dict[str, str]) -> Response:
    """``POST /login`` with a ``challenge`` field: the answer to the new-password or MFA page."""
    services = site.services
    name = form.get("challenge", "")
    try:
        row = await claim_session(services, form.get("session", ""))
    except ServiceError:
        row = None  # used before: the browser went back and posted again
    if (row is None or row["expires"] <= services.clock.now() or row["client_id"] != request.client.client_id
            or row["pool_id"] != site.pool.id or row["challenge"] != name
            or name not in (NEW_PASSWORD, MFA_SETUP, *MFA_CODE_FIELDS)):
        return await _login_error(site, request, _EXPIRED)
    async with services.db.read() as conn:
        user = await repo.find_user(conn, site.pool, row["username"], aliases=False)
    if user is None or not user.enabled:
        return await _login_error(site, request, _EXPIRED)
    data: dict[str, Any] = row["data"] or {}
    if name == NEW_PASSWORD:
        return await _answer_new_password(site, request, user, form)
    code = form.get("code", "").strip()
    if name == MFA_SETUP:
        return await _answer_setup(site, request, user, data, code)
    if not code:
        return await _retry_code(site, request, user, name, data, "Enter the code.")
    try:
        await check_mfa_code(services, user, name, data, {MFA_CODE_FIELDS[name]: code})
    except ServiceError as err:
        if err.code == "CodeMismatchException":
            return await _retry_code(site, request, user, name, data, "That code is not right. Check it and try "
                                                                      "again.")
        if err.code == "ExpiredCodeException":
            return await _retry_code(site, request, user, name, data, "That code has been used already. Wait "
                                                                      "for the next one and try again.")
        return await _login_error(site, request, "Too many failed attempts. Wait a moment and sign in again.")
    return await _signed_in(site, request, user)


# --- choosing a new password ---

def _missing_fields(site: Site, user: User) -> list[Any]:
    return [attribute_field(a) for a in required_attributes(site.pool.config) if not user.attributes.get(a)]


async def _new_password_page(site: Site, request: AuthorizeRequest, user: User, session: str, *,
                             values: dict[str, str] | None = None, errors: dict[str, str] | None = None,
                             error: str | None = None, status: int = 200) -> Response:
    return await render_page(site, "new_password.html", "Choose a new password", request, status=status,
                             session=session, challenge=NEW_PASSWORD, attributes=_missing_fields(site, user),
                             values=values or {}, errors=errors or {}, error=error)


async def _answer_new_password(site: Site, request: AuthorizeRequest, user: User,
                               form: dict[str, str]) -> Response:
    fields = _missing_fields(site, user)
    values = {f.name: form.get(f.name, "").strip() for f in fields}
    errors = {f.name: f"Enter your {f.label.lower()}." for f in fields if not values[f.name]}
    password = form.get("password", "")
    if not password:
        errors["password"] = "Enter a new password."
    elif password != form.get("confirm_password"):
        errors["confirm_password"] = "The passwords do not match."
    if not errors:
        try:
            user = await accept_new_password(site.services, site.pool, user, password,
                                             {k: v for k, v in values.items() if v})
        except ServiceError as err:
            if err.code == "InvalidPasswordException":
                errors["password"] = plain_password_problem(err.message)
            else:
                return await _again_new_password(site, request, user, values, error=err.message)
        else:
            return await _second_factor(site, request, user)
    return await _again_new_password(site, request, user, values, errors=errors)


async def _again_new_password(site: Site, request: AuthorizeRequest, user: User, values: dict[str, str], *,
                              errors: dict[str, str] | None = None, error: str | None = None) -> Response:
    session = await open_session(site.services, site.pool, request.client, user.username, NEW_PASSWORD, {})
    return await _new_password_page(site, request, user, session, values=values, errors=errors, error=error,
                                    status=400)


# --- MFA ---

async def _second_factor(site: Site, request: AuthorizeRequest, user: User) -> Response:
    services = site.services
    try:
        step, methods = await mfa_step(services, site.pool, user)
    except ServiceError:  # MFAMethodNotFound: MFA is required and the pool offers nothing this user can set up
        return await _login_error(site, request, "Your account needs multi-factor authentication, which cannot be "
                                                 "set up here. Ask your administrator.")
    if step is None:
        return await _signed_in(site, request, user)
    if step == MFA_SETUP:
        secret = await associate_token(services, user)
        session = await open_session(services, site.pool, request.client, user.username, MFA_SETUP,
                                     {"source": SOURCE})
        return await _setup_page(site, request, user, secret, session)
    if step == "SELECT_MFA_TYPE":  # the hosted UI does not ask: an authenticator app first
        step = mfa.TOTP if mfa.TOTP in methods else methods[0]
    issued = await mfa_challenge(services, site.pool, request.client, user, step, SOURCE)
    return await _code_page(site, request, user, step, issued["Session"])


async def _code_page(site: Site, request: AuthorizeRequest, user: User, name: str, session: str, *,
                     errors: dict[str, str] | None = None, status: int = 200) -> Response:
    medium, attribute = ("SMS", "phone_number") if name == mfa.SMS else ("EMAIL", "email")
    destination = mask(user.attributes.get(attribute, ""), medium)
    return await render_page(site, "mfa.html", "Enter your sign-in code", request, status=status, session=session,
                             challenge=name, hint=_CODE_HINTS[name].format(destination=destination),
                             errors=errors or {})


async def _retry_code(site: Site, request: AuthorizeRequest, user: User, name: str, data: dict[str, Any],
                      message: str) -> Response:
    session = await open_session(site.services, site.pool, request.client, user.username, name, data)
    return await _code_page(site, request, user, name, session, errors={"code": message}, status=400)


# --- setting up an authenticator app (MFA_SETUP) ---

async def _setup_page(site: Site, request: AuthorizeRequest, user: User, secret: str, session: str, *,
                      errors: dict[str, str] | None = None, status: int = 200) -> Response:
    uri = pyotp.TOTP(secret).provisioning_uri(name=user.username, issuer_name=site.pool.name)
    return await render_page(site, "mfa_setup.html", "Set up an authenticator app", request, status=status,
                             session=session, challenge=MFA_SETUP, secret=secret, uri=uri, errors=errors or {})


async def _answer_setup(site: Site, request: AuthorizeRequest, user: User, data: dict[str, Any],
                        code: str) -> Response:
    """The code from the new authenticator: VerifySoftwareToken's check; TOTP becomes the preferred MFA."""
    problem = "Enter the code from your authenticator app."
    if code:
        try:
            await verify_token(site.services, user, code, None, enable=True)
        except ServiceError as err:
            if err.code != "EnableSoftwareTokenMFAException":
                return await _login_error(site, request, _EXPIRED)  # nothing pending: set up again from the start
            problem = "That code is not right. Check it and try again."
        else:
            return await _signed_in(site, request, user)
    async with site.services.db.read() as conn:
        secret = (await mfa.load(conn, user)).pending_secret
    if not secret:
        return await _login_error(site, request, _EXPIRED)
    session = await open_session(site.services, site.pool, request.client, user.username, MFA_SETUP, data)
    return await _setup_page(site, request, user, secret, session, errors={"code": problem}, status=400)


# --- outcomes ---

async def _signed_in(site: Site, request: AuthorizeRequest, user: User) -> Response:
    try:
        await post_authentication(site.services, site.pool, request.client, user)
    except ServiceError as err:  # a handler refusing the sign-in, as for the JSON API
        return await _login_error(site, request, err.message)
    if user.failed_attempts:
        async with site.services.db.begin() as conn:
            await repo.update_user(conn, user, site.services.clock.now(), failed_attempts=0, locked_until=0.0)
    auth_time = await site.start_session(user)
    return site.finish(await complete(site, request, user, auth_time))


async def _login_error(site: Site, request: AuthorizeRequest, message: str) -> Response:
    return await render_page(site, "login.html", _LOGIN_TITLE, request, status=400, values={}, error=message)
