"""Verifying user-pool JWTs for the data plane, without SQL or RSA on the hot path.

A token is verified once (RS256 only, whatever its header says; the key of the pool named by ``iss``:
this poolgate's ``KeyStore`` for local pools, the JWKS of another poolgate fetched over HTTP for remote
issuers) and the result is kept in a bounded LRU until the token's ``exp``.
"""

from __future__ import annotations

import asyncio
import base64
import json
import logging
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from jwt.algorithms import RSAAlgorithm

from ..cognito import repo
from ..services import Services
from .claims import stringify_claims

log = logging.getLogger("poolgate.dataplane")

MAX_TOKEN_LENGTH = 10240
KEY_RELOAD_INTERVAL = 10.0
"""An unknown ``kid`` makes us reload a pool's keys (or refetch a remote JWKS) at most this often."""
POOL_NEGATIVE_TTL = 5.0


class InvalidToken(Exception):
    """The token is not one the authorizer can accept (rendered as 401 Unauthorized)."""


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


def _b64json(segment: str) -> Any:
    return json.loads(base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4)))


def _public_key(jwk: dict[str, Any]) -> rsa.RSAPublicKey:
    if jwk.get("kty") != "RSA" or jwk.get("alg", "RS256") != "RS256" or jwk.get("use", "sig") != "sig":
        raise InvalidToken("unusable key")
    key = RSAAlgorithm.from_jwk(jwk)
    if not isinstance(key, rsa.RSAPublicKey):
        raise InvalidToken("not an RSA public key")
    return key


HttpGetJson = Callable[[str], Awaitable[Any]]


class TokenVerifier:
    """Verifies and caches user-pool tokens for every Cognito authorizer of this process."""

    def __init__(self, services: Services, get_json: HttpGetJson, capacity: int = 10000) -> None:
        self.services = services
        self.get_json = get_json
        self.capacity = capacity
        self._cache: OrderedDict[str, VerifiedToken] = OrderedDict()
        self._issuers: dict[str, tuple[str | None, float]] = {}  # pool id → (issuer or None, when looked up)
        self._keys: dict[tuple[str, str], rsa.RSAPublicKey] = {}  # (pool id or issuer, kid) → key
        self._remote: dict[str, dict[str, dict[str, Any]]] = {}  # issuer → kid → JWK
        self._reloaded: dict[str, float] = {}
        self._locks: dict[str, asyncio.Lock] = {}

    def clear(self) -> None:
        """Forget everything (after a reset: pools and keys may have been recreated)."""
        self._cache.clear()
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

    async def local_issuer(self, pool_id: str) -> str | None:
        now = self.services.clock.now()
        known = self._issuers.get(pool_id)
        if known is not None and (known[0] is not None or now - known[1] < POOL_NEGATIVE_TTL):
            return known[0]
        async with self.services.db.read() as conn:
            pool = await repo.find_pool(conn, pool_id)
        issuer = self.services.tokens.issuer(pool) if pool is not None else None
        self._issuers[pool_id] = (issuer, now)
        return issuer

    async def verify(self, token: str, local_pools: frozenset[str], remote_issuers: frozenset[str]
                     ) -> VerifiedToken:
        """Check signature and issuer (one of ``local_pools`` or ``remote_issuers``); cache the result.

        ``exp``, ``token_use``, scopes and revocation are the caller's to check, on every request.
        """
        if len(token) > MAX_TOKEN_LENGTH:
            raise InvalidToken("too long")
        parts = token.split(".")
        if len(parts) != 3:
            raise InvalidToken("not a JWS compact serialization")
        try:
            header = _b64json(parts[0])
            claims = _b64json(parts[1])
            signature = base64.urlsafe_b64decode(parts[2] + "=" * (-len(parts[2]) % 4))
        except (ValueError, TypeError) as exc:
            raise InvalidToken("undecodable") from exc
        if not isinstance(header, dict) or not isinstance(claims, dict):
            raise InvalidToken("header and payload must be objects")
        # Never trust the token's alg: RS256 is the only algorithm a user pool signs with.
        if header.get("alg") != "RS256" or not isinstance(header.get("kid"), str):
            raise InvalidToken("alg must be RS256 with a kid")
        iss = claims.get("iss")
        if not isinstance(iss, str):
            raise InvalidToken("no iss")
        kid = header["kid"]
        candidate = iss.rsplit("/", 1)[-1]
        local_pool = None
        if candidate in local_pools or iss in remote_issuers:
            issuer = await self.local_issuer(candidate) if "_" in candidate else None
            if issuer == iss:
                local_pool = candidate
        if local_pool is not None:
            key = await self._local_key(local_pool, kid)
        elif iss in remote_issuers:
            key = await self._remote_key(iss, kid)
        else:
            raise InvalidToken("issuer not accepted by this authorizer")
        signing_input = token[: len(parts[0]) + 1 + len(parts[1])].encode("ascii", "replace")
        try:
            key.verify(signature, signing_input, padding.PKCS1v15(), hashes.SHA256())
        except InvalidSignature as exc:
            raise InvalidToken("bad signature") from exc
        exp = claims.get("exp")
        if not isinstance(exp, int | float) or isinstance(exp, bool):
            raise InvalidToken("exp must be a number")
        scope = claims.get("scope")
        aud = claims.get("aud")
        entry = VerifiedToken(
            iss=iss, local_pool=local_pool, token_use=claims.get("token_use"), exp=float(exp),
            aud=aud if isinstance(aud, str) else None,
            scopes=frozenset(scope.split()) if isinstance(scope, str) else frozenset(),
            origin_jti=claims.get("origin_jti") if isinstance(claims.get("origin_jti"), str) else None,
            claims=stringify_claims(claims))
        self.remember(token, entry)
        return entry

    def _lock(self, name: str) -> asyncio.Lock:
        lock = self._locks.get(name)
        if lock is None:
            lock = self._locks[name] = asyncio.Lock()
        return lock

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
        now = self.services.clock.now()
        # An unknown kid makes the key store re-read the pool's keys (rate-limited there): another process
        # may have rotated them.
        jwk = await self.services.keys.public_key(pool_id, kid, now)
        if jwk is None:
            raise InvalidToken("unknown kid")
        key = self._keys[(pool_id, kid)] = _public_key(jwk)
        return key

    async def _remote_key(self, iss: str, kid: str) -> rsa.RSAPublicKey:
        key = self._keys.get((iss, kid))
        if key is not None:
            return key
        async with self._lock(iss):
            jwks = self._remote.get(iss)
            if (jwks is None or kid not in jwks) and self._may_reload(iss):
                jwks = await self._fetch_jwks(iss)
            if jwks is None or kid not in jwks:
                raise InvalidToken("unknown kid")
            key = self._keys[(iss, kid)] = _public_key(jwks[kid])
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
