"""Pools and app clients kept in memory for the sign-in path (a sign-in should not re-read them).

Changes made through this process invalidate entries at once; changes made by another worker or node
sharing the database are seen within ``ttl`` seconds.
"""

from __future__ import annotations

from ..clock import Clock
from ..store.db import Database
from . import repo
from .domain import Client, Pool


class RecordCache:
    def __init__(self, db: Database, clock: Clock, ttl: float = 2.0) -> None:
        self._db = db
        self._clock = clock
        self._ttl = ttl
        self._pools: dict[str, tuple[float, Pool]] = {}
        self._clients: dict[str, tuple[float, Client]] = {}

    async def pool(self, pool_id: str) -> Pool:
        now = self._clock.now()
        hit = self._pools.get(pool_id)
        if hit and hit[0] > now:
            return hit[1]
        async with self._db.read() as conn:
            pool = await repo.get_pool(conn, pool_id)
        self._pools[pool_id] = (now + self._ttl, pool)
        return pool

    async def client(self, client_id: str) -> Client:
        now = self._clock.now()
        hit = self._clients.get(client_id)
        if hit and hit[0] > now:
            return hit[1]
        async with self._db.read() as conn:
            client = await repo.get_client(conn, client_id)
        self._clients[client_id] = (now + self._ttl, client)
        return client

    async def client_and_pool(self, client_id: str) -> tuple[Pool, Client]:
        client = await self.client(client_id)
        return await self.pool(client.pool_id), client

    def forget_pool(self, pool_id: str) -> None:
        self._pools.pop(pool_id, None)
        for client_id in [c for c, (_, client) in self._clients.items() if client.pool_id == pool_id]:
            self._clients.pop(client_id, None)

    def forget_client(self, client_id: str) -> None:
        self._clients.pop(client_id, None)

    def clear(self) -> None:
        self._pools.clear()
        self._clients.clear()
