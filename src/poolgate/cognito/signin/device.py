"""The device a sign-in call presents (``DEVICE_KEY`` in InitiateAuth's AuthParameters or in RespondToAuthChallenge's
ChallengeResponses) and what it changes: before MFA, a confirmed device is to be proven with device SRP
(``device_srp.py``); at the tokens, the device is named in the access token, or a new one is made
(NewDeviceMetadata).

The key is request-scoped: ``Engine.start`` and ``Engine.answer`` ``present`` the key of the call they run (each
call its own, so nothing leaks from one call to the next), and the two hooks below read it. aws-amplify v6 and
amazon-cognito-identity-js send it with InitiateAuth, PASSWORD_VERIFIER, every MFA answer and
DEVICE_PASSWORD_VERIFIER (@aws-amplify/auth signInHelpers, handlePasswordVerifierChallenge).

Sources: API Reference InitiateAuth, AuthParameters ("Add DEVICE_KEY if you want to bypass multi-factor
authentication with a remembered device"); RespondToAuthChallenge, ChallengeResponses (DEVICE_SRP_AUTH: USERNAME,
DEVICE_KEY, SRP_A; DEVICE_PASSWORD_VERIFIER: DEVICE_KEY, PASSWORD_CLAIM_SIGNATURE, PASSWORD_CLAIM_SECRET_BLOCK,
TIMESTAMP, USERNAME); DeviceConfigurationType. UNCONFIRMED (no AWS capture found): that a confirmed device is proven
before MFA whether or not it is remembered, and that an unconfirmed device's key is only named in the tokens.
"""

from __future__ import annotations

from contextvars import ContextVar

from ...errors import ServiceError, not_authorized
from ...services import Services
from .. import devices
from ..devices import Device, NewDevice
from ..domain import Pool, User
from ..refresh import INVALID

_presented: ContextVar[str | None] = ContextVar("poolgate_device_key", default=None)


def present(key: str | None) -> None:
    """The DEVICE_KEY of the sign-in call being run (None: the call presents none)."""
    _presented.set(key or None)


def presented() -> str | None:
    return _presented.get()


async def check_presented(services: Services, pool: Pool) -> None:
    """Refuse an answer that presents a device the pool does not know, before its session is used: clients answer
    ResourceNotFoundException "Device does not exist." by sending the same PASSWORD_VERIFIER again without the key
    (amazon-cognito-identity-js authenticateUserDefaultAuth; its PR "Retry PASSWORD_VERIFIER challenge if device has
    been forgotten", amazon-archives/amazon-cognito-identity-js#206), so the session must still be there."""
    key = presented()
    if key is not None and devices.configuration(pool) is not None and not await devices.in_pool(services, pool, key):
        raise ServiceError("ResourceNotFoundException", devices.NO_DEVICE)


async def to_prove(services: Services, pool: Pool, user: User) -> Device | None:
    """The device DEVICE_SRP_AUTH must prove before the MFA step: the user's confirmed device presented with this
    call, in a pool that tracks devices. A key the user does not have (e.g. a forgotten device) is
    ResourceNotFoundException "Device does not exist.", which clients answer by signing in again without it
    (amplify-js retryOnResourceNotFoundException; aws-amplify/amplify-flutter#2621)."""
    key = presented()
    if key is None or devices.configuration(pool) is None:
        return None
    device = await devices.existing(services, pool, user.username, key)
    return device if device.confirmed else None


async def for_tokens(services: Services, pool: Pool, user: User) -> tuple[str | None, NewDevice | None]:
    """The device a finished sign-in's tokens name, and the NewDeviceMetadata to hand back: the device presented
    (the user's), else, in a pool that tracks devices, a new one ("Amazon Cognito includes a device key in the
    response to any sign-in that doesn't already include device information", Developer Guide, "Working with user
    devices in your user pool")."""
    if devices.configuration(pool) is None:
        return None, None
    key = presented()
    if key is not None:
        return (await devices.existing(services, pool, user.username, key)).key, None
    made = await devices.new_device(services, pool, user)
    return made.key, made


async def refresh_device(services: Services, pool: Pool, user: User, key: str | None) -> str | None:
    """The device a refresh names (REFRESH_TOKEN_AUTH's DEVICE_KEY, GetTokensFromRefreshToken's DeviceKey), for the
    renewed access token's ``device_key`` claim. In a pool that tracks devices, a key that is not one of the user's
    devices registered with ConfirmDevice (forgotten, never confirmed, never made) is refused as AWS refuses it:
    NotAuthorized "Invalid Refresh Token." (captures: aws/aws-sdk-java#2841 and aws/aws-sdk-cpp#851, a refresh with
    a device key from the sign-in; "To get the Refresh Token to re-authenticate, I had to confirm the device id
    first", aws/aws-sdk-net-extensions-cognito#85; "cognito mandates all new devices that logs in to be confirmed
    using the ConfirmDevice API call otherwise they will not let the refresh token refresh the access token",
    aws-amplify/amplify-android#2506). UNCONFIRMED: refresh tokens
    are not bound to the device they were issued with here, so a refresh without a key, or with another of the
    user's devices, still works ("With device tracking, these tokens are linked to a single device", AWS Mobile
    blog, "Tracking and Remembering Devices Using Amazon Cognito Your User Pools")."""
    if not key or devices.configuration(pool) is None:
        return None
    device = await devices.find(services, pool, user.username, key)
    if device is None or not device.confirmed:
        raise not_authorized(INVALID)
    return key
