"""Sign-in: InitiateAuth / AdminInitiateAuth, challenges, refresh, sign-out and token revocation."""

from __future__ import annotations

from typing import Any

from ...errors import ServiceError, not_authorized
from .. import repo
from ..access import client_and_pool, same_secret, user_from_access_token
from ..domain import Client, Pool
from ..refresh import check_issued_to, check_usable, find_refresh_token, renew
from ..revoke import revoke_refresh_token, sign_out_everywhere
from ..service import COGNITO, Caller, Services
from ..signin.device import refresh_device
from ..signin.engine import Engine
from ..signin.steps import Challenge, Step, Tokens
from .pools import owned_pool


def render(step: Step) -> dict[str, Any]:
    """InitiateAuth's and RespondToAuthChallenge's answer for ``step``."""
    if isinstance(step, Challenge):
        out: dict[str, Any] = {"ChallengeName": step.name}
        if step.session is not None:
            out["Session"] = step.session
        out["ChallengeParameters"] = step.parameters
        if step.available:  # SELECT_CHALLENGE (InitiateAuth / AdminInitiateAuth only)
            out["AvailableChallenges"] = list(step.available)
        return out
    return {"ChallengeParameters": {}, "AuthenticationResult": _result(step.tokens)}


def _result(tokens: Tokens) -> dict[str, Any]:
    """An AuthenticationResult: a refresh token only when one was issued (a sign-in, or a rotating renewal)."""
    result: dict[str, Any] = {"AccessToken": tokens.access_token, "ExpiresIn": tokens.expires_in,
                              "TokenType": "Bearer"}
    if tokens.refresh_token is not None:
        result["RefreshToken"] = tokens.refresh_token
    result["IdToken"] = tokens.id_token
    if tokens.new_device is not None:  # a sign-in without a device in a pool that tracks devices
        result["NewDeviceMetadata"] = {"DeviceKey": tokens.new_device.key,
                                       "DeviceGroupKey": tokens.new_device.group_key}
    return result


@COGNITO.operation("GetTokensFromRefreshToken")
async def get_tokens_from_refresh_token(services: Services, caller: Caller, params: dict[str, Any]
                                        ) -> dict[str, Any]:
    """New ID and access tokens, and with RefreshTokenRotation ENABLED a new refresh token (the one given stays
    valid for RetryGracePeriodSeconds): what aws-amplify v6 refreshes with. ``DeviceKey``: the device the
    renewed access token names (``signin/device.refresh_device``)."""
    pool, client = await client_and_pool(services, params["ClientId"])
    if client.secret:  # the secret itself, not a SECRET_HASH (API Reference, GetTokensFromRefreshToken)
        if not params.get("ClientSecret"):
            # the wording of InitiateAuth's missing SECRET_HASH; for ClientSecret UNCONFIRMED
            raise not_authorized(f"Client {client.client_id} is configured for secret but secret was not received")
        if not same_secret(params["ClientSecret"], client.secret):
            raise not_authorized(f"Unable to verify secret hash for client {client.client_id}")  # UNCONFIRMED
    stored = check_issued_to(await find_refresh_token(services, pool, params["RefreshToken"]), pool, client)
    user = check_usable(stored, client, services.clock.now(), reuse_error=True)
    device_key = await refresh_device(services, pool, user, params.get("DeviceKey"))
    renewed = await renew(services, pool, client, stored, user, rotate=True, metadata=params.get("ClientMetadata"),
                          device_key=device_key)
    issued = renewed.issued
    return {"AuthenticationResult": _result(Tokens(issued.access_token, issued.id_token, issued.expires_in,
                                                   renewed.refresh_token))}


@COGNITO.operation("InitiateAuth")
async def initiate_auth(services: Services, caller: Caller, params: dict[str, Any]) -> dict[str, Any]:
    pool, client = await client_and_pool(services, params["ClientId"])
    return render(await Engine(services).start(params["AuthFlow"], pool, client, params.get("AuthParameters") or {},
                                               params.get("ClientMetadata")))


@COGNITO.operation("AdminInitiateAuth")
async def admin_initiate_auth(services: Services, caller: Caller, params: dict[str, Any]) -> dict[str, Any]:
    pool = await owned_pool(services, caller, params["UserPoolId"])
    async with services.db.read() as conn:
        client = await repo.get_client(conn, params["ClientId"], pool.id)
    return render(await Engine(services).start(params["AuthFlow"], pool, client, params.get("AuthParameters") or {},
                                               params.get("ClientMetadata"), admin=True))


async def _respond(services: Services, pool: Pool, client: Client, params: dict[str, Any]) -> dict[str, Any]:
    return render(await Engine(services).answer(pool, client, params["ChallengeName"], params.get("Session") or "",
                                                params.get("ChallengeResponses") or {}, params.get("ClientMetadata")))


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
