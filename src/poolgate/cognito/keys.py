"""Per-pool RSA signing keys: ID and access tokens are signed with different keys, as Cognito does."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from ..store.db import Database
from ..store.sql.tables import signing_keys

TOKEN_USES = ("id", "access")
RETIRED_KEY_GRACE = 86400.0
"""A rotated key stays in the JWKS this long: the longest an ID or access token can live."""
RELOAD_SECONDS = 10.0
"""How often a process re-reads a pool's keys, so a rotation made elsewhere reaches every worker."""
MIN_RELOAD_SECONDS = 2.0
"""An unknown kid re-reads the keys at most this often (a stream of made-up kids costs no more)."""


@dataclass(frozen=True, slots=True)
class SigningKey:
    kid: str
    token_use: str
    private_key: rsa.RSAPrivateKey
    public_jwk: dict[str, str]


def _new_key_row(pool_id: str, token_use: str, now: float) -> dict[str, Any]:
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    der = private.public_key().public_bytes(serialization.Encoding.DER,
                                            serialization.PublicFormat.SubjectPublicKeyInfo)
    kid = base64.b64encode(hashlib.sha256(der).digest()).decode()
    jwk = json.loads(RSAAlgorithm.to_jwk(private.public_key()))
    public_jwk = {"alg": "RS256", "e": jwk["e"], "kid": kid, "kty": "RSA", "n": jwk["n"], "use": "sig"}
    pem = private.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption()).decode()
    return {"kid": kid, "pool_id": pool_id, "token_use": token_use, "private_pem": pem,
            "public_jwk": public_jwk, "created": now, "retired": None}


def _signing_key(row: Any) -> SigningKey:
    private = serialization.load_pem_private_key(row["private_pem"].encode(), password=None)
    assert isinstance(private, rsa.RSAPrivateKey)
    return SigningKey(row["kid"], row["token_use"], private, row["public_jwk"])


class KeyStore:
    """Loads keys once per pool and keeps them in memory: minting never reads the database."""

    def __init__(self, db: Database) -> None:
        self._db = db
        self._active: dict[str, dict[str, SigningKey]] = {}
        self._jwks: dict[str, dict[str, Any]] = {}
        self._loaded: dict[str, float] = {}

    async def create_for_pool(self, conn: AsyncConnection, pool_id: str, now: float) -> None:
        rows = await asyncio.to_thread(lambda: [_new_key_row(pool_id, use, now) for use in TOKEN_USES])
        await conn.execute(signing_keys.insert(), rows)

    async def rotate(self, pool_id: str, now: float) -> None:
        rows = await asyncio.to_thread(lambda: [_new_key_row(pool_id, use, now) for use in TOKEN_USES])
        async with self._db.begin() as conn:
            await conn.execute(update(signing_keys)
                               .where(signing_keys.c.pool_id == pool_id, signing_keys.c.retired.is_(None))
                               .values(retired=now))
            await conn.execute(signing_keys.insert(), rows)
        self.forget(pool_id)

    def forget(self, pool_id: str | None = None) -> None:
        if pool_id is None:
            self._active.clear()
            self._jwks.clear()
            self._loaded.clear()
        else:
            self._active.pop(pool_id, None)
            self._jwks.pop(pool_id, None)
            self._loaded.pop(pool_id, None)

    async def _load(self, pool_id: str, now: float) -> None:
        async with self._db.read() as conn:
            rows = (await conn.execute(select(signing_keys).where(signing_keys.c.pool_id == pool_id)
                                       .order_by(signing_keys.c.created))).mappings().all()
        known = {key.kid: key for key in (self._active.get(pool_id) or {}).values()}
        new = [row for row in rows if row["retired"] is None and row["kid"] not in known]
        if new:  # loading checks the key (~85 ms for RSA-2048 here): not on the event loop
            known.update(await asyncio.to_thread(lambda: {row["kid"]: _signing_key(row) for row in new}))
        active: dict[str, SigningKey] = {}
        public = []
        for row in rows:
            if row["retired"] is None:
                active[row["token_use"]] = known[row["kid"]]
                public.append(row["public_jwk"])
            elif row["retired"] + RETIRED_KEY_GRACE > now:
                public.append(row["public_jwk"])
        self._active[pool_id] = active
        self._jwks[pool_id] = {"keys": public}
        self._loaded[pool_id] = now

    async def _fresh(self, pool_id: str, now: float) -> None:
        loaded = self._loaded.get(pool_id)
        if loaded is None or now - loaded >= RELOAD_SECONDS or now < loaded:
            await self._load(pool_id, now)

    async def signing_key(self, pool_id: str, token_use: str, now: float) -> SigningKey:
        await self._fresh(pool_id, now)
        return self._active[pool_id][token_use]

    async def jwks(self, pool_id: str, now: float) -> dict[str, Any]:
        await self._fresh(pool_id, now)
        return self._jwks[pool_id]

    async def public_key(self, pool_id: str, kid: str, now: float) -> dict[str, str] | None:
        """The JWK of ``kid``; an unknown kid re-reads the pool's keys (at most every MIN_RELOAD_SECONDS),
        since another process may have rotated them."""
        for attempt in range(2):
            for key in (await self.jwks(pool_id, now))["keys"]:
                if key["kid"] == kid:
                    return key
            if attempt or now - self._loaded.get(pool_id, now) < MIN_RELOAD_SECONDS:
                return None
            await self._load(pool_id, now)
        return None
