"""Verifying user-pool JWTs for the data plane, without SQL or RSA on the hot path.

A token is parsed and its signature checked by ``cognito/jws.py`` (the one strict reader of tokens), with the
key of the pool named by ``iss``: this poolgate's ``KeyStore`` for local pools, the JWKS of another poolgate
fetched over HTTP for remote issuers. The result is kept in a bounded LRU until the token's ``exp``.

A refused token is remembered too (``NEGATIVE_TTL``), so a stream of bad tokens costs a dictionary look-up
per request, as a stream of good ones does, instead of a base64 + JSON decode and an RSA verification each
(bench/RESULTS.md, "the 401 path"). Concurrent misses of a pool's issuer or key share one look-up and are
woken together.
"""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from cryptography.hazmat.primitives.asymmetric import rsa

from ..cognito import repo
from ..cognito.jws import UNKNOWN_KID, InvalidToken, check_signature, parse, public_key
from ..services import Services
from .claims import stringify_claims

log = logging.getLogger("poolgate.dataplane")

__all__ = ["InvalidToken", "TokenVerifier", "VerifiedToken"]

KEY_RELOAD_INTERVAL = 10.0
"""An unknown ``kid`` makes us reload a pool's keys (or refetch a remote JWKS) at most this often."""
POOL_NEGATIVE_TTL = 5.0
NEGATIVE_TTL = 60.0
"""How long a refused token is answered from memory. Faults that may heal (an unknown kid: keys may be rotated
by another process; a pool not created yet) are kept only ``POOL_NEGATIVE_TTL``."""

REFUSED_CAPACITY = 4096
MAX_REMEMBERED_LENGTH = 4096
"""Refused tokens longer than this are not remembered (a user pool's tokens are about 1 kB)."""

# Reasons the data plane adds to cognito/jws.py's (short words for the INFO log, never the token).
NO_ISSUER = "no iss"
ISSUER_NOT_ACCEPTED = "issuer not accepted by this authorizer"
NO_POOL = "user pool does not exist"
BAD_EXP = "exp is not a number"
_HEALING = frozenset({UNKNOWN_KID, NO_POOL})


@dataclass(frozen=True, slots=True)
class VerifiedToken:
    """A token whose signature and issuer checked out; ``exp`` is checked on every use."""

    iss: str
    local_pool: str | None
    token_use: str | None
    exp: float
    aud: str | None
    scopes: frozenset[str]
    origin_jti: str | None
    claims: dict[str, str]
    """Stringified as API Gateway passes them (``claims.stringify_claims``)."""


@dataclass(frozen=True, slots=True)
class _Refused:
    reason: str
    until: float
    iss: str | None = None
    """Set when the only fault was an issuer the authorizer that asked does not accept: another may."""


HttpGetJson = Callable[[str], Awaitable[Any]]
_T = TypeVar("_T")


