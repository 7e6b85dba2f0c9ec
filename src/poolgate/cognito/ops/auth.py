"""Sign-in: InitiateAuth / AdminInitiateAuth, challenges, refresh, sign-out and token revocation."""

from __future__ import annotations

import json
from typing import Any

from ...errors import ServiceError, invalid_parameter, not_authorized
from ...store.sql.tables import auth_sessions, refresh_tokens
from .. import repo
from ..access import (
    WRONG_CREDENTIALS,
    check_secret_hash,
    check_session_user,
    client_and_pool,
    same_secret,
    signing_in_user,
    user_from_access_token,
)
from ..credentials import prepare_password
from ..domain import ADMIN_SCOPE, Client, Pool, User
from ..passwords import check_policy
from ..refresh import Renewed, check_issued_to, check_usable, find_refresh_token, renew, rotation_grace
from ..revoke import revoke_refresh_token, sign_out_everywhere
from ..schema import required_attributes
from ..service import COGNITO, Caller, Services
from ..tokens import Session, new_refresh_token, token_hash
from ..unknown_users import pre_authentication_unknown, unknown_user_name
from .pools import owned_pool

LOCKOUT_AFTER = 5
LOCKOUT_MAX_SECONDS = 900.0


async def check_password(services: Services, user: User, password: str) -> None:
    """Verify ``password``, counting failures towards Cognito's lock-out; raises NotAuthorized on failure."""
    now = services.clock.now()
    if user.locked_until > now:
        raise not_authorized("Password attempts exceeded")
    if await services.hasher.verify(user.password_hash, password):
        from ..challenges import password_accepted

        await password_accepted(services, user, password)
        return
    await record_failure(services, user)
    if user.status == "UNCONFIRMED":
        # AWS quirk: an unconfirmed user hears so even with a wrong password.
        raise ServiceError("UserNotConfirmedException", "User is not confirmed.")
    raise not_authorized(WRONG_CREDENTIALS)


async def record_failure(services: Services, user: User) -> None:
    """Count a wrong password or code towards the lock-out (doubling delays after LOCKOUT_AFTER failures)."""
    now = services.clock.now()
    failures = user.failed_attempts + 1
    locked_until = 0.0
    if failures >= LOCKOUT_AFTER:
        locked_until = now + min(2.0 ** (failures - LOCKOUT_AFTER), LOCKOUT_MAX_SECONDS)
    async with services.db.begin() as conn:
        await repo.update_user(conn, user, now, failed_attempts=failures, locked_until=locked_until)


_INSERT_REFRESH = refresh_tokens.insert()
"""Built once; every sign-in runs it with its values (``Database.write``)."""


async def _issue(services: Services, pool: Pool, client: Client, user: User,
                 source: str = "TokenGeneration_Authentication", metadata: dict[str, str] | None = None
                 ) -> dict[str, Any]:
    from ..pretoken import customize

    now = services.clock.now()
    refresh = new_refresh_token()
    session = Session(origin_jti=services.ids.uuid(), auth_time=int(now), event_id=services.ids.uuid(),
                      scopes=[ADMIN_SCOPE])
    custom = await customize(services, pool, client, user, session, source, metadata)
    user, session = custom.user, custom.session
    await services.db.write(_INSERT_REFRESH, {
        "token_hash": token_hash(refresh), "pool_id": pool.id, "client_id": client.client_id,
        "username": user.username, "origin_jti": session.origin_jti, "auth_time": now, "created": now,
        "expires": now + client.refresh_validity})
    issued = await services.tokens.mint(pool, client, user, session, now, extra_id_claims=custom.id_claims,
                                        extra_access_claims=custom.access_claims)
    return {"ChallengeParameters": {}, "AuthenticationResult": {
        "AccessToken": issued.access_token, "ExpiresIn": issued.expires_in, "TokenType": "Bearer",
        "RefreshToken": refresh, "IdToken": issued.id_token}}


async def _challenge(services: Services, pool: Pool, client: Client, user: User, name: str,
                     parameters: dict[str, str]) -> dict[str, Any]:
    now = services.clock.now()
    session = services.ids.token(96)
    validity = int(client.config.get("AuthSessionValidity") or 3) * 60
    async with services.db.begin() as conn:
        await conn.execute(auth_sessions.insert().values(
            session_hash=token_hash(session), pool_id=pool.id, client_id=client.client_id, username=user.username,
            challenge=name, data={}, expires=now + validity))
    return {"ChallengeName": name, "Session": session, "ChallengeParameters": parameters}


