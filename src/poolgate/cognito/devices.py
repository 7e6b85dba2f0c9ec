"""Device tracking: the devices a user of a pool signs in from (``store/sql/tables_devices.py``).

A pool tracks devices when its ``DeviceConfiguration`` sets any property ("When you provide a value for any property
of DeviceConfiguration, you activate the device remembering for the user pool", API Reference,
DeviceConfigurationType). A sign-in without a device of the user gets a new one, handed back as
``NewDeviceMetadata`` {DeviceKey "{region}_{uuid}", DeviceGroupKey} (Developer Guide, "Working with user devices in
your user pool": "The device key is in the format Region_UUID"). ConfirmDevice gives it its SRP salt and verifier
(after which device SRP can prove the device) and, unless ``DeviceOnlyRememberedOnUserPrompt``, remembers it; a
remembered device signs in with device authentication instead of an MFA code when ``ChallengeRequiredOnNewDevice``
(DeviceConfigurationType).

Stored as the bytes the client sent (base64 on the wire), written here as hex: the salt is sent back as SALT (hex,
as amazon-cognito-identity-js and aws-amplify parse it: ``new BigInteger(SALT, 16)``) and the verifier is the
``v`` of ``cognito/srp.py``.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, select, update

from ..errors import ServiceError, invalid_parameter
from ..services import Services
from ..store.sql.tables_devices import user_devices
from . import srp
from .domain import Pool, User

REMEMBERED = "remembered"
NOT_REMEMBERED = "not_remembered"

NO_DEVICE = "Device does not exist."
"""ResourceNotFoundException's message for a device key the user does not have (captures: aws/aws-sdk-net#1055,
UpdateDeviceStatus; aws-amplify/amplify-android#2605 and amazon-archives/amazon-cognito-identity-js#200, a sign-in
with a forgotten device's key)."""
INVALID_KEY = "Invalid device key given."
"""ConfirmDevice's InvalidParameterException for a device key it does not accept (capture: boto/boto3#4059)."""


@dataclass(frozen=True, slots=True)
class Device:
    key: str
    pool_id: str
    username: str
    group_key: str
    name: str | None
    salt: str | None
    verifier: str | None
    status: str | None
    created: float
    modified: float
    last_authenticated: float | None

    @classmethod
    def from_row(cls, row: Any) -> Device:
        return cls(row["device_key"], row["pool_id"], row["username"], row["group_key"], row["name"], row["salt"],
                   row["verifier"], row["status"], row["created"], row["modified"], row["last_authenticated"])

    @property
    def confirmed(self) -> bool:
        """Registered by ConfirmDevice: device SRP can prove it."""
        return self.verifier is not None

    @property
    def remembered(self) -> bool:
        return self.status == REMEMBERED

    def render(self) -> dict[str, Any]:
        """A DeviceType. The attribute names are the ones scripts read from AWS's AdminListDevices
        (``device_name``, ``dev:device_remembered_status``); ``device_status`` "valid" and the order UNCONFIRMED."""
        attributes = [{"Name": "device_status", "Value": "valid"}]
        if self.name is not None:
            attributes.append({"Name": "device_name", "Value": self.name})
        if self.status is not None:
            attributes.append({"Name": "dev:device_remembered_status", "Value": self.status})
        out: dict[str, Any] = {"DeviceKey": self.key, "DeviceAttributes": attributes,
                               "DeviceCreateDate": self.created, "DeviceLastModifiedDate": self.modified}
        if self.last_authenticated is not None:
            out["DeviceLastAuthenticatedDate"] = self.last_authenticated
        return out


@dataclass(frozen=True, slots=True)
class NewDevice:
    """A device made for a sign-in: AuthenticationResult's NewDeviceMetadata."""

    key: str
    group_key: str


def configuration(pool: Pool) -> dict[str, Any] | None:
    """The pool's DeviceConfiguration when it tracks devices (a property set), else None."""
    config = pool.config.get("DeviceConfiguration")
    if not isinstance(config, dict) or not any(v is not None for v in config.values()):
        return None
    return config


def skips_mfa(pool: Pool, device: Device) -> bool:
    """Whether ``device``, proven by device SRP, stands in for the MFA code: remembered, in a pool whose
    ChallengeRequiredOnNewDevice is true (DeviceConfigurationType)."""
    config = configuration(pool) or {}
    return device.remembered and bool(config.get("ChallengeRequiredOnNewDevice"))


def asks_user(pool: Pool) -> bool:
    """DeviceOnlyRememberedOnUserPrompt: ConfirmDevice leaves the device not remembered and answers
    UserConfirmationNecessary true; otherwise it remembers the device at once."""
    return bool((configuration(pool) or {}).get("DeviceOnlyRememberedOnUserPrompt"))


async def find(services: Services, pool: Pool, username: str, key: str) -> Device | None:
    """The user's device ``key`` (confirmed or not), or None."""
    async with services.db.read() as conn:
        row = (await conn.execute(select(user_devices).where(
            user_devices.c.device_key == key, user_devices.c.pool_id == pool.id,
            user_devices.c.username == username))).mappings().first()
    return Device.from_row(row) if row is not None else None


async def in_pool(services: Services, pool: Pool, key: str) -> bool:
    """Whether any user of the pool has device ``key``."""
    async with services.db.read() as conn:
        found = (await conn.execute(select(user_devices.c.device_key).where(
            user_devices.c.device_key == key, user_devices.c.pool_id == pool.id))).first()
    return found is not None


