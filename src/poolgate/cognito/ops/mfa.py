"""MFA operations: software tokens, user preferences and the pool's MFA configuration."""

from __future__ import annotations

from typing import Any

from sqlalchemy import update

from ...errors import ServiceError, invalid_parameter
from ...store.sql.tables import user_pools
from .. import mfa, passkeys, repo
from ..access import user_from_access_token
from ..domain import Client, Pool, User
from ..service import COGNITO, Caller, Services
from ..signin import errors, factors
from ..signin.sessions import Claimed, client_of, open_session, take_session
from ..signin.state import MFA_SETUP, MfaSetup
from ..signin.totp import associate_token, verify_token
from .pools import locked_config, owned_pool

_NO_TOTP = "Software Token MFA has not been enabled by the userPool"  # CogDG:user-pool-settings-mfa-totp.md


async def _session_user(services: Services, token: str) -> tuple[Pool, Client, User, MfaSetup]:
    """The user behind an MFA_SETUP challenge Session (consumed: a fresh one is handed back)."""
    client_id = await client_of(services, token)
    if client_id is None:
        raise errors.session_expired()
    async with services.db.read() as conn:
        client = await repo.get_client(conn, client_id)
        pool = await repo.get_pool(conn, client.pool_id)
    session: Claimed = await take_session(services, client, token, MFA_SETUP)
    async with services.db.read() as conn:
        user = await repo.find_user(conn, pool, session.username, aliases=False)
    if user is None or not isinstance(session.state, MfaSetup):
        raise errors.session_expired()
    return pool, client, user, session.state


async def _caller_user(services: Services, params: dict[str, Any]
                       ) -> tuple[Pool, User, tuple[Client, MfaSetup] | None]:
    if params.get("AccessToken"):
        pool, user, _ = await user_from_access_token(services, params["AccessToken"])
        return pool, user, None
    if params.get("Session"):
        pool, client, user, session = await _session_user(services, params["Session"])
        return pool, user, (client, session)
    raise invalid_parameter("Missing required parameter AccessToken or Session")  # message UNCONFIRMED


@COGNITO.operation("AssociateSoftwareToken")
async def associate_software_token(services: Services, caller: Caller, params: dict[str, Any]) -> dict[str, Any]:
    pool, user, setup = await _caller_user(services, params)
    if mfa.TOTP not in mfa.pool_methods(pool):
        raise ServiceError("SoftwareTokenMFANotFoundException", _NO_TOTP)
    result: dict[str, Any] = {"SecretCode": await associate_token(services, user)}
    if setup is not None:
        client, saved = setup
        result["Session"] = await open_session(services, pool, client, user.username, MFA_SETUP, saved)
    return result


@COGNITO.operation("VerifySoftwareToken")
async def verify_software_token(services: Services, caller: Caller, params: dict[str, Any]) -> dict[str, Any]:
    pool, user, setup = await _caller_user(services, params)
    # MFA_SETUP during sign-in: the new token is the user's MFA from now on
    await verify_token(services, user, params["UserCode"], params.get("FriendlyDeviceName"),
                       enable=setup is not None)
    result: dict[str, Any] = {"Status": "SUCCESS"}
    if setup is not None:
        client, saved = setup
        result["Session"] = await open_session(services, pool, client, user.username, MFA_SETUP,
                                               factors.verified(saved))
    return result


async def _set_preference(services: Services, pool: Pool, user: User, params: dict[str, Any]) -> None:
    now = services.clock.now()
    async with services.db.begin() as conn:
        settings = await mfa.load(conn, user)
        for key, method in (("SMSMfaSettings", mfa.SMS), ("SoftwareTokenMfaSettings", mfa.TOTP),
                            ("EmailMfaSettings", mfa.EMAIL)):
            wanted = params.get(key)
            if not wanted:
                continue
            enabled = bool(wanted.get("Enabled"))
            if enabled and method == mfa.TOTP and not settings.totp_secret:
                # An authenticator set up but not verified, or none at all (captures: aws-amplify/amplify-js#1343;
                # aws/aws-sdk-js-v3#4645, the form AWS uses for SMS and e-mail too)
                raise invalid_parameter("User has not verified software token mfa" if settings.pending_secret
                                        else "User does not have delivery config set to turn on SOFTWARE_TOKEN_MFA")
            if enabled and method == mfa.SMS and not user.attributes.get("phone_number"):
                raise invalid_parameter("User does not have delivery config set to turn on SMS_MFA")
            if enabled and method == mfa.EMAIL and not user.attributes.get("email"):
                raise invalid_parameter("User does not have delivery config set to turn on EMAIL_OTP")
            settings.enable(method, enabled, wanted.get("PreferredMfa"))
        await mfa.save(conn, user, settings, now)


