"""After the first factor: the MFA challenge the pool and user call for (SMS_MFA, EMAIL_OTP, SOFTWARE_TOKEN_MFA,
SELECT_MFA_TYPE, MFA_SETUP), their answers, and finishing (PostAuthentication, then the tokens)."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

from ...compare import same_secret
from ...errors import invalid_parameter
from ...services import Services
from .. import mfa, triggers
from ..domain import Client, Pool, User
from ..hooks import MessageCause, custom_message
from ..sender import Delivery, mask
from ..tokens import token_hash
from . import device, errors, issuer
from .lockout import check_not_locked, clear_failures, record_failure
from .sessions import open_session
from .state import DEVICE_SRP, MFA_SETUP, SELECT_MFA, SMS_OTP, SOURCE, DeviceSrp, MfaCode, MfaSetup, SelectMfa, State
from .steps import Challenge, Issued, Step

MFA_CODE_FIELDS = {mfa.TOTP: "SOFTWARE_TOKEN_MFA_CODE", mfa.SMS: "SMS_MFA_CODE", mfa.EMAIL: "EMAIL_OTP_CODE",
                   SMS_OTP: "SMS_OTP_CODE"}
"""The ChallengeResponses key of each code challenge (API Reference, RespondToAuthChallenge, ChallengeResponses)."""


async def challenge(services: Services, pool: Pool, client: Client, user: User, name: str, parameters: dict[str, str],
                    saved: State) -> Challenge:
    """Open a session for challenge ``name``; its parameters end with USER_ID_FOR_SRP, as AWS's do."""
    session = await open_session(services, pool, client, user.username, name, saved)
    return Challenge(name, {**parameters, "USER_ID_FOR_SRP": user.username}, session)


async def second_factor(services: Services, pool: Pool, client: Client, user: User, source: str = SOURCE,
                        metadata: dict[str, str] | None = None) -> Step:
    """After a good first factor: the MFA challenge the pool and user call for, or the tokens (``metadata``: the
    ClientMetadata of the RespondToAuthChallenge that got here, for PostAuthentication and PreTokenGeneration).
    A confirmed device presented with the call is proven first (DEVICE_SRP_AUTH, ``device_srp.py``)."""
    proving = await device.to_prove(services, pool, user)
    if proving is not None:
        return await challenge(services, pool, client, user, DEVICE_SRP, {"USERNAME": user.username},
                               DeviceSrp(proving.key, source))
    return await mfa_or_tokens(services, pool, client, user, source, metadata)


async def mfa_or_tokens(services: Services, pool: Pool, client: Client, user: User, source: str = SOURCE,
                        metadata: dict[str, str] | None = None) -> Step:
    """The MFA challenge the pool and user call for, or the tokens."""
    step, methods = await mfa_step(services, pool, user)
    if step == MFA_SETUP:
        return await challenge(services, pool, client, user, MFA_SETUP, {"MFAS_CAN_SETUP": json.dumps([mfa.TOTP])},
                               MfaSetup(source))
    if step == SELECT_MFA:
        return await challenge(services, pool, client, user, SELECT_MFA, {"MFAS_CAN_CHOOSE": json.dumps(methods)},
                               SelectMfa(source))
    if step is None:
        return await finish(services, pool, client, user, source, metadata)
    return await mfa_challenge(services, pool, client, user, step, source)


async def mfa_step(services: Services, pool: Pool, user: User) -> tuple[str | None, list[str]]:
    """What a correct first factor leads to: (None, []) for no MFA, ("MFA_SETUP", …), ("SELECT_MFA_TYPE",
    the methods to choose from), or (the method to challenge with, the user's methods)."""
    pool_mode = mfa.mode(pool)
    if pool_mode == "OFF":
        return None, []
    async with services.db.read() as conn:
        settings = await mfa.load(conn, user)
    methods = mfa.user_methods(pool, user, settings)
    if not methods and pool_mode == "ON":
        offered = mfa.pool_methods(pool)
        if mfa.SMS in offered and user.attributes.get("phone_number"):
            methods = [mfa.SMS]
        elif mfa.TOTP in offered:
            return MFA_SETUP, []
        else:
            raise errors.no_mfa_method()
    if not methods:
        return None, []
    chosen = settings.preferred if settings.preferred in methods else (methods[0] if len(methods) == 1 else None)
    if chosen is None:
        return SELECT_MFA, methods
    return chosen, methods


async def mfa_challenge(services: Services, pool: Pool, client: Client, user: User, method: str, source: str
                        ) -> Challenge:
    """Issue SOFTWARE_TOKEN_MFA, or send a code and issue SMS_MFA / EMAIL_OTP."""
    if method == mfa.TOTP:
        async with services.db.read() as conn:
            device = (await mfa.load(conn, user)).device_name
        # the name given to VerifySoftwareToken (AWS CLI reference, admin-initiate-auth example)
        parameters = {"FRIENDLY_DEVICE_NAME": device} if device else {}
        return await challenge(services, pool, client, user, mfa.TOTP, parameters, MfaCode(source))
    return await code_challenge(services, pool, client, user, method, source)