async def existing(services: Services, pool: Pool, username: str, key: str, *, registered: bool = False) -> Device:
    """The user's device ``key`` (``registered``: only once ConfirmDevice registered it); ResourceNotFoundException
    "Device does not exist." otherwise."""
    device = await find(services, pool, username, key)
    if device is None or (registered and not device.confirmed):
        raise ServiceError("ResourceNotFoundException", NO_DEVICE)
    return device


async def registered(services: Services, pool: Pool, username: str) -> list[Device]:
    """The devices the user registered with ConfirmDevice, oldest first: what ListDevices lists ("Information about a
    user's device that they've registered for device SRP authentication", API Reference, DeviceType; that a device
    never confirmed is left out is UNCONFIRMED)."""
    async with services.db.read() as conn:
        rows = (await conn.execute(select(user_devices).where(
            user_devices.c.pool_id == pool.id, user_devices.c.username == username,
            user_devices.c.verifier.is_not(None))
            .order_by(user_devices.c.created, user_devices.c.device_key))).mappings().all()
    return [Device.from_row(r) for r in rows]


def group_key(pool: Pool, user: User) -> str:
    """The user's device group key, the same for all their devices (and for concurrent first sign-ins): derived
    from the pool and the user's ``sub``, nothing secret (it travels in NewDeviceMetadata). Its shape (a dash and
    nine characters) is UNCONFIRMED."""
    digest = hashlib.sha256(f"{pool.id}/{user.sub}".encode()).digest()
    return "-" + base64.urlsafe_b64encode(digest).decode()[:9]


async def new_device(services: Services, pool: Pool, user: User) -> NewDevice:
    """A device for a sign-in that came without one, in the user's device group."""
    now = services.clock.now()
    key = f"{pool.region}_{services.ids.uuid()}"
    group = group_key(pool, user)
    async with services.db.begin() as conn:
        await conn.execute(user_devices.insert().values(
            device_key=key, pool_id=pool.id, username=user.username, group_key=group, created=now,
            modified=now, last_authenticated=now))
    return NewDevice(key, group)


def _hex_of(value: str, what: str) -> str:
    try:
        raw = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raw = b""
    if not raw:
        raise invalid_parameter(f"Invalid {what} given.")  # message UNCONFIRMED
    return raw.hex()


async def confirm(services: Services, pool: Pool, user: User, key: str, verifier_config: dict[str, Any] | None,
                  name: str | None) -> bool:
    """ConfirmDevice: store the device's salt and verifier (base64, as aws-amplify's getNewDeviceMetadata and
    amazon-cognito-identity-js's confirmDevice send them) and its name; returns UserConfirmationNecessary.

    A key the user does not have, or a device already confirmed, is refused: InvalidParameterException "Invalid
    device key given." (capture: boto/boto3#4059) and DeviceKeyExistsException (UNCONFIRMED: no capture of when AWS
    answers it, nor of its text)."""
    config = verifier_config or {}
    salt = _hex_of(str(config.get("Salt") or ""), "salt")
    verifier = _hex_of(str(config.get("PasswordVerifier") or ""), "password verifier")
    if int(verifier, 16) % srp.N == 0:  # v = 0 would let any proof through
        raise invalid_parameter("Invalid password verifier given.")  # message UNCONFIRMED
    device = await find(services, pool, user.username, key)
    if device is None:
        raise invalid_parameter(INVALID_KEY)
    prompt = asks_user(pool)
    where = (user_devices.c.device_key == key, user_devices.c.verifier.is_(None))
    async with services.db.begin() as conn:
        done = await conn.execute(update(user_devices).where(*where).values(
            salt=salt, verifier=verifier, name=name, status=NOT_REMEMBERED if prompt else REMEMBERED,
            modified=services.clock.now()))
    if done.rowcount != 1:
        raise ServiceError("DeviceKeyExistsException", "Device key already exists.")  # text UNCONFIRMED
    return prompt


async def set_status(services: Services, pool: Pool, username: str, key: str, status: str | None) -> None:
    """UpdateDeviceStatus / AdminUpdateDeviceStatus of a registered device (no status: not remembered,
    UNCONFIRMED)."""
    device = await existing(services, pool, username, key, registered=True)
    async with services.db.begin() as conn:
        await conn.execute(update(user_devices).where(user_devices.c.device_key == device.key).values(
            status=status or NOT_REMEMBERED, modified=services.clock.now()))


async def forget(services: Services, pool: Pool, username: str, key: str) -> None:
    """ForgetDevice / AdminForgetDevice: the device is gone (its key is refused from now on)."""
    async with services.db.begin() as conn:
        gone = await conn.execute(delete(user_devices).where(
            user_devices.c.device_key == key, user_devices.c.pool_id == pool.id,
            user_devices.c.username == username))
    if gone.rowcount != 1:
        raise ServiceError("ResourceNotFoundException", NO_DEVICE)


async def authenticated(services: Services, device: Device) -> None:
    """Record a sign-in proven with ``device`` (DeviceLastAuthenticatedDate)."""
    async with services.db.begin() as conn:
        await conn.execute(update(user_devices).where(user_devices.c.device_key == device.key).values(
            last_authenticated=services.clock.now()))
