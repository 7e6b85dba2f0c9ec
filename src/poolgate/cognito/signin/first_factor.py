"""The first factor by password: the user a name signs in as (UserMigration for an unknown name), PreAuthentication,
the password, the user's status and NEW_PASSWORD_REQUIRED; then ``factors.second_factor``."""

from __future__ import annotations

import json
from typing import Any

from ...errors import ServiceError, invalid_parameter
from ...services import Services
from .. import repo, triggers
from ..access import check_secret_hash
from ..credentials import prepare_password
from ..domain import Client, Pool, User
from ..passwords import check_policy
from ..schema import required_attributes
from ..unknown_users import pre_authentication_unknown, unknown_user_name
from ..users import insert_user
from . import errors
from .factors import second_factor
from .lockout import check_password
from .sessions import open_session
from .state import NEW_PASSWORD, SOURCE, NewPassword
from .steps import Challenge, Step

NEW_PASSWORD_SOURCE = "TokenGeneration_NewPasswordChallenge"


async def password_start(services: Services, pool: Pool, client: Client, auth: dict[str, str],
                         metadata: dict[str, str] | None = None) -> Step:
    """USER_PASSWORD_AUTH and ADMIN_USER_PASSWORD_AUTH. ``metadata`` (InitiateAuth's) reaches the first factor's
    triggers only."""
    username = auth.get("USERNAME")
    password = auth.get("PASSWORD")
    if not username:
        raise invalid_parameter("Missing required parameter USERNAME")
    if password is None:
        raise invalid_parameter("Missing required parameter PASSWORD")
    found = await repo.find_signing_in_user(services.db, pool, username)
    check_secret_hash(client, [username, *([found.username] if found else [])], auth.get("SECRET_HASH"))
    user = await password_factor(services, pool, client, username, password, found, metadata)
    return await after_first_factor(services, pool, client, user)  # InitiateAuth's metadata stops here


async def password_factor(services: Services, pool: Pool, client: Client, username: str, password: str,
                          found: User | None, metadata: dict[str, str] | None = None) -> User:
    """The first factor by password, for InitiateAuth's password flows and the hosted UI's login alike: the user
    ``username`` signs in as (``found`` by the lookup, or migrated), PreAuthentication, then the password. Raises
    SignInError (or a trigger's refusal)."""
    user = signing_in_user(client, await known_or_migrated(services, pool, client, username, password, found,
                                                           metadata))
    await pre_authentication(services, pool, client, user, metadata)
    await check_password(services, user, password)
    return user


def signing_in_user(client: Client, user: User | None) -> User:
    """The user a sign-in names, refused as Cognito does: unknown (hidden behind the wrong-credentials
    message when the client prevents user-existence errors) or disabled."""
    if user is None:
        if client.prevent_user_existence_errors:
            raise errors.wrong_credentials()
        raise errors.user_not_found()
    if not user.enabled:
        raise errors.disabled()
    return user


async def known_or_migrated(services: Services, pool: Pool, client: Client, username: str, password: str,
                            found: User | None, metadata: dict[str, str] | None = None) -> User | None:
    """The user a password sign-in for ``username`` goes on with, as InitiateAuth's password flow and the hosted
    UI's login both resolve it: ``found`` (the lookup), else the user the UserMigration trigger vouches for (and
    creates). For a name that stays unknown: PreAuthentication with userNotFound on a client with
    PreventUserExistenceErrors, and a password check against nothing (timing tells nothing); then None.

    "When a user doesn't exist in the user pool at sign-in with a password, ... Amazon Cognito invokes this trigger"
    (CogDG:user-pool-lambda-migrate-user.md), whether the user "signs in with the Amazon Cognito user pools API or
    through managed login" (CogDG:cognito-user-pools-import-using-lambda.md, "Sign-in process"). ``metadata``:
    InitiateAuth's ClientMetadata (the triggers' validationData); the hosted UI has none."""
    if found is not None:
        return found
    user = await migrate_user(services, pool, client, username, password, metadata)
    if user is None:
        if client.prevent_user_existence_errors:  # after UserMigration: order UNCONFIRMED
            stand_in = await unknown_user_name(services, pool, username)
            await pre_authentication_unknown(services, pool, client, stand_in, metadata)
        await services.hasher.verify(None, password)  # as long as a real check: timing tells nothing
    return user


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
        raise errors.migration_found_nobody(client.client_id)
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