async def _password_flow(services: Services, pool: Pool, client: Client, auth: dict[str, str],
                         metadata: dict[str, str] | None = None) -> dict[str, Any]:
    from ..challenges import pre_authentication

    username = auth.get("USERNAME")
    password = auth.get("PASSWORD")
    if not username:
        raise invalid_parameter("Missing required parameter USERNAME")
    if password is None:
        raise invalid_parameter("Missing required parameter PASSWORD")
    user = await repo.find_signing_in_user(services.db, pool, username)
    check_secret_hash(client, [username, *([user.username] if user else [])], auth.get("SECRET_HASH"))
    user = signing_in_user(client, await known_or_migrated(services, pool, client, username, password, user,
                                                           metadata))
    await pre_authentication(services, pool, client, user, metadata)
    await check_password(services, user, password)
    return await after_first_factor(services, pool, client, user)  # InitiateAuth's metadata stops here


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
    from ..challenges import migrate_user

    if found is not None:
        return found
    user = await migrate_user(services, pool, client, username, password, metadata)
    if user is None:
        if client.prevent_user_existence_errors:  # after UserMigration: order UNCONFIRMED
            stand_in = await unknown_user_name(services, pool, username)
            await pre_authentication_unknown(services, pool, client, stand_in, metadata)
        await services.hasher.verify(None, password)  # as long as a real check: timing tells nothing
    return user


async def after_first_factor(services: Services, pool: Pool, client: Client, user: User,
                             metadata: dict[str, str] | None = None) -> dict[str, Any]:
    """After the password (or SRP proof): status checks, NEW_PASSWORD_REQUIRED, then MFA or tokens. ``metadata``
    is the ClientMetadata of a RespondToAuthChallenge (PASSWORD_VERIFIER), never InitiateAuth's."""
    from ..challenges import second_factor

    if user.status == "UNCONFIRMED":
        raise ServiceError("UserNotConfirmedException", "User is not confirmed.")
    if user.status == "RESET_REQUIRED":
        raise ServiceError("PasswordResetRequiredException", "Password reset required for the user")
    if user.status == "FORCE_CHANGE_PASSWORD":
        if temporary_password_expired(services, pool, user):
            raise not_authorized("Temporary password has expired and must be reset by an administrator.")
        attrs = {k: v for k, v in user.attributes.items() if k not in ("email_verified", "phone_number_verified")}
        required = [f"userAttributes.{a}" for a in required_attributes(pool.config) if not user.attributes.get(a)]
        return await _challenge(services, pool, client, user, "NEW_PASSWORD_REQUIRED", {
            # compact JSON, as AWS writes these strings (captured challenges: `{"email":"…"}`)
            "USER_ID_FOR_SRP": user.username, "requiredAttributes": json.dumps(required, separators=(",", ":")),
            "userAttributes": json.dumps(attrs, separators=(",", ":"))})
    return await second_factor(services, pool, client, user, metadata=metadata)


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


async def _refresh_flow(services: Services, pool: Pool, client: Client, auth: dict[str, str]) -> dict[str, Any]:
    token = auth.get("REFRESH_TOKEN")
    if not token:
        raise invalid_parameter("Missing required parameter REFRESH_TOKEN")
    if rotation_grace(client) is not None:
        # "You can't authenticate with REFRESH_TOKEN_AUTH in app clients with refresh token rotation enabled"
        # (Developer Guide, refresh tokens); the error AWS answers with is UNCONFIRMED.
        raise invalid_parameter("Refresh token rotation is enabled for this client: use GetTokensFromRefreshToken.")
    stored = check_issued_to(await find_refresh_token(services, pool, token), pool, client)
    row, user = stored.row, stored.user
    check_secret_hash(client, [row["username"], *([user.sub] if user else [])], auth.get("SECRET_HASH"))
    user = check_usable(stored, client, services.clock.now(), reuse_error=False)
    renewed = await renew(services, pool, client, stored, user, rotate=False)
    return {"ChallengeParameters": {}, "AuthenticationResult": _result(renewed)}


