"""The ID-token check behind Logins and STS with a fake clock (unit level): a token past its ``exp`` is refused in
AWS's words, "Invalid login token. Token expired: {now} >= {exp}" (aws-amplify/aws-sdk-ios#2570), and a token of
another pool or a tampered one is refused too."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from poolgate.app import build_services
from poolgate.clock import FakeClock
from poolgate.cognito.domain import Client, Pool, User
from poolgate.cognito.tokens import Session
from poolgate.identitypools.logins import TokenRefused, verified_id_token
from poolgate.settings import Settings
from poolgate.store.sql.tables import user_pools

POOL = "us-east-1_clock0000"


def test_expired_and_foreign_id_tokens(tmp_path: Path) -> None:
    async def main() -> None:
        clock = FakeClock(1_700_000_000.0)
        services = build_services(Settings(database_url=f"sqlite+aiosqlite:///{tmp_path / 'db.sqlite'}"), clock)
        try:
            await services.db.migrate()
            async with services.db.begin() as conn:
                await conn.execute(user_pools.insert().values(id=POOL, region="us-east-1", account="0" * 12,
                                                              name="clock", config={}, created=0.0, modified=0.0))
                await services.keys.create_for_pool(conn, POOL, clock.now())
            pool = Pool(POOL, "us-east-1", "0" * 12, "clock", {}, 0.0, 0.0)
            client = Client("c" * 26, POOL, "app", None, {}, 0.0, 0.0)
            user = User(POOL, "lee", "3f0c5d0e-0000-4000-8000-000000000000", "CONFIRMED", True, {}, None, None, 0,
                        0.0, 0.0, 0.0, 0.0)
            issued = await services.tokens.mint(pool, client, user, Session("o", 0, "e", ["openid"]), clock.now())
            _, claims = await verified_id_token(services, issued.id_token)
            assert claims["sub"] == user.sub
            with pytest.raises(TokenRefused) as refused:  # another pool's id in the provider name
                await verified_id_token(services, issued.id_token, "us-east-1_other0000")
            assert refused.value.reason == "issuer"
            head, body, signature = issued.id_token.split(".")
            with pytest.raises(TokenRefused) as refused:
                await verified_id_token(services, f"{head}.{body}.{signature[:-4]}AAAA")
            assert refused.value.reason == "signature"
            clock.advance(3600)
            with pytest.raises(TokenRefused) as refused:
                await verified_id_token(services, issued.id_token)
            assert refused.value.reason == "expired"
            now, exp = int(clock.now()), int(claims["exp"])
            assert refused.value.message == f"Invalid login token. Token expired: {now} >= {exp}"
        finally:
            services.hasher.close()
            await services.db.close()

    asyncio.run(main())