def check_status(services: Services, pool: Pool, user: User) -> None:
    """Refuse a user whose status stops a sign-in after a correct first factor (the JSON API's answers)."""
    if user.status == "UNCONFIRMED":
        raise errors.not_confirmed()
    if user.status == "RESET_REQUIRED":
        raise errors.reset_required()
    if user.status == "FORCE_CHANGE_PASSWORD" and temporary_password_expired(services, pool, user):
        raise errors.temporary_password_expired()


async def after_first_factor(services: Services, pool: Pool, client: Client, user: User,
                             metadata: dict[str, str] | None = None) -> Step:
    """After the password (or SRP proof): status checks, NEW_PASSWORD_REQUIRED, then MFA or tokens. ``metadata``
    is the ClientMetadata of a RespondToAuthChallenge (PASSWORD_VERIFIER), never InitiateAuth's."""
    check_status(services, pool, user)
    if user.status == "FORCE_CHANGE_PASSWORD":
        attrs = {k: v for k, v in user.attributes.items() if k not in ("email_verified", "phone_number_verified")}
        required = [f"userAttributes.{a}" for a in required_attributes(pool.config) if not user.attributes.get(a)]
        session = await open_session(services, pool, client, user.username, NEW_PASSWORD, NewPassword())
        return Challenge(NEW_PASSWORD, {
            # compact JSON, as AWS writes these strings (captured challenges: `{"email":"…"}`)
            "USER_ID_FOR_SRP": user.username, "requiredAttributes": json.dumps(required, separators=(",", ":")),
            "userAttributes": json.dumps(attrs, separators=(",", ":"))}, session)
    return await second_factor(services, pool, client, user, SOURCE, metadata=metadata)


async def answer_new_password(services: Services, pool: Pool, client: Client, user: User,
                              responses: dict[str, str], metadata: dict[str, str] | None) -> Step:
    """RespondToAuthChallenge with NEW_PASSWORD_REQUIRED: the new password and required attributes, then MFA or
    the tokens (PreTokenGeneration's ``TokenGeneration_NewPasswordChallenge``)."""
    new_password = responses.get("NEW_PASSWORD")
    if not new_password:
        raise invalid_parameter("Missing required parameter NEW_PASSWORD")
    changes = {k.removeprefix("userAttributes."): v for k, v in responses.items() if k.startswith("userAttributes.")}
    user = await accept_new_password(services, pool, user, new_password, changes)
    return await second_factor(services, pool, client, user, NEW_PASSWORD_SOURCE, metadata)


async def accept_new_password(services: Services, pool: Pool, user: User, new_password: str,
                              changes: dict[str, str]) -> User:
    """Answer NEW_PASSWORD_REQUIRED (the JSON API's and the hosted UI's): policy, required attributes, then
    store the password (``prepare_password``) and confirm the user. Raises InvalidPassword/InvalidParameter."""
    check_policy(new_password, pool.password_policy)
    attributes = {**user.attributes, **changes}
    missing = [a for a in required_attributes(pool.config) if not attributes.get(a)]
    if missing:
        raise invalid_parameter(f"Invalid attributes given, {missing[0]} is missing")
    hashed = await prepare_password(services.hasher, new_password)
    now = services.clock.now()
    async with services.db.begin() as conn:
        await repo.update_user(conn, user, now, **hashed.columns(pool.id, user.username), password_set_at=now,
                               status="CONFIRMED", attributes=attributes)
        return await repo.get_user(conn, pool, user.username, aliases=False)


def temporary_password_expired(services: Services, pool: Pool, user: User) -> bool:
    days = int(pool.password_policy.get("TemporaryPasswordValidityDays", 7))
    return (user.password_set_at or 0) + days * 86400 < services.clock.now()