def _result(renewed: Renewed) -> dict[str, Any]:
    """AuthenticationResult of a renewal: the new refresh token only when the client rotates."""
    issued = renewed.issued
    result: dict[str, Any] = {"AccessToken": issued.access_token, "ExpiresIn": issued.expires_in,
                              "TokenType": "Bearer"}
    if renewed.refresh_token is not None:
        result["RefreshToken"] = renewed.refresh_token
    result["IdToken"] = issued.id_token
    return result


@COGNITO.operation("GetTokensFromRefreshToken")
async def get_tokens_from_refresh_token(services: Services, caller: Caller, params: dict[str, Any]
                                        ) -> dict[str, Any]:
    """New ID and access tokens, and with RefreshTokenRotation ENABLED a new refresh token (the one given stays
    valid for RetryGracePeriodSeconds): what aws-amplify v6 refreshes with. ``DeviceKey`` is accepted and not
    used: poolgate remembers no devices."""
    pool, client = await client_and_pool(services, params["ClientId"])
    if client.secret:  # the secret itself, not a SECRET_HASH (API Reference, GetTokensFromRefreshToken)
        if not params.get("ClientSecret"):
            # the wording of InitiateAuth's missing SECRET_HASH; for ClientSecret UNCONFIRMED
            raise not_authorized(f"Client {client.client_id} is configured for secret but secret was not received")
        if not same_secret(params["ClientSecret"], client.secret):
            raise not_authorized(f"Unable to verify secret hash for client {client.client_id}")  # UNCONFIRMED
    stored = check_issued_to(await find_refresh_token(services, pool, params["RefreshToken"]), pool, client)
    user = check_usable(stored, client, services.clock.now(), reuse_error=True)
    renewed = await renew(services, pool, client, stored, user, rotate=True, metadata=params.get("ClientMetadata"))
    return {"AuthenticationResult": _result(renewed)}


def _require_flow(client: Client, flow: str) -> None:
    if not client.allows(flow):
        if flow == "USER_PASSWORD_AUTH":
            raise invalid_parameter("USER_PASSWORD_AUTH flow not enabled for this client")
        raise invalid_parameter("Auth flow not enabled for this client")


async def _initiate(services: Services, pool: Pool, client: Client, flow: str, auth: dict[str, str],
                    admin: bool, metadata: dict[str, str] | None = None) -> dict[str, Any]:
    password_flows = ("ADMIN_USER_PASSWORD_AUTH", "ADMIN_NO_SRP_AUTH") if admin else ("USER_PASSWORD_AUTH",)
    if flow in password_flows:
        _require_flow(client, flow)
        return await _password_flow(services, pool, client, auth, metadata)
    if flow in ("REFRESH_TOKEN_AUTH", "REFRESH_TOKEN"):
        _require_flow(client, flow)
        return await _refresh_flow(services, pool, client, auth)
    if flow in ("USER_SRP_AUTH", "CUSTOM_AUTH"):
        from ..custom import custom_initiate
        from ..srp_flow import srp_initiate

        _require_flow(client, flow)
        if flow == "USER_SRP_AUTH":
            return await srp_initiate(services, pool, client, auth, metadata)
        return await custom_initiate(services, pool, client, auth, metadata)
    if flow == "USER_AUTH":
        _require_flow(client, flow)
        raise invalid_parameter(f"{flow} is not supported by this poolgate version.")
    raise invalid_parameter("Initiate Auth method not supported.")


@COGNITO.operation("InitiateAuth")
async def initiate_auth(services: Services, caller: Caller, params: dict[str, Any]) -> dict[str, Any]:
    pool, client = await client_and_pool(services, params["ClientId"])
    return await _initiate(services, pool, client, params["AuthFlow"], params.get("AuthParameters") or {}, False,
                           params.get("ClientMetadata"))


@COGNITO.operation("AdminInitiateAuth")
async def admin_initiate_auth(services: Services, caller: Caller, params: dict[str, Any]) -> dict[str, Any]:
    pool = await owned_pool(services, caller, params["UserPoolId"])
    async with services.db.read() as conn:
        client = await repo.get_client(conn, params["ClientId"], pool.id)
    return await _initiate(services, pool, client, params["AuthFlow"], params.get("AuthParameters") or {}, True,
                           params.get("ClientMetadata"))


