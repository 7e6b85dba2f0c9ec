"""The sign-up side triggers: PreSignUp, PostConfirmation and CustomMessage, as the operations call them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..services import Services
from . import triggers
from .domain import Client, Pool, User

_CUSTOM_SOURCES = {"signup": "CustomMessage_SignUp", "forgot": "CustomMessage_ForgotPassword",
                   "invite": "CustomMessage_AdminCreateUser"}


@dataclass(frozen=True, slots=True)
class MessageCause:
    """The call a message is sent for, as CustomMessage reports it: its ``triggerSource``, the app client of the
    call (``None`` for admin calls, which have none: ``CLIENT_ID_NOT_APPLICABLE``) and the call's ClientMetadata."""

    source: str
    client: Client | None = None
    metadata: dict[str, str] | None = None


def default_cause(purpose: str) -> MessageCause:
    """The cause of a code sent for ``purpose`` by a caller that names none (no client, no metadata)."""
    if purpose.startswith("verify:"):
        return MessageCause("CustomMessage_VerifyUserAttribute")
    if purpose.startswith("mfa"):
        return MessageCause("CustomMessage_Authentication")
    return MessageCause(_CUSTOM_SOURCES.get(purpose, "CustomMessage_SignUp"))


@dataclass(slots=True)
class SignUpVerdict:
    auto_confirm: bool = False
    auto_verify_email: bool = False
    auto_verify_phone: bool = False


def _pairs(items: Any) -> dict[str, str]:
    return {i["Name"]: i.get("Value", "") for i in items or [] if isinstance(i, dict) and "Name" in i}


async def pre_sign_up(services: Services, pool: Pool, client: Client | None, username: str,
                      attributes: dict[str, str], params: dict[str, Any], source: str) -> SignUpVerdict:
    """PreSignUp (``PreSignUp_SignUp`` / ``PreSignUp_AdminCreateUser``): may refuse, auto-confirm, auto-verify.

    ``username`` is the name the user is stored under: the generated sub in pools that sign in by e-mail or phone
    (``users.resolve_new_username``), as real events show (localstack/localstack#2964, #9349, #10739)."""
    if not triggers.configured(pool, "PreSignUp"):
        return SignUpVerdict()
    request: dict[str, Any] = {"userAttributes": dict(attributes),
                               "validationData": _pairs(params.get("ValidationData")) or None}
    if params.get("ClientMetadata"):
        request["clientMetadata"] = params["ClientMetadata"]
    body = triggers.event(pool, client, username, source, request,
                          {"autoConfirmUser": False, "autoVerifyEmail": False, "autoVerifyPhone": False})
    response = await triggers.invoke(services, pool, "PreSignUp", body) or {}
    if source == "PreSignUp_AdminCreateUser":
        # "autoVerifyPhone, autoVerifyEmail and autoConfirmUser are ignored by Amazon Cognito when the Pre Sign-up
        # lambda is triggered by the AdminCreateUser API" (Cognito Developer Guide, Pre sign-up Lambda trigger)
        return SignUpVerdict()
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
    that PreSignUp auto-confirmed and after AdminConfirmSignUp (``PostConfirmation_ConfirmSignUp``, no client)."""
    if not triggers.configured(pool, "PostConfirmation"):
        return
    request: dict[str, Any] = {"userAttributes": {**triggers.user_attributes(pool, user),
                                                  "cognito:user_status": "CONFIRMED"}}
    if metadata:
        request["clientMetadata"] = metadata
    body = triggers.event(pool, client, user.username, source, request)
    await triggers.invoke(services, pool, "PostConfirmation", body)


async def custom_message(services: Services, pool: Pool, user: User, cause: MessageCause, code: str, medium: str,
                         message: str, username: str | None = None) -> tuple[str, str | None]:
    """CustomMessage: the (message, e-mail subject) to send for ``cause``; the default when unset.

    The handler's text must contain the code (``{####}`` is replaced); otherwise the default is kept. An
    invitation (``CustomMessage_AdminCreateUser``) also gets ``usernameParameter`` ``{username}``, replaced by
    ``username``, and its code is the temporary password (CogDG user-pool-lambda-custom-message.md).
    """
    if not triggers.configured(pool, "CustomMessage"):
        return message, None
    invite = cause.source == "CustomMessage_AdminCreateUser"
    request = {"userAttributes": triggers.user_attributes(pool, user), "codeParameter": "{####}",
               "usernameParameter": "{username}" if invite else None, "linkParameter": "{##Click Here##}"}
    if cause.metadata:
        # the ClientMetadata of SignUp, ResendConfirmationCode, ForgotPassword, (Admin)UpdateUserAttributes,
        # GetUserAttributeVerificationCode … (Cognito Developer Guide, Custom message Lambda trigger)
        request["clientMetadata"] = cause.metadata
    # callerContext.clientId: the app client of the call that sent the message (captured CustomMessage_SignUp and
    # _ForgotPassword events carry it); admin calls have none (captured _AdminCreateUser: CLIENT_ID_NOT_APPLICABLE)
    body = triggers.event(pool, cause.client, user.username, cause.source, request,
                          {"smsMessage": None, "emailMessage": None, "emailSubject": None})
    response = await triggers.invoke(services, pool, "CustomMessage", body) or {}
    text = response.get("emailMessage" if medium == "EMAIL" else "smsMessage")
    if not isinstance(text, str) or "{####}" not in text:
        return message, None
    subject = response.get("emailSubject")
    if invite:
        text = text.replace("{username}", username or user.username)
    return text.replace("{####}", code), subject if isinstance(subject, str) else None
