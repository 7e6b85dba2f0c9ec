"""Revoked sign-ins (``origin_jti``) in memory, for authorizers with ``reject_revoked_tokens``.

AWS's Cognito authorizer accepts revoked tokens until they expire (reference §1.6); poolgate can refuse
them without a database read per request: the set is loaded at start, the Cognito operations call
``services.on_revoke`` after revoking, and a periodic refresh picks up rows written by other
processes sharing the database.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math

from sqlalchemy import select

from ..services import Services
from ..store.sql.tables import revoked_origins

log = logging.getLogger("poolgate.dataplane")

REFRESH_INTERVAL = 2.0
OVERLAP = 30.0
"""Re-read rows this much older than the newest seen: a slower writer may commit an older timestamp."""


class RevokedOrigins:
    def __init__(self, services: Services, refresh_interval: float = REFRESH_INTERVAL) -> None:
        self.services = services
        self.refresh_interval = refresh_interval
        self._expires: dict[str, float] = {}
        self._newest = 0.0
        self._task: asyncio.Task[None] | None = None

    def __contains__(self, origin_jti: object) -> bool:
        return origin_jti in self._expires

    async def on_revoke(self, origin_jtis: list[str]) -> None:
        """The hook the Cognito operations call after a GlobalSignOut / RevokeToken commits."""
        for jti in origin_jtis:
            self._expires.setdefault(jti, math.inf)

    async def refresh(self) -> None:
        """Read rows revoked since the newest one seen (all of them the first time); forget expired ones."""
        now = self.services.clock.now()
        query = select(revoked_origins.c.origin_jti, revoked_origins.c.revoked, revoked_origins.c.expires).where(
            revoked_origins.c.expires > now)
        if self._newest:
            query = query.where(revoked_origins.c.revoked > self._newest - OVERLAP)
        async with self.services.db.read() as conn:
            rows = (await conn.execute(query)).all()
        for jti, revoked, expires in rows:
            self._expires[jti] = expires
            self._newest = max(self._newest, revoked)
        for jti in [j for j, exp in self._expires.items() if exp <= now]:
            del self._expires[jti]

    def clear(self) -> None:
        self._expires.clear()
        self._newest = 0.0

    async def start(self) -> None:
        await self.refresh()
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._loop())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _loop(self) -> None:
        while True:
            await asyncio.sleep(self.refresh_interval)
            try:
                await self.refresh()
            except Exception:  # a transient database error must not end the refresh loop
                log.exception("refreshing revoked tokens failed")