async def _respond(services: Services, pool: Pool, client: Client, params: dict[str, Any]) -> dict[str, Any]:
    from ..challenges import respond_challenge
    from ..srp_flow import respond_password_verifier

    responses: dict[str, str] = params.get("ChallengeResponses") or {}
    if params["ChallengeName"] in ("PASSWORD_VERIFIER", "DEVICE_PASSWORD_VERIFIER"):
        return await respond_password_verifier(services, pool, client, params)
    from ..challenges import claim_session

    now = services.clock.now()
    row = await claim_session(services, params.get("Session") or "")  # single use
    if (row is None or row["expires"] <= now or row["client_id"] != client.client_id
            or row["challenge"] != params["ChallengeName"]):
        raise not_authorized("Invalid session for the user, session is expired.")
    from ..custom import answer_unknown, is_unknown_user_session

    if is_unknown_user_session(row):
        return await answer_unknown(services, pool, client, row, params)
    async with services.db.read() as conn:
        user = await repo.find_user(conn, pool, row["username"], aliases=False)
    if user is None:
        raise not_authorized("Invalid session for the user, session is expired.")
    check_secret_hash(client, [responses.get("USERNAME", ""), user.username], responses.get("SECRET_HASH"))
    await check_session_user(services, pool, user.username, responses.get("USERNAME"), sub=user.sub)
    if row["challenge"] == "NEW_PASSWORD_REQUIRED":
        new_password = responses.get("NEW_PASSWORD")
        if not new_password:
            raise invalid_parameter("Missing required parameter NEW_PASSWORD")
        changes = {k.removeprefix("userAttributes."): v for k, v in responses.items()
                   if k.startswith("userAttributes.")}
        user = await accept_new_password(services, pool, user, new_password, changes)
        from ..challenges import second_factor

        return await second_factor(services, pool, client, user, source="TokenGeneration_NewPasswordChallenge",
                                   metadata=params.get("ClientMetadata"))
    return await respond_challenge(services, pool, client, user, row, params)


@COGNITO.operation("RespondToAuthChallenge")
async def respond_to_auth_challenge(services: Services, caller: Caller, params: dict[str, Any]) -> dict[str, Any]:
    pool, client = await client_and_pool(services, params["ClientId"])
    return await _respond(services, pool, client, params)


@COGNITO.operation("AdminRespondToAuthChallenge")
async def admin_respond_to_auth_challenge(services: Services, caller: Caller, params: dict[str, Any]
                                          ) -> dict[str, Any]:
    pool = await owned_pool(services, caller, params["UserPoolId"])
    async with services.db.read() as conn:
        client = await repo.get_client(conn, params["ClientId"], pool.id)
    return await _respond(services, pool, client, params)


@COGNITO.operation("GlobalSignOut")
async def global_sign_out(services: Services, caller: Caller, params: dict[str, Any]) -> dict[str, Any]:
    pool, user, _ = await user_from_access_token(services, params["AccessToken"])
    await sign_out_everywhere(services, pool, user)
    return {}


@COGNITO.operation("AdminUserGlobalSignOut")
async def admin_user_global_sign_out(services: Services, caller: Caller, params: dict[str, Any]
                                     ) -> dict[str, Any]:
    pool = await owned_pool(services, caller, params["UserPoolId"])
    async with services.db.read() as conn:
        user = await repo.get_user(conn, pool, params["Username"])
    await sign_out_everywhere(services, pool, user)
    return {}


@COGNITO.operation("RevokeToken")
async def revoke_token(services: Services, caller: Caller, params: dict[str, Any]) -> dict[str, Any]:
    try:
        _, client = await client_and_pool(services, params["ClientId"])
    except ServiceError as err:
        if err.code != "ResourceNotFoundException":
            raise
        # RevokeToken declares no ResourceNotFoundException: an unknown client cannot be authorized.
        raise ServiceError("UnauthorizedException", err.message) from err
    if client.secret and not same_secret(params.get("ClientSecret"), client.secret):
        # RevokeToken declares no NotAuthorizedException: a bad client secret is UnauthorizedException.
        raise ServiceError("UnauthorizedException", f"Unable to verify secret hash for client {client.client_id}")
    if not client.config.get("EnableTokenRevocation", True):
        raise ServiceError("UnsupportedOperationException", "Token revocation is not enabled for this client.")
    token = params["Token"]
    if token.count(".") == 2:
        raise ServiceError("UnsupportedTokenTypeException", "The token type is not supported.")
    if not await revoke_refresh_token(services, client.client_id, token):
        raise ServiceError("UnauthorizedException", "The token was not issued to this client.")
    return {}
