"""Challenge sessions: every challenge is a row of ``auth_sessions`` keyed by the hash of its opaque ``Session`` (or,
for PASSWORD_VERIFIER, of its SECRET_BLOCK), holding the challenge's typed state (``state.py``), consumed on first use
and dead after the app client's ``AuthSessionValidity`` minutes."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import delete, select, update

from ...services import Services
from ...store.sql.tables import auth_sessions
from ..domain import Client, Pool
from ..tokens import token_hash
from . import errors, state
from .state import State

_CONSUMED = "-"
"""The ``challenge`` of a consumed session row: kept until it expires, so that reuse is told apart from expiry."""


@dataclass(frozen=True, slots=True)
class Claimed:
    """A consumed challenge session."""

    pool_id: str
    client_id: str
    username: str
    challenge: str
    expires: float
    state: State

    def live_for(self, client: Client, challenge: str, now: float) -> bool:
        return self.expires > now and self.client_id == client.client_id and self.challenge == challenge


def session_validity(client: Client) -> float:
    return int(client.config.get("AuthSessionValidity") or 3) * 60.0


async def open_session(services: Services, pool: Pool, client: Client, username: str, challenge: str,
                       saved: State, key: str | None = None) -> str:
    """Store a challenge's state; returns the opaque Session (or stores under ``key``, e.g. a SECRET_BLOCK)."""
    session = key or services.ids.token(96)
    async with services.db.begin() as conn:
        await conn.execute(auth_sessions.insert().values(
            session_hash=token_hash(session), pool_id=pool.id, client_id=client.client_id, username=username,
            challenge=challenge, data=state.dump(saved), expires=services.clock.now() + session_validity(client)))
    return session


async def claim_session(services: Services, key: str) -> Claimed | None:
    """Consume a challenge session (atomically, once), or None when unknown. A session used before raises
    ``errors.session_spent``; expiry, client and challenge are the caller's to check (``Claimed.live_for``)."""
    now = services.clock.now()
    where = auth_sessions.c.session_hash == token_hash(key)
    async with services.db.begin() as conn:
        await conn.execute(delete(auth_sessions).where(auth_sessions.c.expires < now - 3600))
        row = (await conn.execute(select(auth_sessions).where(where))).mappings().first()
        if row is None:
            return None
        claimed = await conn.execute(update(auth_sessions).where(where, auth_sessions.c.challenge != _CONSUMED)
                                     .values(challenge=_CONSUMED))
    if claimed.rowcount != 1:
        raise errors.session_spent()
    challenge = str(row["challenge"])
    try:
        saved = state.load(challenge, row["data"])
    except (KeyError, ValueError, TypeError):
        raise errors.session_expired() from None
    return Claimed(str(row["pool_id"]), str(row["client_id"]), str(row["username"]), challenge,
                   float(row["expires"]), saved)


async def claim_open(services: Services, pool: Pool, client: Client, username: str, challenge: str,
                     accept: Callable[[State], bool]) -> State | None:
    """Consume the newest live session of ``username`` for ``challenge`` on ``client`` whose state ``accept``s, for
    a client that answers without the Session (pycognito answers DEVICE_SRP_AUTH so); None when there is none."""
    now = services.clock.now()
    where = (auth_sessions.c.pool_id == pool.id, auth_sessions.c.client_id == client.client_id,
             auth_sessions.c.username == username, auth_sessions.c.challenge == challenge,
             auth_sessions.c.expires > now)
    async with services.db.begin() as conn:
        rows = (await conn.execute(select(auth_sessions).where(*where).order_by(auth_sessions.c.expires.desc()))
                ).mappings().all()
        for row in rows:
            try:
                saved = state.load(challenge, row["data"])
            except (KeyError, ValueError, TypeError):
                continue
            if not accept(saved):
                continue
            claimed = await conn.execute(update(auth_sessions).where(
                auth_sessions.c.session_hash == row["session_hash"], auth_sessions.c.challenge == challenge)
                .values(challenge=_CONSUMED))
            if claimed.rowcount == 1:
                return saved
    return None


async def take_session(services: Services, client: Client, key: str, challenge: str) -> Claimed:
    """Consume a challenge's state (single use); NotAuthorized when unknown, expired, reused or for another
    challenge."""
    row = await claim_session(services, key)
    if row is None or not row.live_for(client, challenge, services.clock.now()):
        raise errors.session_expired()
    return row


async def client_of(services: Services, key: str) -> str | None:
    """The app client a session was opened for (without consuming it), or None when there is no such session."""
    async with services.db.read() as conn:
        row = (await conn.execute(select(auth_sessions.c.client_id)
                                  .where(auth_sessions.c.session_hash == token_hash(key)))).first()
    return None if row is None else str(row.client_id)
