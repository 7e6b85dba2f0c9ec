"""What users do for themselves (unsigned): sign-up, confirmation, profile, password changes and resets."""

from __future__ import annotations

from typing import Any

from ...errors import ServiceError, invalid_parameter, not_authorized
from .. import hooks, repo
from ..access import check_secret_hash, client_and_pool, user_from_access_token
from ..credentials import prepare_password
from ..delivery import send_attribute_codes, send_code
from ..domain import Client, Pool, User
from ..passwords import check_policy
from ..schema import attributes_from_list
from ..service import COGNITO, Caller, Services
from ..signin.first_factor import migrate_user
from ..signin.lockout import check_password
from ..users import apply_attribute_changes, insert_user, new_user_name
from .mfa import user_mfa_fields
from .users import delete_user_rows

_HIDDEN_DELIVERY = {"Destination": "u***@e***", "DeliveryMedium": "EMAIL", "AttributeName": "email"}
"""What a client with PreventUserExistenceErrors ENABLED hears about a code "sent" to an unknown user."""
_NO_CHANNEL = "Cannot reset password for the user as there is no registered/verified email or phone_number"

_NOT_FOUND = "Username/client id combination not found."


async def _named_user(services: Services, pool: Pool, client: Client, params: dict[str, Any]) -> User | None:
    """The user ``Username`` names, once the client's ``SecretHash`` checks out (for that name or the user's)."""
    async with services.db.read() as conn:
        user = await repo.find_user(conn, pool, params["Username"])
    check_secret_hash(client, [params["Username"], *([user.username] if user else [])], params.get("SecretHash"))
    return user


def _unknown_user(client: Client) -> ServiceError:
    """A code confirmed for no user: a wrong code to a client that prevents user-existence errors."""
    if client.prevent_user_existence_errors:
        return ServiceError("CodeMismatchException", "Invalid verification code provided, please try again.")
    return ServiceError("UserNotFoundException", _NOT_FOUND)



async def _token_client(services: Services, claims: dict[str, Any]) -> Client | None:
    """The app client an access token was issued to (None if it has been deleted since)."""
    try:
        return await services.records.client(str(claims.get("client_id")))
    except ServiceError:
        return None


def _code_to_unknown_user(client: Client) -> dict[str, Any]:
    """A code asked for no user: a made-up delivery to a client that prevents user-existence errors."""
    if client.prevent_user_existence_errors:
        return {"CodeDeliveryDetails": dict(_HIDDEN_DELIVERY)}
    raise ServiceError("UserNotFoundException", _NOT_FOUND)

@COGNITO.operation("SignUp")
async def sign_up(services: Services, caller: Caller, params: dict[str, Any]) -> dict[str, Any]:
    pool, client = await client_and_pool(services, params["ClientId"])
    check_secret_hash(client, [params["Username"]], params.get("SecretHash"))
    if (pool.config.get("AdminCreateUserConfig") or {}).get("AllowAdminCreateUserOnly"):
        raise not_authorized("SignUp is not permitted for this user pool")
    if "Password" not in params:
        raise invalid_parameter("1 validation error detected: Value null at 'password' failed to satisfy "
                                "constraint: Member must not be null")
    check_policy(params["Password"], pool.password_policy)
    attributes = attributes_from_list(params.get("UserAttributes"))
    sub, name = new_user_name(services, pool, params["Username"], attributes)
    verdict = await hooks.pre_sign_up(services, pool, client, name, attributes, params, "PreSignUp_SignUp")
    hooks.apply_verdict(verdict, attributes)
    hashed = await prepare_password(services.hasher, params["Password"])
    status = "CONFIRMED" if verdict.auto_confirm else "UNCONFIRMED"
    cause = hooks.MessageCause("CustomMessage_SignUp", client, params.get("ClientMetadata"))
    async with services.db.begin() as conn:
        user = await insert_user(conn, services, pool, params["Username"], attributes, status, hashed, sub=sub)
        details = None if verdict.auto_confirm else await send_code(conn, services, pool, user, "signup",
                                                                    verified_only=False, cause=cause)
    if verdict.auto_confirm:
        await hooks.post_confirmation(services, pool, client, user, "PostConfirmation_ConfirmSignUp",
                                      params.get("ClientMetadata"))
    result: dict[str, Any] = {"UserConfirmed": verdict.auto_confirm, "UserSub": user.sub}
    if details:
        result["CodeDeliveryDetails"] = details
    return result