async def code_challenge(services: Services, pool: Pool, client: Client, user: User, name: str, source: str
                         ) -> Challenge:
    """Send a code (to the outbox, through CustomMessage_Authentication) and issue challenge ``name``: SMS_MFA or
    EMAIL_OTP after a password, or USER_AUTH's first factors SMS_OTP and EMAIL_OTP."""
    medium, attr = ("SMS", "phone_number") if name in (mfa.SMS, SMS_OTP) else ("EMAIL", "email")
    destination = user.attributes[attr]
    code = services.ids.numeric_code()
    template = (pool.config.get("SmsAuthenticationMessage") if medium == "SMS" else None) \
        or "Your authentication code is {####}. "
    now = services.clock.now()
    message, _ = await custom_message(services, pool, user, MessageCause("CustomMessage_Authentication", client),
                                      code, medium, template.replace("{####}", code))
    async with services.db.begin() as conn:
        await services.sender.send(conn, Delivery(pool.id, user.username, medium, destination,
                                                  f"mfa:{name}", code, message), now)
    return await challenge(services, pool, client, user, name, {
        "CODE_DELIVERY_DELIVERY_MEDIUM": medium, "CODE_DELIVERY_DESTINATION": mask(destination, medium)},
        MfaCode(source, token_hash(code)))


async def signed_in(services: Services, pool: Pool, client: Client, user: User,
                    metadata: dict[str, str] | None = None) -> None:
    """What every finished sign-in does before its tokens: PostAuthentication, then forget the failures."""
    await post_authentication(services, pool, client, user, metadata)
    await clear_failures(services, user)


async def finish(services: Services, pool: Pool, client: Client, user: User, source: str,
                 metadata: dict[str, str] | None = None) -> Issued:
    """The PostAuthentication trigger, then the tokens. ``metadata`` is the ClientMetadata of the
    RespondToAuthChallenge that finished the sign-in: PostAuthentication and PreTokenGeneration get it as
    ``clientMetadata`` (Cognito API Reference, RespondToAuthChallenge, ClientMetadata); InitiateAuth's never
    reaches them (InitiateAuth, ClientMetadata: "invokes the following triggers without ClientMetadata")."""
    await signed_in(services, pool, client, user, metadata)
    device_key, made = await device.for_tokens(services, pool, user)
    tokens = await issuer.issue(services, pool, client, user, source, metadata, device_key)
    return Issued(replace(tokens, new_device=made) if made is not None else tokens)


async def post_authentication(services: Services, pool: Pool, client: Client, user: User,
                              metadata: dict[str, str] | None = None) -> None:
    """The PostAuthentication trigger after a successful sign-in (the JSON API's and the hosted UI's); a handler
    error refuses the sign-in."""
    request: dict[str, Any] = {"userAttributes": triggers.user_attributes(pool, user), "newDeviceUsed": False}
    if metadata:
        request["clientMetadata"] = metadata
    body = triggers.event(pool, client, user.username, "PostAuthentication_Authentication", request)
    await triggers.invoke(services, pool, "PostAuthentication", body)


async def answer_select(services: Services, pool: Pool, client: Client, user: User, saved: SelectMfa,
                        responses: dict[str, str]) -> Step:
    answer = responses.get("ANSWER", "")
    async with services.db.read() as conn:
        settings = await mfa.load(conn, user)
    if answer not in mfa.user_methods(pool, user, settings):
        raise invalid_parameter("Invalid MFA type selected.")  # message UNCONFIRMED
    return await mfa_challenge(services, pool, client, user, answer, saved.source)


async def answer_setup(services: Services, pool: Pool, client: Client, user: User, saved: MfaSetup,
                       metadata: dict[str, str] | None) -> Step:
    if not saved.verified:
        raise invalid_parameter("Software token MFA has not been verified for the user.")  # UNCONFIRMED
    return await finish(services, pool, client, user, saved.source, metadata)


def verified(saved: MfaSetup) -> MfaSetup:
    """An MFA_SETUP session's state once VerifySoftwareToken accepted a code with it."""
    return replace(saved, verified=True)


async def answer_code(services: Services, pool: Pool, client: Client, user: User, name: str, saved: MfaCode,
                      responses: dict[str, str], metadata: dict[str, str] | None) -> Step:
    await check_mfa_code(services, user, name, saved, responses)
    return await finish(services, pool, client, user, saved.source, metadata)


async def check_mfa_code(services: Services, user: User, name: str, saved: MfaCode, responses: dict[str, str]
                         ) -> None:
    """Check the answer to an MFA challenge ``name`` (its session state ``saved``); raises Cognito's errors. Wrong
    codes count toward the lock-out; a TOTP step works once. Shared by RespondToAuthChallenge and the hosted UI."""
    check_not_locked(services, user)
    field = MFA_CODE_FIELDS[name]
    code = responses.get(field)
    if not code:
        raise invalid_parameter(f"Missing required parameter {field}")
    if name == mfa.TOTP:
        async with services.db.read() as conn:
            settings = await mfa.load(conn, user)
        if not settings.totp_secret:
            raise errors.no_software_token()
        step = mfa.matching_step(settings.totp_secret, code, services.clock.now())
        if step is None:
            await record_failure(services, user)
            raise errors.code_mismatch()
        async with services.db.begin() as conn:
            fresh = await mfa.consume_step(conn, user, step)
        if not fresh:
            raise errors.code_reused()
        return
    if not same_secret(token_hash(code), str(saved.code_hash)):
        await record_failure(services, user)
        raise errors.code_mismatch()
