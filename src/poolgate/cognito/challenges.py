"""Sign-in challenges after InitiateAuth: sessions, the MFA challenges, and finishing (SRP's PASSWORD_VERIFIER
is in ``srp_flow.py``).

``ops/auth.py`` owns the flows' entry points; this module owns what happens between the first answer
and the tokens. Every challenge is a row of ``auth_sessions`` keyed by the hash of its opaque ``Session``
(or, for PASSWORD_VERIFIER, of its SECRET_BLOCK), consumed on first use and dead after
``AuthSessionValidity`` minutes.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import delete, select, update

from ..compare import same_secret
from ..errors import ServiceError, invalid_parameter, not_authorized
from ..services import Services
from ..store.sql.tables import auth_sessions, users
from . import mfa, repo, triggers
from .access import WRONG_CREDENTIALS
from .credentials import srp_columns
from .domain import Client, Pool, User
from .hooks import MessageCause, custom_message
from .sender import Delivery, mask
from .tokens import token_hash

WRONG = WRONG_CREDENTIALS
EXPIRED = "Invalid session for the user, session is expired."
SPENT = "Invalid session for the user, session can only be used once."
"""AWS's answer to a reused challenge Session (captures: reapit/foundations#9684, aws-amplify/amplify-js#14330)."""
_CONSUMED = "-"
"""The ``challenge`` of a consumed session row: kept until it expires, so that reuse is told apart from expiry."""
CODE_MISMATCH = "Invalid code or auth state for the user."
"""A wrong SMS, e-mail or TOTP code in RespondToAuthChallenge (captures: aws-amplify/amplify-js#3066 and #11069
for SMS_MFA, #12887 for SOFTWARE_TOKEN_MFA)."""
TOTP_REUSED = "Your software token has already been used once."


def session_validity(client: Client) -> float:
    return int(client.config.get("AuthSessionValidity") or 3) * 60.0


async def open_session(services: Services, pool: Pool, client: Client, username: str, challenge: str,
                       data: dict[str, Any], key: str | None = None) -> str:
    """Store a challenge's state; returns the opaque Session (or stores under ``key``, e.g. a SECRET_BLOCK)."""
    session = key or services.ids.token(96)
    async with services.db.begin() as conn:
        await conn.execute(auth_sessions.insert().values(
            session_hash=token_hash(session), pool_id=pool.id, client_id=client.client_id, username=username,
            challenge=challenge, data=data, expires=services.clock.now() + session_validity(client)))
    return session


async def claim_session(services: Services, key: str) -> dict[str, Any] | None:
    """Consume a challenge session (atomically, once): its row, or None when unknown. A session used before
    raises NotAuthorized ``SPENT``; expiry, client and challenge are the caller's to check."""
    now = services.clock.now()
    where = auth_sessions.c.session_hash == token_hash(key)
    async with services.db.begin() as conn:
        await conn.execute(delete(auth_sessions).where(auth_sessions.c.expires < now - 3600))
        row = (await conn.execute(select(auth_sessions).where(where))).mappings().first()
        if row is None:
            return None
        claimed = await conn.execute(update(auth_sessions).where(where, auth_sessions.c.challenge != _CONSUMED)
                                     .values(challenge=_CONSUMED))
    if claimed.rowcount != 1:
        raise not_authorized(SPENT)
    return dict(row)


async def take_session(services: Services, client: Client, key: str, challenge: str) -> dict[str, Any]:
    """Consume a challenge's state (single use); NotAuthorized when unknown, expired, reused or for another
    challenge."""
    row = await claim_session(services, key)
    if (row is None or row["expires"] <= services.clock.now() or row["client_id"] != client.client_id
            or row["challenge"] != challenge):
        raise not_authorized(EXPIRED)
    return row


# --- password accepted: housekeeping, triggers around the first factor ---

