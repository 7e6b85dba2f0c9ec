"""Setting up an authenticator app: AssociateSoftwareToken's pending secret and VerifySoftwareToken's check, shared
by those operations (``cognito/ops/mfa.py``) and the hosted UI's MFA set-up page."""

from __future__ import annotations

from ...services import Services
from .. import mfa
from ..domain import User
from . import errors


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
        raise errors.no_software_token()
    if not verified:
        raise errors.setup_code_mismatch()