@COGNITO.operation("ConfirmSignUp")
async def confirm_sign_up(services: Services, caller: Caller, params: dict[str, Any]) -> dict[str, Any]:
    pool, client = await client_and_pool(services, params["ClientId"])
    user = await _named_user(services, pool, client, params)
    if user is None:
        raise _unknown_user(client)
    if user.status != "UNCONFIRMED":
        raise not_authorized(f"User cannot be confirmed. Current status is {user.status}")
    now = services.clock.now()
    async with services.db.begin() as conn:
        failure = await repo.check_code(conn, pool.id, user.username, "signup", params["ConfirmationCode"], now)
        if failure is None:
            attributes = dict(user.attributes)
            for attr in pool.auto_verified:
                if attr in attributes:
                    attributes[f"{attr}_verified"] = "true"
            # a verified alias another user holds: AliasExistsException, unless ForceAliasCreation moves it here
            await repo.update_user(conn, user, now, status="CONFIRMED", attributes=attributes, pool=pool,
                                   force_aliases=bool(params.get("ForceAliasCreation")))
    if failure:
        raise failure
    user.status, user.attributes = "CONFIRMED", attributes
    await hooks.post_confirmation(services, pool, client, user, "PostConfirmation_ConfirmSignUp",
                                  params.get("ClientMetadata"))
    return {}


@COGNITO.operation("ResendConfirmationCode")
async def resend_confirmation_code(services: Services, caller: Caller, params: dict[str, Any]) -> dict[str, Any]:
    pool, client = await client_and_pool(services, params["ClientId"])
    user = await _named_user(services, pool, client, params)
    if user is None:
        return _code_to_unknown_user(client)
    if user.status != "UNCONFIRMED":
        raise invalid_parameter("User is already confirmed.")
    # the sign-up code again, but CustomMessage hears CustomMessage_ResendCode "To resend the confirmation code to
    # an existing user" (Cognito Developer Guide, Customizing user pool workflows with Lambda triggers)
    cause = hooks.MessageCause("CustomMessage_ResendCode", client, params.get("ClientMetadata"))
    async with services.db.begin() as conn:
        details = await send_code(conn, services, pool, user, "signup", verified_only=False, cause=cause)
    if details is None:
        raise invalid_parameter("No verified email or phone_number to send the code to.")
    return {"CodeDeliveryDetails": details}


@COGNITO.operation("GetUser")
async def get_user(services: Services, caller: Caller, params: dict[str, Any]) -> dict[str, Any]:
    pool, user, _ = await user_from_access_token(services, params["AccessToken"])
    return {"Username": user.username, "UserAttributes": user.attribute_list(),
            **await user_mfa_fields(services, pool, user)}


@COGNITO.operation("UpdateUserAttributes")
async def update_user_attributes(services: Services, caller: Caller, params: dict[str, Any]) -> dict[str, Any]:
    pool, user, claims = await user_from_access_token(services, params["AccessToken"])
    changes = attributes_from_list(params["UserAttributes"])
    cause = hooks.MessageCause("CustomMessage_UpdateUserAttribute", await _token_client(services, claims),
                               params.get("ClientMetadata"))
    async with services.db.begin() as conn:
        merged = await apply_attribute_changes(conn, services, pool, user, changes, admin=False)
        await repo.update_user(conn, user, services.clock.now(), attributes=merged, pool=pool)
        user.attributes = merged
        deliveries = await send_attribute_codes(conn, services, pool, user, changes, cause)
    return {"CodeDeliveryDetailsList": deliveries} if deliveries else {}