async def password_accepted(services: Services, user: User, password: str) -> None:
    """A correct password: derive the SRP verifier for users that lack one. (Failures are cleared only when
    the whole sign-in succeeds, in ``finish``: wrong MFA codes after right passwords add up.)"""
    if user.has_srp_verifier:
        return  # the common case: nothing to write, no transaction
    values: dict[str, Any] = {}
    async with services.db.begin() as conn:
        row = (await conn.execute(select(*srp_cols()).where(*user_where(user)))).first()
        if row is not None and not row.srp_verifier:
            values.update(srp_columns(user.pool_id, user.username, password))
        if values:
            await repo.update_user(conn, user, services.clock.now(), **values)


def srp_cols() -> Any:
    return users.c.srp_salt, users.c.srp_verifier


def user_where(user: User) -> tuple[Any, ...]:
    return users.c.pool_id == user.pool_id, users.c.username == user.username


async def pre_authentication(services: Services, pool: Pool, client: Client, user: User,
                             validation_data: dict[str, str] | None) -> None:
    """The PreAuthentication trigger; a handler error refuses the sign-in.

    ``validation_data`` is InitiateAuth's ClientMetadata: "This payload contains a validationData attribute, which
    provides the data that you assigned to the ClientMetadata parameter in your InitiateAuth request" (Cognito API
    Reference, InitiateAuth / AdminInitiateAuth, ClientMetadata); there is no ``clientMetadata``. Without any it is
    ``{}``, as in a captured hosted-UI event."""
    request: dict[str, Any] = {"userAttributes": triggers.user_attributes(pool, user),
                               "validationData": validation_data or {}, **triggers.user_not_found(client)}
    body = triggers.event(pool, client, user.username, "PreAuthentication_Authentication", request)
    await triggers.invoke(services, pool, "PreAuthentication", body)


async def migrate_user(services: Services, pool: Pool, client: Client, username: str, password: str | None,
                       metadata: dict[str, str] | None) -> User | None:
    """The UserMigration trigger for an unknown user: creates the user it vouches for. With a password
    (``UserMigration_Authentication``) the user keeps it; without one (``UserMigration_ForgotPassword``, the
    event has no ``password``) the user is created RESET_REQUIRED and awaits the reset code.

    ``metadata`` is the call's ClientMetadata: InitiateAuth's is ``validationData`` (Cognito API Reference,
    InitiateAuth, ClientMetadata), ForgotPassword's is ``clientMetadata`` (ForgotPassword, ClientMetadata)."""
    from .credentials import prepare_password
    from .users import insert_user

    if not triggers.configured(pool, "UserMigration"):
        return None
    # Captured: "request": {"password": …, "validationData": null, "userAttributes": null} and the response below,
    # enableSMSMFA included (UserMigration_Authentication of pool eu-central-1_i372lkFwS in public trigger code)
    if password is None:
        request: dict[str, Any] = {"validationData": None, "userAttributes": None}
        if metadata:
            request["clientMetadata"] = metadata
    else:
        request = {"password": password, "validationData": metadata or None, "userAttributes": None}
    source = "UserMigration_ForgotPassword" if password is None else "UserMigration_Authentication"
    body = triggers.event(pool, client, username, source, request,
                          {"userAttributes": None, "forceAliasCreation": None, "enableSMSMFA": None,
                           "finalUserStatus": None, "messageAction": None, "desiredDeliveryMediums": None})
    response = await triggers.invoke(services, pool, "UserMigration", body)
    attributes = (response or {}).get("userAttributes")
    if not isinstance(attributes, dict):
        raise ServiceError("UserNotFoundException", "Exception migrating user in app client "
                                                    f"{client.client_id}")
    attributes = {str(k): str(v) for k, v in attributes.items() if k != "username"}
    status = "RESET_REQUIRED" if password is None or (response or {}).get("finalUserStatus") == "RESET_REQUIRED" \
        else "CONFIRMED"
    stored = await prepare_password(services.hasher, password) if password is not None else None
    try:
        async with services.db.begin() as conn:
            return await insert_user(conn, services, pool, username, attributes, status, stored)
    except ServiceError as exc:
        if exc.code != "UsernameExistsException":
            raise
        # a concurrent sign-in of the same user migrated it first (the database let one insert through): go on
        # with that user, whose stored password the caller checks as for any user
        async with services.db.read() as conn:
            migrated = await repo.find_user(conn, pool, username)
        if migrated is None:
            raise
        return migrated


