"""Passwords checked at sign-in, and Cognito's lock-out: failures (wrong passwords, proofs and codes) add up until
the whole sign-in succeeds; from ``LOCKOUT_AFTER`` on, each failure locks the user out for twice as long."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from ...services import Services
from ...store.sql.tables import users
from .. import repo
from ..credentials import srp_columns
from ..domain import User
from . import errors

LOCKOUT_AFTER = 5
LOCKOUT_MAX_SECONDS = 900.0


def check_not_locked(services: Services, user: User) -> None:
    if user.locked_until > services.clock.now():
        raise errors.locked()


async def check_password(services: Services, user: User, password: str) -> None:
    """Verify ``password``, counting failures towards Cognito's lock-out; raises SignInError on failure."""
    check_not_locked(services, user)
    if await services.hasher.verify(user.password_hash, password):
        await password_accepted(services, user, password)
        return
    await record_failure(services, user)
    if user.status == "UNCONFIRMED":
        # AWS quirk: an unconfirmed user hears so even with a wrong password.
        raise errors.not_confirmed()
    raise errors.wrong_credentials()


async def record_failure(services: Services, user: User) -> None:
    """Count a wrong password or code towards the lock-out (doubling delays after LOCKOUT_AFTER failures)."""
    now = services.clock.now()
    failures = user.failed_attempts + 1
    locked_until = 0.0
    if failures >= LOCKOUT_AFTER:
        locked_until = now + min(2.0 ** (failures - LOCKOUT_AFTER), LOCKOUT_MAX_SECONDS)
    async with services.db.begin() as conn:
        await repo.update_user(conn, user, now, failed_attempts=failures, locked_until=locked_until)


async def clear_failures(services: Services, user: User) -> None:
    """A whole sign-in succeeded: the failures counted so far are forgotten."""
    if user.failed_attempts:
        async with services.db.begin() as conn:
            await repo.update_user(conn, user, services.clock.now(), failed_attempts=0, locked_until=0.0)


async def password_accepted(services: Services, user: User, password: str) -> None:
    """A correct password: derive the SRP verifier for users that lack one. (Failures are cleared only when
    the whole sign-in succeeds, in ``clear_failures``: wrong MFA codes after right passwords add up.)"""
    if user.has_srp_verifier:
        return  # the common case: nothing to write, no transaction
    values: dict[str, Any] = {}
    async with services.db.begin() as conn:
        row = (await conn.execute(select(*srp_cols()).where(*user_where(user)))).first()
        if row is not None and not row.srp_verifier:
            values.update(srp_columns(user.pool_id, user.username, password))
        if values:
            await repo.update_user(conn, user, services.clock.now(), **values)


def srp_cols() -> Any:
    return users.c.srp_salt, users.c.srp_verifier


def user_where(user: User) -> tuple[Any, ...]:
    return users.c.pool_id == user.pool_id, users.c.username == user.username
