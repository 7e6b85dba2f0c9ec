"""Codes for sign-up confirmation, password reset and attribute verification, sent through the Sender."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from ..services import Services
from . import repo
from .domain import Pool, User
from .hooks import MessageCause, custom_message, default_cause
from .sender import Delivery, mask

SIGNUP_CODE_TTL = 24 * 3600.0
RESET_CODE_TTL = 3600.0
VERIFY_CODE_TTL = 24 * 3600.0


def _channel(pool: Pool, attributes: dict[str, str], *, verified_only: bool) -> tuple[str, str, str] | None:
    """(medium, attribute name, destination) for a code, or None where the user cannot be reached."""
    order = ["email", "phone_number"]
    recovery = (pool.config.get("AccountRecoverySetting") or {}).get("RecoveryMechanisms")
    if recovery:
        ranked = sorted(recovery, key=lambda m: m.get("Priority", 0))
        order = [{"verified_email": "email", "verified_phone_number": "phone_number"}.get(m["Name"], "")
                 for m in ranked]
    if not verified_only:
        order = [a for a in order if a in pool.auto_verified] or [a for a in pool.auto_verified]
    for attr in order:
        dest = attributes.get(attr)
        if not dest:
            continue
        if verified_only and attributes.get(f"{attr}_verified", "false").lower() != "true":
            continue
        return ("EMAIL" if attr == "email" else "SMS"), attr, dest
    return None


def _message(pool: Pool, medium: str, purpose: str, code: str) -> str:
    template = pool.config.get("VerificationMessageTemplate") or {}
    if purpose == "signup":
        text = (template.get("EmailMessage") or pool.config.get("EmailVerificationMessage")
                if medium == "EMAIL" else template.get("SmsMessage") or pool.config.get("SmsVerificationMessage"))
        text = text or "Your verification code is {####}. "
    else:
        text = "Your password reset code is {####}. " if purpose == "forgot" else "Your code is {####}. "
    return text.replace("{####}", code)


async def send_code(conn: AsyncConnection, services: Services, pool: Pool, user: User, purpose: str,
                    *, verified_only: bool, attribute: str | None = None, cause: MessageCause | None = None
                    ) -> dict[str, Any] | None:
    """Store a fresh code for ``purpose`` and deliver it; returns CodeDeliveryDetails, or None if there is no
    channel. ``cause`` is what CustomMessage hears (``triggerSource``, client, ClientMetadata): the same code
    purpose has several (a sign-up code re-sent is ``CustomMessage_ResendCode``)."""
    if attribute is not None:
        dest = user.attributes.get(attribute)
        channel = (("EMAIL" if attribute == "email" else "SMS"), attribute, dest) if dest else None
    else:
        channel = _channel(pool, user.attributes, verified_only=verified_only)
    if channel is None:
        return None
    medium, attr, dest = channel
    now = services.clock.now()
    code = services.ids.numeric_code()
    ttl = {"signup": SIGNUP_CODE_TTL, "forgot": RESET_CODE_TTL}.get(purpose, VERIFY_CODE_TTL)
    await repo.put_code(conn, pool.id, user.username, purpose, code, now, ttl)
    message, _subject = await custom_message(services, pool, user, cause or default_cause(purpose), code, medium,
                                             _message(pool, medium, purpose, code))
    await services.sender.send(conn, Delivery(pool.id, user.username, medium, dest, purpose, code, message), now)
    return {"Destination": mask(dest, medium), "DeliveryMedium": medium, "AttributeName": attr}


async def send_attribute_codes(conn: AsyncConnection, services: Services, pool: Pool, user: User,
                               changes: dict[str, str], cause: MessageCause) -> list[dict[str, Any]]:
    """After (Admin)UpdateUserAttributes (``user`` has the new attributes): a verification code to each e-mail or
    phone the update changed and left unverified, where the pool auto-verifies it. CustomMessage hears
    ``CustomMessage_UpdateUserAttribute`` ("When a user's email or phone number is changed, this trigger sends a
    verification code automatically", Cognito Developer Guide, Customizing user pool workflows with Lambda
    triggers: trigger sources)."""
    deliveries = []
    for attr in ("email", "phone_number"):
        if attr in changes and user.attributes.get(f"{attr}_verified") != "true" and attr in pool.auto_verified:
            details = await send_code(conn, services, pool, user, f"verify:{attr}", verified_only=False,
                                      attribute=attr, cause=cause)
            if details:
                deliveries.append(details)
    return deliveries
