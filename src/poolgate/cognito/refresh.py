"""Stored refresh tokens as both refresh paths read them: REFRESH_TOKEN_AUTH and ``grant_type=refresh_token``."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import RowMapping, select

from ..services import Services
from ..store.sql.tables import refresh_tokens
from . import repo
from .domain import ADMIN_SCOPE, Pool, User
from .tokens import Session, token_hash


@dataclass(frozen=True, slots=True)
class StoredRefresh:
    """A refresh token's row, its user (None once deleted) and the OAuth scopes of a hosted-UI sign-in."""

    row: RowMapping
    user: User | None
    oauth_scopes: list[str] | None

    def session(self, event_id: str) -> Session:
        """The sign-in the refreshed tokens continue; a hosted-UI sign-in keeps its OAuth scopes (and version 2
        access tokens) through refreshes, a JSON-API sign-in the admin scope."""
        scopes = self.oauth_scopes
        return Session(origin_jti=self.row["origin_jti"], auth_time=int(self.row["auth_time"]), event_id=event_id,
                       scopes=scopes if scopes is not None else [ADMIN_SCOPE], oauth=scopes is not None)


async def find_refresh_token(services: Services, pool: Pool, token: str) -> StoredRefresh | None:
    """The stored refresh token ``token`` (any pool's, any state: the caller checks), or None."""
    async with services.db.read() as conn:
        row = (await conn.execute(select(refresh_tokens).where(refresh_tokens.c.token_hash == token_hash(token)))
               ).mappings().first()
        if row is None:
            return None
        user = await repo.find_user(conn, pool, row["username"], aliases=False)
        return StoredRefresh(row, user, await repo.granted_scopes(conn, row["origin_jti"]))
