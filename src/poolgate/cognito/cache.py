"""Pools and app clients kept in memory for the sign-in path (a sign-in should not re-read them).

Changes made through this process invalidate entries at once; changes made by another worker or node
sharing the database are seen within ``ttl`` seconds. When an entry expires under load, the requests that
find it missing share one read instead of each reading it (every concurrent sign-in used to).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from ..clock import Clock
from ..store.db import Database
from . import repo
from .domain import Client, Pool

T = TypeVar("T")


class RecordCache:
    def __init__(self, db: Database, clock: Clock, ttl: float = 2.0) -> None:
        self._db = db
        self._clock = clock
        self._ttl = ttl
        self._pools: dict[str, tuple[float, Pool]] = {}
        self._clients: dict[str, tuple[float, Client]] = {}
        self._reading: dict[tuple[str, str], asyncio.Future[Any]] = {}
        self._generation = 0
        """Moves on every invalidation: a read that started before one does not store what it read."""

    async def pool(self, pool_id: str) -> Pool:
        hit = self._pools.get(pool_id)
        if hit and hit[0] > self._clock.now():
            return hit[1]
        return await self._read(self._pools, "pool", pool_id, repo.get_pool)

    async def client(self, client_id: str) -> Client:
        hit = self._clients.get(client_id)
        if hit and hit[0] > self._clock.now():
            return hit[1]
        return await self._read(self._clients, "client", client_id, repo.get_client)

    async def _read(self, table: dict[str, tuple[float, T]], kind: str, key: str,
                    get: Callable[[Any, str], Awaitable[T]]) -> T:
        slot = (kind, key)
        reading = self._reading.get(slot)
        if reading is None:
            reading = self._reading[slot] = asyncio.ensure_future(
                self._fetch(table, key, get, self._generation))
            reading.add_done_callback(lambda done: self._done(slot, done))
        # shielded: a caller that gives up (client gone) does not cancel the read the others wait for
        result: T = await asyncio.shield(reading)
        return result

    def _done(self, slot: tuple[str, str], done: asyncio.Future[Any]) -> None:
        if self._reading.get(slot) is done:
            del self._reading[slot]
        if not done.cancelled():
            done.exception()  # retrieved here too, in case every caller went away before it ended

    async def _fetch(self, table: dict[str, tuple[float, T]], key: str,
                     get: Callable[[Any, str], Awaitable[T]], generation: int) -> T:
        now = self._clock.now()
        async with self._db.read() as conn:
            record = await get(conn, key)
        if generation == self._generation:
            table[key] = (now + self._ttl, record)
        return record

    async def client_and_pool(self, client_id: str) -> tuple[Pool, Client]:
        client = await self.client(client_id)
        return await self.pool(client.pool_id), client

    def forget_pool(self, pool_id: str) -> None:
        self._forget()
        self._pools.pop(pool_id, None)
        for client_id in [c for c, (_, client) in self._clients.items() if client.pool_id == pool_id]:
            self._clients.pop(client_id, None)

    def forget_client(self, client_id: str) -> None:
        self._forget()
        self._clients.pop(client_id, None)

    def clear(self) -> None:
        self._forget()
        self._pools.clear()
        self._clients.clear()

    def _forget(self) -> None:
        self._generation += 1
        self._reading.clear()  # later callers read again; those already waiting get the read they joined
