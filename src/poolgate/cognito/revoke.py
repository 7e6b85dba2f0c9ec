"""Revoking sign-ins: refresh tokens, and the access tokens minted from them (by ``origin_jti``).

Used by RevokeToken and ``/oauth2/revoke`` (one refresh token), GlobalSignOut and AdminUserGlobalSignOut
(every sign-in of a user); the access-token checks of the JSON API and ``/oauth2/userInfo`` ask ``is_revoked``.
"""

from __future__ import annotations

from sqlalchemy import RowMapping, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from ..services import Services
from ..store.sql.tables import refresh_tokens, revoked_origins
from . import repo
from .domain import Pool, User
from .tokens import token_hash

MAX_GRACE_SECONDS = 60
"""RetryGracePeriodSeconds' maximum (botocore's RetryGracePeriodSecondsType): a refresh token rotated out longer
ago than this can renew nothing, so revocation leaves it alone (``refresh.py`` draws the states of a row)."""


async def is_revoked(conn: AsyncConnection, origin_jti: object) -> bool:
    """Whether the sign-in ``origin_jti`` (an access token's claim) has been revoked."""
    return (await conn.execute(select(revoked_origins.c.origin_jti)
                               .where(revoked_origins.c.origin_jti == origin_jti))).first() is not None


async def notify_revoked(services: Services, origin_jtis: list[str]) -> None:
    """Tell this process's listeners (the data plane's ``reject_revoked_tokens`` set) after the commit."""
    notify = services.on_revoke
    if notify and origin_jtis:
        await notify(origin_jtis)


async def revoke_refresh_token(services: Services, client_id: str, token: str) -> bool:
    """Revoke refresh token ``token`` of app client ``client_id`` and the access tokens of its sign-in.

    An unknown or already revoked token is left alone (True); False, changing nothing, when the token was
    issued to another client.
    """
    now = services.clock.now()
    async with services.db.begin() as conn:
        row = (await conn.execute(select(refresh_tokens).where(refresh_tokens.c.token_hash == token_hash(token)))
               ).mappings().first()
        if row is None or (row["revoked"] is not None and not await _in_grace(conn, row, now)):
            return True
        if row["client_id"] != client_id:
            return False
        if row["revoked"] is None:
            await conn.execute(update(refresh_tokens).where(refresh_tokens.c.token_hash == row["token_hash"])
                               .values(revoked=now))
        await conn.execute(revoked_origins.insert().values(origin_jti=row["origin_jti"], pool_id=row["pool_id"],
                                                           revoked=now, expires=row["expires"]))
    await notify_revoked(services, [row["origin_jti"]])
    return True


async def _in_grace(conn: AsyncConnection, row: RowMapping, now: float) -> bool:
    """Whether a row with ``revoked`` set is a rotated-out token that a retry could still renew with."""
    return row["revoked"] > now - MAX_GRACE_SECONDS and not await is_revoked(conn, row["origin_jti"])


async def sign_out_everywhere(services: Services, pool: Pool, user: User) -> None:
    """Revoke every refresh token of ``user`` and every access token minted from them."""
    now = services.clock.now()
    async with services.db.begin() as conn:
        # live tokens, and tokens rotated out so recently that a retry could still renew with them
        live = (await conn.execute(select(refresh_tokens.c.origin_jti, refresh_tokens.c.expires).where(
            refresh_tokens.c.pool_id == pool.id, refresh_tokens.c.username == user.username,
            refresh_tokens.c.revoked.is_(None) | (
                (refresh_tokens.c.revoked > now - MAX_GRACE_SECONDS)
                & refresh_tokens.c.origin_jti.not_in(select(revoked_origins.c.origin_jti)))))).all()
        await conn.execute(update(refresh_tokens).where(
            refresh_tokens.c.pool_id == pool.id, refresh_tokens.c.username == user.username,
            refresh_tokens.c.revoked.is_(None)).values(revoked=now))
        if live:
            await conn.execute(revoked_origins.insert(), [
                {"origin_jti": r.origin_jti, "pool_id": pool.id, "revoked": now, "expires": r.expires}
                for r in live])
        await repo.update_user(conn, user, now, tokens_valid_after=now)
    await notify_revoked(services, [r.origin_jti for r in live])