# --- MFA ---

async def second_factor(services: Services, pool: Pool, client: Client, user: User,
                        source: str = "TokenGeneration_Authentication", metadata: dict[str, str] | None = None
                        ) -> dict[str, Any]:
    """After a good password: the MFA challenge the pool and user call for, or the tokens (``metadata``: the
    ClientMetadata of the RespondToAuthChallenge that got here, for PostAuthentication and PreTokenGeneration)."""
    step, methods = await mfa_step(services, pool, user)
    if step == "MFA_SETUP":
        return await _challenge(services, pool, client, user, "MFA_SETUP",
                                {"MFAS_CAN_SETUP": json.dumps([mfa.TOTP])}, {"source": source})
    if step == "SELECT_MFA_TYPE":
        return await _challenge(services, pool, client, user, "SELECT_MFA_TYPE",
                                {"MFAS_CAN_CHOOSE": json.dumps(methods)}, {"source": source})
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
            return "MFA_SETUP", []
        else:
            raise ServiceError("MFAMethodNotFoundException", "No MFA mechanism registered in the account.")
    if not methods:
        return None, []
    chosen = settings.preferred if settings.preferred in methods else (methods[0] if len(methods) == 1 else None)
    if chosen is None:
        return "SELECT_MFA_TYPE", methods
    return chosen, methods


async def mfa_challenge(services: Services, pool: Pool, client: Client, user: User, method: str, source: str
                        ) -> dict[str, Any]:
    """Issue SOFTWARE_TOKEN_MFA, or send a code and issue SMS_MFA / EMAIL_OTP."""
    if method == mfa.TOTP:
        async with services.db.read() as conn:
            device = (await mfa.load(conn, user)).device_name
        # the name given to VerifySoftwareToken (AWS CLI reference, admin-initiate-auth example)
        parameters = {"FRIENDLY_DEVICE_NAME": device} if device else {}
        return await _challenge(services, pool, client, user, mfa.TOTP, parameters, {"source": source})
    medium, attr = ("SMS", "phone_number") if method == mfa.SMS else ("EMAIL", "email")
    destination = user.attributes[attr]
    code = services.ids.numeric_code()
    template = (pool.config.get("SmsAuthenticationMessage") if medium == "SMS" else None) \
        or "Your authentication code is {####}. "
    now = services.clock.now()
    message, _ = await custom_message(services, pool, user, MessageCause("CustomMessage_Authentication", client),
                                      code, medium, template.replace("{####}", code))
    async with services.db.begin() as conn:
        await services.sender.send(conn, Delivery(pool.id, user.username, medium, destination,
                                                  f"mfa:{method}", code, message), now)
    return await _challenge(services, pool, client, user, method, {
        "CODE_DELIVERY_DELIVERY_MEDIUM": medium, "CODE_DELIVERY_DESTINATION": mask(destination, medium)},
        {"source": source, "code": token_hash(code)})


async def _challenge(services: Services, pool: Pool, client: Client, user: User, name: str,
                     parameters: dict[str, str], data: dict[str, Any]) -> dict[str, Any]:
    session = await open_session(services, pool, client, user.username, name, data)
    return {"ChallengeName": name, "Session": session,
            "ChallengeParameters": {**parameters, "USER_ID_FOR_SRP": user.username}}


async def finish(services: Services, pool: Pool, client: Client, user: User, source: str,
                 metadata: dict[str, str] | None = None) -> dict[str, Any]:
    """The PostAuthentication trigger, then the tokens. ``metadata`` is the ClientMetadata of the
    RespondToAuthChallenge that finished the sign-in: PostAuthentication and PreTokenGeneration get it as
    ``clientMetadata`` (Cognito API Reference, RespondToAuthChallenge, ClientMetadata); InitiateAuth's never
    reaches them (InitiateAuth, ClientMetadata: "invokes the following triggers without ClientMetadata")."""
    from .ops.auth import _issue

    await post_authentication(services, pool, client, user, metadata)
    if user.failed_attempts:
        async with services.db.begin() as conn:
            await repo.update_user(conn, user, services.clock.now(), failed_attempts=0, locked_until=0.0)
    return await _issue(services, pool, client, user, source, metadata)


