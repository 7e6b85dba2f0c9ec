"""The one token issuer: every token set poolgate mints for a user (InitiateAuth, AdminInitiateAuth,
RespondToAuthChallenge, REFRESH_TOKEN_AUTH, GetTokensFromRefreshToken, the hosted UI and the OAuth token endpoint)
goes through ``mint``: the PreTokenGeneration trigger (``pretoken.customize``), then the minter."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from ...services import Services
from ...store.sql.tables import refresh_tokens
from ..domain import ADMIN_SCOPE, Client, Pool, User
from ..pretoken import customize
from ..tokens import Issued, Session, new_refresh_token, token_hash
from .steps import Tokens

_INSERT_REFRESH = refresh_tokens.insert()
"""Built once; every sign-in runs it with its values (``Database.write``)."""


async def mint(services: Services, pool: Pool, client: Client, user: User, session: Session, source: str,
               metadata: dict[str, str] | None = None, *, include_id: bool = True,
               before_mint: Callable[[Session], Awaitable[None]] | None = None, now: float | None = None) -> Issued:
    """ID and access tokens for ``user`` after the PreTokenGeneration trigger (triggerSource ``source``, ``metadata``
    its ``clientMetadata``). ``before_mint`` runs after the trigger with the session minted from (a refused trigger
    leaves nothing written); ``now`` the moment minted at (default: the clock's)."""
    custom = await customize(services, pool, client, user, session, source, metadata)
    if before_mint is not None:
        await before_mint(custom.session)
    return await services.tokens.mint(pool, client, custom.user, custom.session,
                                      services.clock.now() if now is None else now,
                                      include_id=include_id, extra_id_claims=custom.id_claims,
                                      extra_access_claims=custom.access_claims)


async def issue(services: Services, pool: Pool, client: Client, user: User, source: str,
                metadata: dict[str, str] | None = None, device_key: str | None = None) -> Tokens:
    """A finished sign-in's tokens: a new refresh token (stored) and ID and access tokens of a new sign-in
    (``device_key``: the device it was made with, the access token's ``device_key`` claim)."""
    now = services.clock.now()
    refresh = new_refresh_token()
    session = Session(origin_jti=services.ids.uuid(), auth_time=int(now), event_id=services.ids.uuid(),
                      scopes=[ADMIN_SCOPE], device_key=device_key)

    async def store(minted: Session) -> None:
        await services.db.write(_INSERT_REFRESH, {
            "token_hash": token_hash(refresh), "pool_id": pool.id, "client_id": client.client_id,
            "username": user.username, "origin_jti": minted.origin_jti, "auth_time": now, "created": now,
            "expires": now + client.refresh_validity})

    issued = await mint(services, pool, client, user, session, source, metadata, before_mint=store, now=now)
    return Tokens(issued.access_token, issued.id_token, issued.expires_in, refresh)
