"""ID, access and refresh tokens with Cognito's claims, and access-token checks for the JSON API."""

from __future__ import annotations

import base64
import hashlib
import secrets
from dataclasses import dataclass
from typing import Any

import jwt

from ..clock import IdGenerator
from ..errors import not_authorized
from . import jws
from .domain import ADMIN_SCOPE, Client, Pool, User
from .federation.identities import claim_value as identities_claim
from .keys import KeyStore

_REFRESH_HEADER = base64.urlsafe_b64encode(b'{"cty":"JWT","enc":"A256GCM","alg":"RSA-OAEP"}').rstrip(b"=")


def new_refresh_token() -> str:
    """An opaque token shaped like Cognito's (five JWE-like segments); only its hash is stored."""
    parts = [_REFRESH_HEADER.decode()] + [secrets.token_urlsafe(n) for n in (192, 9, 512, 16)]
    return ".".join(parts)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def id_token_attributes(user: User, client: Client) -> dict[str, Any]:
    """User attributes as ID-token claims: ``*_verified`` as booleans, custom ones as strings."""
    readable = client.read_attributes
    claims: dict[str, Any] = {}
    for name, value in user.attributes.items():
        if readable is not None and name not in readable:
            continue
        if name in ("email_verified", "phone_number_verified"):
            claims[name] = value.lower() == "true"
        elif name == "updated_at":
            claims[name] = int(value) if value.isdigit() else value
        elif name == "identities":  # a JSON list in the attribute, a list of objects in the claim (issue 16)
            claims[name] = identities_claim(value)
        else:
            claims[name] = value
    return claims


@dataclass(slots=True)
class Issued:
    id_token: str
    access_token: str
    expires_in: int


@dataclass(frozen=True, slots=True)
class Session:
    """The facts a token set is minted from: one sign-in (``origin_jti``) and its refreshes."""

    origin_jti: str
    auth_time: int
    event_id: str
    scopes: list[str]
    oauth: bool = False
    nonce: str | None = None
    device_key: str | None = None
    """The device the sign-in was made with (device tracking): the access token's ``device_key`` claim."""


class TokenMinter:
    def __init__(self, keys: KeyStore, ids: IdGenerator, base_url: str, aws_issuer_default: bool) -> None:
        self.keys = keys
        self.ids = ids
        self.base_url = base_url
        self.aws_issuer_default = aws_issuer_default

    def issuer(self, pool: Pool) -> str:
        return pool.issuer(self.base_url, self.aws_issuer_default)

    async def mint(self, pool: Pool, client: Client, user: User, session: Session, now: float,
                   *, include_id: bool = True, extra_id_claims: dict[str, Any] | None = None,
                   extra_access_claims: dict[str, Any] | None = None) -> Issued:
        iat = int(now)
        iss = self.issuer(pool)
        groups = {"cognito:groups": user.groups} if user.groups else {}
        access: dict[str, Any] = {"sub": user.sub, **groups}
        if session.device_key:  # where AWS's access tokens carry it, after the groups: order UNCONFIRMED
            access["device_key"] = session.device_key
        access["iss"] = iss
        if session.oauth:
            access["version"] = 2
        access.update({
            "client_id": client.client_id, "origin_jti": session.origin_jti, "event_id": session.event_id,
            "token_use": "access", "scope": " ".join(session.scopes), "auth_time": session.auth_time,
            "exp": iat + client.access_validity, "iat": iat, "jti": self.ids.uuid(), "username": user.username,
        })
        if extra_access_claims:  # PreTokenGeneration V2 (cognito/pretoken.py keeps reserved claims out)
            access.update(extra_access_claims)
        access_key = await self.keys.signing_key(pool.id, "access", now)
        access_token = _sign(access, access_key.private_key, access_key.kid)
        id_token = ""
        if include_id:
            claims: dict[str, Any] = {"sub": user.sub, **groups}
            claims.update(id_token_attributes(user, client))
            claims.update({"iss": iss, "cognito:username": user.username, "origin_jti": session.origin_jti,
                           "aud": client.client_id, "event_id": session.event_id, "token_use": "id",
                           "auth_time": session.auth_time, "exp": iat + client.id_validity, "iat": iat,
                           "jti": self.ids.uuid()})
            if session.nonce:
                claims["nonce"] = session.nonce
            if session.oauth:
                claims["at_hash"] = at_hash(access_token)
            if extra_id_claims:
                claims.update(extra_id_claims)
            id_key = await self.keys.signing_key(pool.id, "id", now)
            id_token = _sign(claims, id_key.private_key, id_key.kid)
        return Issued(id_token, access_token, client.access_validity)

    async def mint_client_credentials(self, pool: Pool, client: Client, scopes: list[str], now: float) -> Issued:
        """An access token for the app client itself (``client_credentials``): ``sub`` is the client id."""
        iat = int(now)
        claims: dict[str, Any] = {
            "sub": client.client_id, "token_use": "access", "scope": " ".join(scopes), "auth_time": iat,
            "iss": self.issuer(pool), "exp": iat + client.access_validity, "iat": iat, "version": 2,
            "jti": self.ids.uuid(), "client_id": client.client_id}
        key = await self.keys.signing_key(pool.id, "access", now)
        return Issued("", _sign(claims, key.private_key, key.kid), client.access_validity)

    async def verify_access_token(self, pool_lookup: Any, token: str, now: float) -> tuple[Pool, dict[str, Any]]:
        """Claims of a valid access token of one of our pools; NotAuthorizedException otherwise.

        ``pool_lookup`` is an async callable from pool id to ``Pool | None``. The token is read by ``jws.py``,
        the one strict reader the data plane uses too. Revocation is checked by the caller, which holds the
        database connection.
        """
        try:
            token_jws = jws.parse(token)
            iss = token_jws.iss
            pool_id = iss.rsplit("/", 1)[-1] if iss is not None else None
            pool = await pool_lookup(pool_id) if pool_id else None
            if pool is None or iss != self.issuer(pool):
                raise jws.InvalidToken("issuer")
            jwk = await self.keys.public_key(pool.id, token_jws.kid, now)
            if jwk is None:
                raise jws.InvalidToken(jws.UNKNOWN_KID)
            jws.check_signature(token_jws, jws.public_key(jwk))
        except jws.InvalidToken:
            raise not_authorized("Invalid Access Token") from None
        claims = token_jws.claims
        if claims.get("token_use") != "access":
            raise not_authorized("Invalid Access Token")
        exp = claims.get("exp")
        if not isinstance(exp, int | float) or isinstance(exp, bool):
            raise not_authorized("Invalid Access Token")
        if exp <= now:
            raise not_authorized("Access Token has expired")
        return pool, claims


def has_admin_scope(claims: dict[str, Any]) -> bool:
    return ADMIN_SCOPE in str(claims.get("scope", "")).split()


def at_hash(access_token: str) -> str:
    """OIDC ``at_hash``: the left half of SHA-256 of the access token, base64url without padding."""
    digest = hashlib.sha256(access_token.encode()).digest()
    return base64.urlsafe_b64encode(digest[:16]).rstrip(b"=").decode()


def _sign(claims: dict[str, Any], key: Any, kid: str) -> str:
    return jwt.encode(claims, key, algorithm="RS256", headers={"kid": kid, "typ": None})