async def post_authentication(services: Services, pool: Pool, client: Client, user: User,
                              metadata: dict[str, str] | None = None) -> None:
    """The PostAuthentication trigger after a successful sign-in (the JSON API's and the hosted UI's); a handler
    error refuses the sign-in."""
    request: dict[str, Any] = {"userAttributes": triggers.user_attributes(pool, user), "newDeviceUsed": False}
    if metadata:
        request["clientMetadata"] = metadata
    body = triggers.event(pool, client, user.username, "PostAuthentication_Authentication", request)
    await triggers.invoke(services, pool, "PostAuthentication", body)


async def respond_challenge(services: Services, pool: Pool, client: Client, user: User, row: dict[str, Any],
                            params: dict[str, Any]) -> dict[str, Any]:
    """RespondToAuthChallenge for everything but PASSWORD_VERIFIER and NEW_PASSWORD_REQUIRED (the session
    ``row`` is already consumed and matches ``ChallengeName``)."""

    responses: dict[str, str] = params.get("ChallengeResponses") or {}
    metadata = params.get("ClientMetadata")
    name = row["challenge"]
    data = row["data"] or {}
    source = str(data.get("source") or "TokenGeneration_Authentication")
    if name == "CUSTOM_CHALLENGE":
        from .custom import answer_custom

        return await answer_custom(services, pool, client, user, data, responses, metadata)
    if name == "SELECT_MFA_TYPE":
        answer = responses.get("ANSWER", "")
        async with services.db.read() as conn:
            settings = await mfa.load(conn, user)
        if answer not in mfa.user_methods(pool, user, settings):
            raise invalid_parameter("Invalid MFA type selected.")  # message UNCONFIRMED
        return await mfa_challenge(services, pool, client, user, answer, source)
    if name == "MFA_SETUP":
        if not data.get("verified"):
            raise invalid_parameter("Software token MFA has not been verified for the user.")  # UNCONFIRMED
        return await finish(services, pool, client, user, source, metadata)
    if name in (mfa.TOTP, mfa.SMS, mfa.EMAIL):
        await check_mfa_code(services, user, name, data, responses)
        return await finish(services, pool, client, user, source, metadata)
    raise invalid_parameter(f"Challenge {name} is not supported by this poolgate version.")


MFA_CODE_FIELDS = {mfa.TOTP: "SOFTWARE_TOKEN_MFA_CODE", mfa.SMS: "SMS_MFA_CODE", mfa.EMAIL: "EMAIL_OTP_CODE"}


async def check_mfa_code(services: Services, user: User, name: str, data: dict[str, Any],
                         responses: dict[str, str]) -> None:
    """Check the answer to an MFA challenge ``name`` (its session ``data``); raises Cognito's errors. Wrong
    codes count toward the lock-out; a TOTP step works once. Shared by RespondToAuthChallenge and the hosted UI."""
    from .ops.auth import record_failure

    if user.locked_until > services.clock.now():
        raise not_authorized("Password attempts exceeded")
    field = MFA_CODE_FIELDS[name]
    code = responses.get(field)
    if not code:
        raise invalid_parameter(f"Missing required parameter {field}")
    if name == mfa.TOTP:
        async with services.db.read() as conn:
            settings = await mfa.load(conn, user)
        if not settings.totp_secret:
            raise ServiceError("SoftwareTokenMFANotFoundException", "Software Token MFA does not exist for the user.")
        step = mfa.matching_step(settings.totp_secret, code, services.clock.now())
        if step is None:
            await record_failure(services, user)
            raise ServiceError("CodeMismatchException", CODE_MISMATCH)
        async with services.db.begin() as conn:
            fresh = await mfa.consume_step(conn, user, step)
        if not fresh:
            raise ServiceError("ExpiredCodeException", TOTP_REUSED)
        return
    if not same_secret(token_hash(code), str(data.get("code"))):
        await record_failure(services, user)
        raise ServiceError("CodeMismatchException", CODE_MISMATCH)
