"""Device operations: ConfirmDevice, UpdateDeviceStatus, GetDevice, ListDevices, ForgetDevice (the signed-in user's,
by access token) and AdminGetDevice, AdminListDevices, AdminForgetDevice, AdminUpdateDeviceStatus (any user's).

The devices are made by sign-ins in pools that track devices (``cognito/devices.py``, ``signin/device.py``).

Errors for a user that does not exist: AdminForgetDevice and AdminUpdateDeviceStatus declare UserNotFoundException
("User does not exist.", as every Admin* operation answers); AdminGetDevice and AdminListDevices declare none, so
they answer ResourceNotFoundException with the same text (UNCONFIRMED: no capture).
"""

from __future__ import annotations

from typing import Any

from ...errors import ServiceError
from .. import devices, repo
from ..access import user_from_access_token
from ..domain import Pool, User
from ..service import COGNITO, Caller, Services, listing
from .pools import owned_pool

_NO_USER = "User does not exist."


async def _admin_user(services: Services, caller: Caller, params: dict[str, Any], *, declared: bool
                      ) -> tuple[Pool, User]:
    """The pool and user an Admin* device operation names; ``declared``: the operation declares
    UserNotFoundException (else an unknown user is ResourceNotFoundException)."""
    pool = await owned_pool(services, caller, params["UserPoolId"])
    async with services.db.read() as conn:
        user = await repo.find_user(conn, pool, params["Username"])
    if user is None:
        raise ServiceError("UserNotFoundException" if declared else "ResourceNotFoundException", _NO_USER)
    return pool, user


async def _get(services: Services, pool: Pool, user: User, key: str) -> dict[str, Any]:
    """GetDevice's answer: a device the user registered (ConfirmDevice)."""
    return {"Device": (await devices.existing(services, pool, user.username, key, registered=True)).render()}


def _page(found: list[devices.Device], caller: Caller, params: dict[str, Any]) -> dict[str, Any]:
    return listing(found, "Devices", devices.Device.render, params.get("Limit"), params.get("PaginationToken"),
                   caller.request_id, token_name="PaginationToken")


@COGNITO.operation("ConfirmDevice")
async def confirm_device(services: Services, caller: Caller, params: dict[str, Any]) -> dict[str, Any]:
    pool, user, _ = await user_from_access_token(services, params["AccessToken"])
    prompt = await devices.confirm(services, pool, user, params["DeviceKey"], params.get("DeviceSecretVerifierConfig"),
                                   params.get("DeviceName"))
    return {"UserConfirmationNecessary": prompt}


@COGNITO.operation("UpdateDeviceStatus")
async def update_device_status(services: Services, caller: Caller, params: dict[str, Any]) -> dict[str, Any]:
    pool, user, _ = await user_from_access_token(services, params["AccessToken"])
    await devices.set_status(services, pool, user.username, params["DeviceKey"], params.get("DeviceRememberedStatus"))
    return {}


@COGNITO.operation("GetDevice")
async def get_device(services: Services, caller: Caller, params: dict[str, Any]) -> dict[str, Any]:
    pool, user, _ = await user_from_access_token(services, params.get("AccessToken") or "")
    return await _get(services, pool, user, params["DeviceKey"])


@COGNITO.operation("ListDevices")
async def list_devices(services: Services, caller: Caller, params: dict[str, Any]) -> dict[str, Any]:
    pool, user, _ = await user_from_access_token(services, params["AccessToken"])
    return _page(await devices.registered(services, pool, user.username), caller, params)


@COGNITO.operation("ForgetDevice")
async def forget_device(services: Services, caller: Caller, params: dict[str, Any]) -> dict[str, Any]:
    pool, user, _ = await user_from_access_token(services, params.get("AccessToken") or "")
    await devices.forget(services, pool, user.username, params["DeviceKey"])
    return {}


@COGNITO.operation("AdminGetDevice")
async def admin_get_device(services: Services, caller: Caller, params: dict[str, Any]) -> dict[str, Any]:
    pool, user = await _admin_user(services, caller, params, declared=False)
    return await _get(services, pool, user, params["DeviceKey"])


@COGNITO.operation("AdminListDevices")
async def admin_list_devices(services: Services, caller: Caller, params: dict[str, Any]) -> dict[str, Any]:
    pool, user = await _admin_user(services, caller, params, declared=False)
    return _page(await devices.registered(services, pool, user.username), caller, params)


@COGNITO.operation("AdminForgetDevice")
async def admin_forget_device(services: Services, caller: Caller, params: dict[str, Any]) -> dict[str, Any]:
    pool, user = await _admin_user(services, caller, params, declared=True)
    await devices.forget(services, pool, user.username, params["DeviceKey"])
    return {}


@COGNITO.operation("AdminUpdateDeviceStatus")
async def admin_update_device_status(services: Services, caller: Caller, params: dict[str, Any]) -> dict[str, Any]:
    pool, user = await _admin_user(services, caller, params, declared=True)
    await devices.set_status(services, pool, user.username, params["DeviceKey"], params.get("DeviceRememberedStatus"))
    return {}
