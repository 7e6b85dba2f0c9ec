"""The sign-up side triggers: PreSignUp, PostConfirmation and CustomMessage, as the operations call them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..services import Services
from . import triggers
from .domain import Client, Pool, User

_CUSTOM_SOURCES = {"signup": "CustomMessage_SignUp", "resend": "CustomMessage_ResendCode",
                   "forgot": "CustomMessage_ForgotPassword", "invite": "CustomMessage_AdminCreateUser"}


@dataclass(slots=True)
class SignUpVerdict:
    auto_confirm: bool = False
    auto_verify_email: bool = False
    auto_verify_phone: bool = False


def _pairs(items: Any) -> dict[str, str]:
    return {i["Name"]: i.get("Value", "") for i in items or [] if isinstance(i, dict) and "Name" in i}


async def pre_sign_up(services: Services, pool: Pool, client: Client | None, username: str,
                      attributes: dict[str, str], params: dict[str, Any], source: str) -> SignUpVerdict:
    """PreSignUp (``PreSignUp_SignUp`` / ``PreSignUp_AdminCreateUser``): may refuse, auto-confirm, auto-verify."""
    if not triggers.configured(pool, "PreSignUp"):
        return SignUpVerdict()
    request: dict[str, Any] = {"userAttributes": dict(attributes),
                               "validationData": _pairs(params.get("ValidationData")) or None}
    if params.get("ClientMetadata"):
        request["clientMetadata"] = params["ClientMetadata"]
    body = triggers.event(pool, client, username, source, request,
                          {"autoConfirmUser": False, "autoVerifyEmail": False, "autoVerifyPhone": False})
    response = await triggers.invoke(services, pool, "PreSignUp", body) or {}
    return SignUpVerdict(bool(response.get("autoConfirmUser")), bool(response.get("autoVerifyEmail")),
                         bool(response.get("autoVerifyPhone")))


def apply_verdict(verdict: SignUpVerdict, attributes: dict[str, str]) -> None:
    """Mark e-mail / phone verified where PreSignUp said so (and the attribute is there)."""
    if verdict.auto_verify_email and attributes.get("email"):
        attributes["email_verified"] = "true"
    if verdict.auto_verify_phone and attributes.get("phone_number"):
        attributes["phone_number_verified"] = "true"


async def post_confirmation(services: Services, pool: Pool, client: Client | None, user: User, source: str,
                            metadata: dict[str, str] | None = None) -> None:
    """PostConfirmation (``PostConfirmation_ConfirmSignUp`` / ``_ConfirmForgotPassword``); also after a SignUp
    that PreSignUp auto-confirmed (``PostConfirmation_ConfirmSignUp``)."""
    if not triggers.configured(pool, "PostConfirmation"):
        return
    request: dict[str, Any] = {"userAttributes": {**triggers.user_attributes(user),
                                                  "cognito:user_status": "CONFIRMED"}}
    if metadata:
        request["clientMetadata"] = metadata
    body = triggers.event(pool, client, user.username, source, request)
    await triggers.invoke(services, pool, "PostConfirmation", body)


async def custom_message(services: Services, pool: Pool, user: User, purpose: str, code: str, medium: str,
                         message: str, username: str | None = None) -> tuple[str, str | None]:
    """CustomMessage: the (message, e-mail subject) to send for ``purpose``; the default when unset.

    The handler's text must contain the code (``{####}`` is replaced); otherwise the default is kept. An
    invitation (``CustomMessage_AdminCreateUser``) also gets ``usernameParameter`` ``{username}``, replaced by
    ``username``, and its code is the temporary password (CogDG user-pool-lambda-custom-message.md).
    """
    if not triggers.configured(pool, "CustomMessage"):
        return message, None
    if purpose.startswith("verify:"):
        source = "CustomMessage_VerifyUserAttribute"
    elif purpose.startswith("mfa"):
        source = "CustomMessage_Authentication"
    else:
        source = _CUSTOM_SOURCES.get(purpose, "CustomMessage_SignUp")
    invite = source == "CustomMessage_AdminCreateUser"
    request = {"userAttributes": triggers.user_attributes(user), "codeParameter": "{####}",
               "usernameParameter": "{username}" if invite else None, "linkParameter": "{##Click Here##}"}
    body = triggers.event(pool, None, user.username, source, request,
                          {"smsMessage": None, "emailMessage": None, "emailSubject": None})
    response = await triggers.invoke(services, pool, "CustomMessage", body) or {}
    text = response.get("emailMessage" if medium == "EMAIL" else "smsMessage")
    if not isinstance(text, str) or "{####}" not in text:
        return message, None
    subject = response.get("emailSubject")
    if invite:
        text = text.replace("{username}", username or user.username)
    return text.replace("{####}", code), subject if isinstance(subject, str) else None
