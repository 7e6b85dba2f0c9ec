"""The hosted UI's sign-in steps after a correct password: choosing a new password (FORCE_CHANGE_PASSWORD),
setting up an authenticator app (MFA_SETUP) and entering an MFA code (SOFTWARE_TOKEN_MFA, SMS_MFA, EMAIL_OTP).

Each step is a challenge session of the sign-in engine (``cognito/signin/sessions.py``: single use,
``AuthSessionValidity``), carried by the page's form in a hidden field and answered with the engine's own checks
(``accept_new_password``, ``check_mfa_code``, ``totp.associate_token`` and ``totp.verify_token``). A rejected answer
re-renders the page with a fresh session; a refusal is worded by its ``SignInError.reason`` (``refusals.py``).
"""

from __future__ import annotations

from typing import Any

import pyotp

from ..cognito import mfa, repo
from ..cognito.domain import User
from ..cognito.schema import required_attributes
from ..cognito.sender import mask
from ..cognito.signin.errors import Reason, SignInError
from ..cognito.signin.factors import MFA_CODE_FIELDS, check_mfa_code, mfa_challenge, mfa_step, signed_in
from ..cognito.signin.first_factor import accept_new_password, temporary_password_expired
from ..cognito.signin.sessions import claim_session, open_session
from ..cognito.signin.state import MfaCode, MfaSetup, NewPassword
from ..cognito.signin.totp import associate_token, verify_token
from ..errors import ServiceError
from . import refusals
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
            return await _login_error(site, request, refusals.TEMPORARY_EXPIRED)
        session = await open_session(site.services, site.pool, request.client, user.username, NEW_PASSWORD,
                                     NewPassword())
        return await _new_password_page(site, request, user, session)
    return await _second_factor(site, request, user)


async def answer(site: Site, request: AuthorizeRequest, form: dict[str, str]) -> Response:
    """``POST /login`` with a ``challenge`` field: the answer to the new-password or MFA page."""
    services = site.services
    name = form.get("challenge", "")
    try:
        row = await claim_session(services, form.get("session", ""))
    except SignInError:
        row = None  # used before: the browser went back and posted again
    if (row is None or not row.live_for(request.client, name, services.clock.now()) or row.pool_id != site.pool.id
            or name not in (NEW_PASSWORD, MFA_SETUP, *MFA_CODE_FIELDS)):
        return await _login_error(site, request, _EXPIRED)
    async with services.db.read() as conn:
        user = await repo.find_user(conn, site.pool, row.username, aliases=False)
    if user is None or not user.enabled:
        return await _login_error(site, request, _EXPIRED)
    saved = row.state
    if isinstance(saved, NewPassword):
        return await _answer_new_password(site, request, user, form)
    code = form.get("code", "").strip()
    if isinstance(saved, MfaSetup):
        return await _answer_setup(site, request, user, saved, code)
    assert isinstance(saved, MfaCode)
    if not code:
        return await _retry_code(site, request, user, name, saved, "Enter the code.")
    try:
        await check_mfa_code(services, user, name, saved, {MFA_CODE_FIELDS[name]: code})
    except SignInError as err:
        if err.reason is Reason.CODE_MISMATCH:
            return await _retry_code(site, request, user, name, saved, refusals.CODE_WRONG)
        if err.reason is Reason.CODE_REUSED:
            return await _retry_code(site, request, user, name, saved, refusals.CODE_USED)
        return await _login_error(site, request, refusals.LOCKED_AT_CODE)
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
    session = await open_session(site.services, site.pool, request.client, user.username, NEW_PASSWORD,
                                 NewPassword())
    return await _new_password_page(site, request, user, session, values=values, errors=errors, error=error,
                                    status=400)


# --- MFA ---

async def _second_factor(site: Site, request: AuthorizeRequest, user: User) -> Response:
    services = site.services
    try:
        step, methods = await mfa_step(services, site.pool, user)
    except SignInError:  # MFA is required and the pool offers nothing this user can set up
        return await _login_error(site, request, refusals.NO_MFA)
    if step is None:
        return await _signed_in(site, request, user)
    if step == MFA_SETUP:
        secret = await associate_token(services, user)
        session = await open_session(services, site.pool, request.client, user.username, MFA_SETUP,
                                     MfaSetup(SOURCE))
        return await _setup_page(site, request, user, secret, session)
    if step == "SELECT_MFA_TYPE":  # the hosted UI does not ask: an authenticator app first
        step = mfa.TOTP if mfa.TOTP in methods else methods[0]
    issued = await mfa_challenge(services, site.pool, request.client, user, step, SOURCE)
    return await _code_page(site, request, user, step, str(issued.session))


async def _code_page(site: Site, request: AuthorizeRequest, user: User, name: str, session: str, *,
                     errors: dict[str, str] | None = None, status: int = 200) -> Response:
    medium, attribute = ("SMS", "phone_number") if name == mfa.SMS else ("EMAIL", "email")
    destination = mask(user.attributes.get(attribute, ""), medium)
    return await render_page(site, "mfa.html", "Enter your sign-in code", request, status=status, session=session,
                             challenge=name, hint=_CODE_HINTS[name].format(destination=destination),
                             errors=errors or {})


async def _retry_code(site: Site, request: AuthorizeRequest, user: User, name: str, saved: MfaCode,
                      message: str) -> Response:
    session = await open_session(site.services, site.pool, request.client, user.username, name, saved)
    return await _code_page(site, request, user, name, session, errors={"code": message}, status=400)


# --- setting up an authenticator app (MFA_SETUP) ---

async def _setup_page(site: Site, request: AuthorizeRequest, user: User, secret: str, session: str, *,
                      errors: dict[str, str] | None = None, status: int = 200) -> Response:
    uri = pyotp.TOTP(secret).provisioning_uri(name=user.username, issuer_name=site.pool.name)
    return await render_page(site, "mfa_setup.html", "Set up an authenticator app", request, status=status,
                             session=session, challenge=MFA_SETUP, secret=secret, uri=uri, errors=errors or {})


async def _answer_setup(site: Site, request: AuthorizeRequest, user: User, saved: MfaSetup,
                        code: str) -> Response:
    """The code from the new authenticator: VerifySoftwareToken's check; TOTP becomes the preferred MFA."""
    problem = "Enter the code from your authenticator app."
    if code:
        try:
            await verify_token(site.services, user, code, None, enable=True)
        except SignInError as err:
            if err.reason is not Reason.SETUP_CODE_MISMATCH:
                return await _login_error(site, request, _EXPIRED)  # nothing pending: set up again from the start
            problem = refusals.CODE_WRONG
        else:
            return await _signed_in(site, request, user)
    async with site.services.db.read() as conn:
        secret = (await mfa.load(conn, user)).pending_secret
    if not secret:
        return await _login_error(site, request, _EXPIRED)
    session = await open_session(site.services, site.pool, request.client, user.username, MFA_SETUP, saved)
    return await _setup_page(site, request, user, secret, session, errors={"code": problem}, status=400)


# --- outcomes ---

async def _signed_in(site: Site, request: AuthorizeRequest, user: User) -> Response:
    try:
        await signed_in(site.services, site.pool, request.client, user)
    except ServiceError as err:  # a handler refusing the sign-in: its message, as the JSON API answers
        return await _login_error(site, request, err.message)
    auth_time = await site.start_session(user)
    return site.finish(await complete(site, request, user, auth_time))


async def _login_error(site: Site, request: AuthorizeRequest, message: str) -> Response:
    return await render_page(site, "login.html", _LOGIN_TITLE, request, status=400, values={}, error=message)