@COGNITO.operation("SetUserMFAPreference")
async def set_user_mfa_preference(services: Services, caller: Caller, params: dict[str, Any]) -> dict[str, Any]:
    pool, user, _ = await user_from_access_token(services, params["AccessToken"])
    await _set_preference(services, pool, user, params)
    return {}


@COGNITO.operation("AdminSetUserMFAPreference")
async def admin_set_user_mfa_preference(services: Services, caller: Caller, params: dict[str, Any]
                                        ) -> dict[str, Any]:
    pool = await owned_pool(services, caller, params["UserPoolId"])
    async with services.db.read() as conn:
        user = await repo.get_user(conn, pool, params["Username"])
    await _set_preference(services, pool, user, params)
    return {}


def mfa_config(pool: Pool) -> dict[str, Any]:
    """GetUserPoolMfaConfig's answer for ``pool``."""
    config = pool.config
    out: dict[str, Any] = {"MfaConfiguration": mfa.mode(pool),
                           "SoftwareTokenMfaConfiguration": {
                               "Enabled": bool((config.get("SoftwareTokenMfaConfiguration") or {}).get("Enabled"))}}
    for key in ("SmsMfaConfiguration", "EmailMfaConfiguration"):
        if config.get(key):
            out[key] = config[key]
    return out


async def user_mfa_fields(services: Services, pool: Pool, user: User) -> dict[str, Any]:
    """GetUser / AdminGetUser's ``UserMFASettingList`` and ``PreferredMfaSetting`` (omitted when empty)."""
    async with services.db.read() as conn:
        settings = await mfa.load(conn, user)
    out: dict[str, Any] = {}
    if settings.enabled:
        out["UserMFASettingList"] = list(settings.enabled)
    if settings.preferred:
        out["PreferredMfaSetting"] = settings.preferred
    return out


@COGNITO.operation("GetUserPoolMfaConfig")
async def get_user_pool_mfa_config(services: Services, caller: Caller, params: dict[str, Any]) -> dict[str, Any]:
    pool = await owned_pool(services, caller, params["UserPoolId"])
    return {**mfa_config(pool), "WebAuthnConfiguration": passkeys.configuration(services, pool)}


def _configures_a_factor(params: dict[str, Any]) -> bool:
    """Whether a SetUserPoolMfaConfig request turns on an MFA factor: an SMS or e-mail configuration, or the software
    token enabled (a software token block with Enabled false turns nothing on; AWS's answer to that is
    UNCONFIRMED)."""
    return bool(params.get("SmsMfaConfiguration") or params.get("EmailMfaConfiguration")
                or (params.get("SoftwareTokenMfaConfiguration") or {}).get("Enabled"))


@COGNITO.operation("SetUserPoolMfaConfig")
async def set_user_pool_mfa_config(services: Services, caller: Caller, params: dict[str, Any]) -> dict[str, Any]:
    pool = await owned_pool(services, caller, params["UserPoolId"])
    async with services.db.begin() as conn:
        config = await locked_config(conn, pool.id)
        for key in ("SmsMfaConfiguration", "SoftwareTokenMfaConfiguration", "EmailMfaConfiguration"):
            if key in params:
                config[key] = params[key]
        if "WebAuthnConfiguration" in params:
            config["WebAuthnConfiguration"] = passkeys.checked_configuration(params["WebAuthnConfiguration"])
        if params.get("MfaConfiguration"):
            config["MfaConfiguration"] = params["MfaConfiguration"]
        pool.config = config
        if mfa.mode(pool) == "OFF" and _configures_a_factor(params):
            # AWS's answer, from SetUserPoolMfaConfig calls made against AWS and tabulated in go-to-k/cdkd#1923
            # (OFF with EmailMfaConfiguration or SoftwareTokenMfaConfiguration; OFF alone is accepted) and quoted in
            # lgallard/terraform-aws-cognito-user-pool#74
            raise invalid_parameter("Invalid MFA configuration given, can't turn off MFA and configure an MFA "
                                    "together.")
        if mfa.mode(pool) != "OFF" and not mfa.pool_methods(pool):
            # capture: aws/aws-sdk-js#4186
            raise invalid_parameter("Invalid MFA configuration given, can't disable all MFAs with a required or "
                                    "optional configuration.")
        await conn.execute(update(user_pools).where(user_pools.c.id == pool.id)
                           .values(config=config, modified=services.clock.now()))
    records = getattr(services, "records", None)
    if records is not None:
        records.forget_pool(pool.id)
    return {**mfa_config(pool), "WebAuthnConfiguration": passkeys.configuration(services, pool)}
