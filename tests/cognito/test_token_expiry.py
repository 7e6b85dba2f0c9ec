"""Access-token checks of the JSON API with a fake clock: expiry, foreign pools, wrong token use (unit level)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import pytest

from poolgate.clock import FakeClock, IdGenerator
from poolgate.cognito.domain import ADMIN_SCOPE, Client, Pool, User
from poolgate.cognito.keys import KeyStore
from poolgate.cognito.tokens import Session, TokenMinter
from poolgate.errors import ServiceError
from poolgate.store.db import Database
from poolgate.store.sql.tables import user_pools

BASE = "http://127.0.0.1:8788"


def _pool(pool_id: str) -> Pool:
    return Pool(pool_id, "us-east-1", "0" * 12, pool_id, {}, 0.0, 0.0)


def _run(scenario: Callable[[TokenMinter, FakeClock, dict[str, Pool]], Awaitable[None]]) -> None:
    async def main() -> None:
        db = Database("sqlite+aiosqlite:///:memory:")
        clock = FakeClock()
        keys = KeyStore(db)
        pools = {p: _pool(p) for p in ("us-east-1_aaaaaaaaa", "us-east-1_bbbbbbbbb")}
        try:
            await db.migrate()
            async with db.begin() as conn:
                for pool_id in pools:
                    await conn.execute(user_pools.insert().values(id=pool_id, region="us-east-1", account="0" * 12,
                                                                  name=pool_id, config={}, created=0.0, modified=0.0))
                    await keys.create_for_pool(conn, pool_id, clock.now())
            await scenario(TokenMinter(keys, IdGenerator(), BASE, False), clock, pools)
        finally:
            await db.close()

    asyncio.run(main())


def _mint_args(pool: Pool, validity_minutes: int) -> tuple[Client, User, Session]:
    client = Client("c" * 26, pool.id, "c", None, {"AccessTokenValidity": validity_minutes,
                                                   "TokenValidityUnits": {"AccessToken": "minutes"}}, 0.0, 0.0)
    user = User(pool.id, "lee", "3f0c5d0e-0000-4000-8000-000000000000", "CONFIRMED", True, {}, None, None, 0, 0.0,
                0.0, 0.0, 0.0)
    return client, user, Session(origin_jti="o", auth_time=0, event_id="e", scopes=[ADMIN_SCOPE])


async def _reject(minter: TokenMinter, pools: dict[str, Pool], token: str, now: float) -> str:
    async def lookup(pool_id: str) -> Pool | None:
        return pools.get(pool_id)

    with pytest.raises(ServiceError) as caught:
        await minter.verify_access_token(lookup, token, now)
    assert (caught.value.code, caught.value.status) == ("NotAuthorizedException", 400)
    return caught.value.message


def test_access_token_expires_with_the_client_validity() -> None:
    async def scenario(minter: TokenMinter, clock: FakeClock, pools: dict[str, Pool]) -> None:
        pool = pools["us-east-1_aaaaaaaaa"]
        issued = await minter.mint(pool, *_mint_args(pool, 10), clock.now())
        assert issued.expires_in == 600

        async def lookup(pool_id: str) -> Pool | None:
            return pools.get(pool_id)

        clock.advance(599)
        found, claims = await minter.verify_access_token(lookup, issued.access_token, clock.now())
        assert found.id == pool.id and claims["username"] == "lee"
        clock.advance(1)
        assert await _reject(minter, pools, issued.access_token, clock.now()) == "Access Token has expired"

    _run(scenario)


def test_id_tokens_and_foreign_tokens_are_not_access_tokens() -> None:
    async def scenario(minter: TokenMinter, clock: FakeClock, pools: dict[str, Pool]) -> None:
        pool = pools["us-east-1_aaaaaaaaa"]
        issued = await minter.mint(pool, *_mint_args(pool, 60), clock.now())
        assert await _reject(minter, pools, issued.id_token, clock.now()) == "Invalid Access Token"
        # Signed by pool b's key but claiming pool a's issuer: the kid is unknown to pool a.
        other = pools["us-east-1_bbbbbbbbb"]
        foreign = await minter.mint(other, *_mint_args(other, 60), clock.now())
        head, payload, signature = foreign.access_token.split(".")
        own_head, own_payload, _ = issued.access_token.split(".")
        assert await _reject(minter, pools, f"{head}.{own_payload}.{signature}", clock.now()) == \
            "Invalid Access Token"
        assert await _reject(minter, pools, f"{own_head}.{payload}.{signature}", clock.now()) == \
            "Invalid Access Token"
        assert await _reject(minter, pools, "not.a.token", clock.now()) == "Invalid Access Token"

    _run(scenario)
