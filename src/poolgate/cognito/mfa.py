"""Multi-factor authentication: pool modes, a user's MFA settings, RFC 6238 TOTP with single use.

TOTP as Cognito runs it: SHA-1, 6 digits, 30-second steps, a 32-character base32 secret; a code of
the previous or next step is accepted (clock drift), and a step once accepted is never accepted again
(``users.totp_last_step``), which AWS reports as ``ExpiredCodeException: Your software token has
already been used once.``.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

import pyotp
from sqlalchemy import or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from ..compare import same_secret
from ..store.sql.tables import users
from .domain import Pool, User

SMS = "SMS_MFA"
TOTP = "SOFTWARE_TOKEN_MFA"
EMAIL = "EMAIL_OTP"
METHODS = (SMS, TOTP, EMAIL)
STEP_SECONDS = 30


@dataclass(slots=True)
class MfaSettings:
    """A user's MFA choices (the ``users.mfa`` JSON column)."""

    enabled: list[str] = field(default_factory=list)
    preferred: str | None = None
    totp_secret: str | None = None
    pending_secret: str | None = None
    device_name: str | None = None

    @classmethod
    def from_json(cls, raw: Any) -> MfaSettings:
        if not isinstance(raw, dict):
            return cls()
        known = {k: raw[k] for k in ("enabled", "preferred", "totp_secret", "pending_secret", "device_name")
                 if k in raw}
        return cls(**known)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    def enable(self, method: str, enabled: bool, preferred: bool | None) -> None:
        if enabled and method not in self.enabled:
            self.enabled.append(method)
        if not enabled and method in self.enabled:
            self.enabled.remove(method)
        if preferred and enabled:
            self.preferred = method
        elif self.preferred == method and (not enabled or preferred is False):
            self.preferred = None


async def load(conn: AsyncConnection, user: User) -> MfaSettings:
    row = (await conn.execute(select(users.c.mfa).where(users.c.pool_id == user.pool_id,
                                                        users.c.username == user.username))).first()
    return MfaSettings.from_json(row[0] if row else None)


async def save(conn: AsyncConnection, user: User, settings: MfaSettings, now: float) -> None:
    await conn.execute(update(users).where(users.c.pool_id == user.pool_id, users.c.username == user.username)
                       .values(mfa=settings.to_json(), modified=now))


def mode(pool: Pool) -> str:
    """The pool's MfaConfiguration: OFF, ON or OPTIONAL."""
    return str(pool.config.get("MfaConfiguration") or "OFF")


def pool_methods(pool: Pool) -> list[str]:
    """The MFA methods the pool offers (SMS where an SMS or SMS-MFA configuration is set)."""
    config = pool.config
    offered = []
    if config.get("SmsMfaConfiguration") or config.get("SmsConfiguration"):
        offered.append(SMS)
    if (config.get("SoftwareTokenMfaConfiguration") or {}).get("Enabled"):
        offered.append(TOTP)
    if config.get("EmailMfaConfiguration"):
        offered.append(EMAIL)
    return offered


def user_methods(pool: Pool, user: User, settings: MfaSettings) -> list[str]:
    """The methods that can challenge ``user`` now, in Cognito's order of preference."""
    methods = [m for m in settings.enabled if m in METHODS]
    if TOTP in methods and not settings.totp_secret:
        methods.remove(TOTP)
    if SMS in methods and not user.attributes.get("phone_number"):
        methods.remove(SMS)
    if EMAIL in methods and not user.attributes.get("email"):
        methods.remove(EMAIL)
    return methods


def new_secret() -> str:
    """A fresh shared secret as AssociateSoftwareToken returns it (32 base32 characters)."""
    return pyotp.random_base32(32)


def matching_step(secret: str, code: str, now: float, window: int = 1) -> int | None:
    """The time step whose code is ``code`` (within ``window`` steps of now), or None."""
    if not code.isdigit() or len(code) != 6:
        return None
    totp = pyotp.TOTP(secret)
    current = int(now // STEP_SECONDS)
    for step in range(current - window, current + window + 1):
        if same_secret(code, totp.generate_otp(step)):
            return step
    return None


async def consume_step(conn: AsyncConnection, user: User, step: int) -> bool:
    """Mark ``step`` used; False when it (or a later one) was used already. Atomic under concurrency."""
    result = await conn.execute(update(users).where(
        users.c.pool_id == user.pool_id, users.c.username == user.username,
        or_(users.c.totp_last_step.is_(None), users.c.totp_last_step < step)).values(totp_last_step=step))
    return bool(result.rowcount)