class TokenVerifier:
    """Verifies and caches user-pool tokens for every Cognito authorizer of this process."""

    def __init__(self, services: Services, get_json: HttpGetJson, capacity: int = 10000) -> None:
        self.services = services
        self.get_json = get_json
        self.capacity = capacity
        self._cache: OrderedDict[str, VerifiedToken] = OrderedDict()
        self._refused: OrderedDict[str, _Refused] = OrderedDict()
        self._issuers: dict[str, tuple[str | None, float]] = {}  # pool id → (issuer or None, when looked up)
        self._keys: dict[tuple[str, str], rsa.RSAPublicKey] = {}  # (pool id or issuer, kid) → key
        self._remote: dict[str, dict[str, dict[str, Any]]] = {}  # issuer → kid → JWK
        self._reloaded: dict[str, float] = {}
        self._inflight: dict[str, asyncio.Future[Any]] = {}

    def clear(self) -> None:
        """Forget everything (after a reset: pools and keys may have been recreated)."""
        self._cache.clear()
        self._refused.clear()
        self._issuers.clear()
        self._keys.clear()
        self._remote.clear()
        self._reloaded.clear()

    def cached(self, token: str) -> VerifiedToken | None:
        entry = self._cache.get(token)
        if entry is not None:
            self._cache.move_to_end(token)
        return entry

    def remember(self, token: str, entry: VerifiedToken) -> None:
        self._cache[token] = entry
        if len(self._cache) > self.capacity:
            self._cache.popitem(last=False)

    def refused(self, token: str, local_pools: frozenset[str], remote_issuers: frozenset[str]) -> str | None:
        """Why ``token`` was refused recently (None: not known to be bad, or refused only by another authorizer
        for an issuer these pools accept)."""
        entry = self._refused.get(token)
        if entry is None:
            return None
        if entry.until <= self.services.clock.now() or (
                entry.iss is not None and (entry.iss in remote_issuers
                                           or entry.iss.rsplit("/", 1)[-1] in local_pools)):
            del self._refused[token]
            return None
        return entry.reason

    def _refuse(self, token: str, reason: str, iss: str | None = None) -> InvalidToken:
        if len(token) <= MAX_REMEMBERED_LENGTH:  # bounded memory: at most REFUSED_CAPACITY times 4 kB
            ttl = POOL_NEGATIVE_TTL if reason in _HEALING else NEGATIVE_TTL
            self._refused[token] = _Refused(reason, self.services.clock.now() + ttl, iss)
            if len(self._refused) > REFUSED_CAPACITY:
                self._refused.popitem(last=False)
        return InvalidToken(reason)

    async def local_issuer(self, pool_id: str) -> str | None:
        known = self._known_issuer(pool_id)
        if known is not None:
            return known[0]
        return await self._once("pool:" + pool_id, lambda: self._read_issuer(pool_id))

    async def _read_issuer(self, pool_id: str) -> str | None:
        async with self.services.db.read() as conn:
            pool = await repo.find_pool(conn, pool_id)
        issuer = self.services.tokens.issuer(pool) if pool is not None else None
        self._issuers[pool_id] = (issuer, self.services.clock.now())
        return issuer

    def _known_issuer(self, pool_id: str) -> tuple[str | None, float] | None:
        known = self._issuers.get(pool_id)
        if known is not None and (known[0] is not None
                                  or self.services.clock.now() - known[1] < POOL_NEGATIVE_TTL):
            return known
        return None

    async def verify(self, token: str, local_pools: frozenset[str], remote_issuers: frozenset[str]
                     ) -> VerifiedToken:
        """Check signature and issuer (one of ``local_pools`` or ``remote_issuers``); cache the result.

        Raises InvalidToken with the reason. ``exp``, ``token_use``, scopes and revocation are the caller's to
        check, on every request.
        """
        reason = self.refused(token, local_pools, remote_issuers)
        if reason is not None:
            raise InvalidToken(reason)
        try:
            jws = parse(token)
        except InvalidToken as exc:
            raise self._refuse(token, exc.reason) from None
        iss = jws.iss
        if iss is None:
            raise self._refuse(token, NO_ISSUER)
        candidate = iss.rsplit("/", 1)[-1]
        local_pool = None
        if candidate in local_pools:
            issuer = await self.local_issuer(candidate)
            if issuer == iss:
                local_pool = candidate
            elif issuer is None and iss not in remote_issuers:
                raise self._refuse(token, NO_POOL)
        try:
            if local_pool is not None:
                key = await self._local_key(local_pool, jws.kid)
            elif iss in remote_issuers:
                key = await self._remote_key(iss, jws.kid)
            else:
                raise self._refuse(token, ISSUER_NOT_ACCEPTED, iss)
            check_signature(jws, key)
        except InvalidToken as exc:
            if token not in self._refused:
                self._refuse(token, exc.reason)
            raise
        claims = jws.claims
        exp = claims.get("exp")
        if not isinstance(exp, int | float) or isinstance(exp, bool):
            raise self._refuse(token, BAD_EXP)
        scope = claims.get("scope")
        aud = claims.get("aud")
        origin_jti = claims.get("origin_jti")
        entry = VerifiedToken(
            iss=iss, local_pool=local_pool, token_use=claims.get("token_use"), exp=float(exp),
            aud=aud if isinstance(aud, str) else None,
            scopes=frozenset(scope.split()) if isinstance(scope, str) else frozenset(),
            origin_jti=origin_jti if isinstance(origin_jti, str) else None,
            claims=stringify_claims(claims))
        self.remember(token, entry)
        return entry

    async def _once(self, name: str, load: Callable[[], Awaitable[_T]]) -> _T:
        """Run ``load`` once for every caller that asks for ``name`` while it runs, and wake them all together.

        Not an ``asyncio.Lock``: a lock hands over to one waiter per event-loop iteration, so 200 requests that
        miss at once (a cold start under 200 keep-alive connections) finished one loop iteration apart, the
        last after seconds (bench/RESULTS.md, "the 401 path"). A shared future wakes every waiter in one
        iteration; ``shield`` keeps one caller's cancellation from cancelling the others' look-up."""
        future = self._inflight.get(name)
        if future is None:
            future = asyncio.ensure_future(load())
            self._inflight[name] = future
            future.add_done_callback(lambda _: self._inflight.pop(name, None))
        return await asyncio.shield(future)

    def _may_reload(self, name: str) -> bool:
        now = self.services.clock.now()
        last = self._reloaded.get(name)
        if last is not None and now - last < KEY_RELOAD_INTERVAL:
            return False
        self._reloaded[name] = now
        return True

    async def _local_key(self, pool_id: str, kid: str) -> rsa.RSAPublicKey:
        key = self._keys.get((pool_id, kid))
        if key is not None:
            return key
        return await self._once(f"keys:{pool_id}:{kid}", lambda: self._load_local_key(pool_id, kid))

    async def _load_local_key(self, pool_id: str, kid: str) -> rsa.RSAPublicKey:
        # An unknown kid makes the key store re-read the pool's keys (rate-limited there): another process may
        # have rotated them.
        jwk = await self.services.keys.public_key(pool_id, kid, self.services.clock.now())
        if jwk is None:
            raise InvalidToken(UNKNOWN_KID)
        key = self._keys[(pool_id, kid)] = public_key(jwk)
        return key

    async def _remote_key(self, iss: str, kid: str) -> rsa.RSAPublicKey:
        key = self._keys.get((iss, kid))
        if key is not None:
            return key
        jwks = self._remote.get(iss)
        # an unknown kid refetches the JWKS at most every KEY_RELOAD_INTERVAL; callers during a fetch share it
        if (jwks is None or kid not in jwks) and ("jwks:" + iss in self._inflight or self._may_reload(iss)):
            jwks = await self._once("jwks:" + iss, lambda: self._fetch_jwks(iss))
        if jwks is None or kid not in jwks:
            raise InvalidToken(UNKNOWN_KID)
        key = self._keys[(iss, kid)] = public_key(jwks[kid])
        return key

    async def _fetch_jwks(self, iss: str) -> dict[str, dict[str, Any]] | None:
        url = f"{iss}/.well-known/jwks.json"
        try:
            document = await self.get_json(url)
            keys = {k["kid"]: k for k in document["keys"] if isinstance(k, dict) and isinstance(k.get("kid"), str)}
        except Exception as exc:  # an unreachable or broken JWKS leaves the token unverifiable: 401
            log.warning("could not fetch JWKS %s: %s", url, exc)
            return self._remote.get(iss)
        self._remote[iss] = keys
        return keys
