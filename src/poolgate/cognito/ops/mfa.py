"""MFA operations: software tokens, user preferences and the pool's MFA configuration."""

from __future__ import annotations

from typing import Any

from sqlalchemy import update

from ...errors import ServiceError, invalid_parameter, not_authorized
from ...store.sql.tables import user_pools
from .. import mfa, repo
from ..access import user_from_access_token
from ..challenges import EXPIRED, open_session, take_session
from ..domain import Client, Pool, User
from ..service import COGNITO, Caller, Services
from .pools import locked_config, owned_pool

_NO_TOTP = "Software Token MFA has not been enabled by the userPool"  # CogDG:user-pool-settings-mfa-totp.md
_MISMATCH = "Code mismatch and fail enable Software Token MFA"  # capture: aws-amplify-auth-starters#15


async def _session_user(services: Services, token: str) -> tuple[Pool, Client, User, dict[str, Any]]:
    """The user behind an MFA_SETUP challenge Session (consumed: a fresh one is handed back)."""
    from sqlalchemy import select

    from ...store.sql.tables import auth_sessions
    from ..tokens import token_hash

    async with services.db.read() as conn:
        row = (await conn.execute(select(auth_sessions.c.client_id)
                                  .where(auth_sessions.c.session_hash == token_hash(token)))).first()
    if row is None:
        raise not_authorized(EXPIRED)
    async with services.db.read() as conn:
        client = await repo.get_client(conn, row.client_id)
        pool = await repo.get_pool(conn, client.pool_id)
    session = await take_session(services, client, token, "MFA_SETUP")
    async with services.db.read() as conn:
        user = await repo.find_user(conn, pool, session["username"], aliases=False)
    if user is None:
        raise not_authorized(EXPIRED)
    return pool, client, user, session


async def _caller_user(services: Services, params: dict[str, Any]
                       ) -> tuple[Pool, User, tuple[Client, dict[str, Any]] | None]:
    if params.get("AccessToken"):
        pool, user, _ = await user_from_access_token(services, params["AccessToken"])
        return pool, user, None
    if params.get("Session"):
        pool, client, user, session = await _session_user(services, params["Session"])
        return pool, user, (client, session)
    raise invalid_parameter("Missing required parameter AccessToken or Session")  # message UNCONFIRMED


async def associate_token(services: Services, user: User) -> str:
    """A fresh TOTP secret, kept pending until verified (AssociateSoftwareToken; the hosted UI's MFA set-up)."""
    secret = mfa.new_secret()
    async with services.db.begin() as conn:
        settings = await mfa.load(conn, user)
        settings.pending_secret = secret
        await mfa.save(conn, user, settings, services.clock.now())
    return secret


async def verify_token(services: Services, user: User, code: str, device_name: str | None, *,
                       enable: bool) -> None:
    """Make the pending secret the user's software token when ``code`` is right (VerifySoftwareToken; the hosted
    UI's MFA set-up); with ``enable``, TOTP becomes the user's enabled and preferred MFA. Raises
    SoftwareTokenMFANotFound (nothing pending) or EnableSoftwareTokenMFA (wrong or spent code)."""
    now = services.clock.now()
    async with services.db.begin() as conn:
        settings = await mfa.load(conn, user)
        secret = settings.pending_secret
        step = mfa.matching_step(secret, code, now) if secret else None
        if step is not None and await mfa.consume_step(conn, user, step):
            settings.totp_secret, settings.pending_secret = secret, None
            settings.device_name = device_name
            if enable:
                settings.enable(mfa.TOTP, True, True)
            await mfa.save(conn, user, settings, now)
            verified = True
        else:
            verified = False
    if secret is None:
        raise ServiceError("SoftwareTokenMFANotFoundException", "Software Token MFA does not exist for the user.")
    if not verified:
        raise ServiceError("EnableSoftwareTokenMFAException", _MISMATCH)


@COGNITO.operation("AssociateSoftwareToken")
async def associate_software_token(services: Services, caller: Caller, params: dict[str, Any]) -> dict[str, Any]:
    pool, user, setup = await _caller_user(services, params)
    if mfa.TOTP not in mfa.pool_methods(pool):
        raise ServiceError("SoftwareTokenMFANotFoundException", _NO_TOTP)
    result: dict[str, Any] = {"SecretCode": await associate_token(services, user)}
    if setup is not None:
        client, session = setup
        result["Session"] = await open_session(services, pool, client, user.username, "MFA_SETUP",
                                               dict(session["data"] or {}))
    return result


@COGNITO.operation("VerifySoftwareToken")
async def verify_software_token(services: Services, caller: Caller, params: dict[str, Any]) -> dict[str, Any]:
    pool, user, setup = await _caller_user(services, params)
    # MFA_SETUP during sign-in: the new token is the user's MFA from now on
    await verify_token(services, user, params["UserCode"], params.get("FriendlyDeviceName"),
                       enable=setup is not None)
    result: dict[str, Any] = {"Status": "SUCCESS"}
    if setup is not None:
        client, session = setup
        result["Session"] = await open_session(services, pool, client, user.username, "MFA_SETUP",
                                               {**(session["data"] or {}), "verified": True})
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
    return mfa_config(await owned_pool(services, caller, params["UserPoolId"]))


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
    return mfa_config(pool)