@COGNITO.operation("GetUserAttributeVerificationCode")
async def get_user_attribute_verification_code(services: Services, caller: Caller, params: dict[str, Any]
                                               ) -> dict[str, Any]:
    pool, user, claims = await user_from_access_token(services, params["AccessToken"])
    attr = params["AttributeName"]
    cause = hooks.MessageCause("CustomMessage_VerifyUserAttribute", await _token_client(services, claims),
                               params.get("ClientMetadata"))
    async with services.db.begin() as conn:
        details = await send_code(conn, services, pool, user, f"verify:{attr}", verified_only=False,
                                  attribute=attr, cause=cause)
    if details is None:
        raise invalid_parameter(f"The user does not have an attribute {attr}.")
    return {"CodeDeliveryDetails": details}


@COGNITO.operation("VerifyUserAttribute")
async def verify_user_attribute(services: Services, caller: Caller, params: dict[str, Any]) -> dict[str, Any]:
    pool, user, _ = await user_from_access_token(services, params["AccessToken"])
    attr = params["AttributeName"]
    now = services.clock.now()
    async with services.db.begin() as conn:
        failure = await repo.check_code(conn, pool.id, user.username, f"verify:{attr}", params["Code"], now)
        if failure is None:
            await repo.update_user(conn, user, now, attributes={**user.attributes, f"{attr}_verified": "true"},
                                   pool=pool)
    if failure:
        raise failure
    return {}


@COGNITO.operation("DeleteUser")
async def delete_user(services: Services, caller: Caller, params: dict[str, Any]) -> dict[str, Any]:
    pool, user, _ = await user_from_access_token(services, params["AccessToken"])
    async with services.db.begin() as conn:
        await delete_user_rows(conn, pool.id, user.username)
    return {}


@COGNITO.operation("ChangePassword")
async def change_password(services: Services, caller: Caller, params: dict[str, Any]) -> dict[str, Any]:
    pool, user, _ = await user_from_access_token(services, params["AccessToken"])
    await check_password(services, user, params.get("PreviousPassword") or "")
    check_policy(params["ProposedPassword"], pool.password_policy)
    hashed = await prepare_password(services.hasher, params["ProposedPassword"])
    now = services.clock.now()
    async with services.db.begin() as conn:
        await repo.update_user(conn, user, now, **hashed.columns(pool.id, user.username), password_set_at=now)
    return {}


@COGNITO.operation("ForgotPassword")
async def forgot_password(services: Services, caller: Caller, params: dict[str, Any]) -> dict[str, Any]:
    pool, client = await client_and_pool(services, params["ClientId"])
    user = await _named_user(services, pool, client, params)
    if user is None:
        user = await migrate_user(services, pool, client, params["Username"], None, params.get("ClientMetadata"))
    if user is None:
        return _code_to_unknown_user(client)
    if not user.enabled:
        raise not_authorized("User is disabled.")
    cause = hooks.MessageCause("CustomMessage_ForgotPassword", client, params.get("ClientMetadata"))
    async with services.db.begin() as conn:
        details = await send_code(conn, services, pool, user, "forgot", verified_only=True, cause=cause)
    if details is None:
        raise invalid_parameter(_NO_CHANNEL)
    return {"CodeDeliveryDetails": details}


@COGNITO.operation("ConfirmForgotPassword")
async def confirm_forgot_password(services: Services, caller: Caller, params: dict[str, Any]) -> dict[str, Any]:
    pool, client = await client_and_pool(services, params["ClientId"])
    user = await _named_user(services, pool, client, params)
    if user is None:
        raise _unknown_user(client)
    check_policy(params["Password"], pool.password_policy)
    hashed = await prepare_password(services.hasher, params["Password"])
    now = services.clock.now()
    async with services.db.begin() as conn:
        failure = await repo.check_code(conn, pool.id, user.username, "forgot", params["ConfirmationCode"], now)
        if failure is None:
            status = "CONFIRMED" if user.status in ("RESET_REQUIRED", "FORCE_CHANGE_PASSWORD") else user.status
            await repo.update_user(conn, user, now, **hashed.columns(pool.id, user.username), password_set_at=now,
                                   status=status,
                                   failed_attempts=0, locked_until=0.0)
    if failure:
        raise failure
    await hooks.post_confirmation(services, pool, client, user, "PostConfirmation_ConfirmForgotPassword",
                                  params.get("ClientMetadata"))
    return {}
