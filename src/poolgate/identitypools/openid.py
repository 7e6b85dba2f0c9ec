"""GetOpenIdToken: an OpenID Connect token for an identity, signed by the identity pools' key.

As on AWS: issuer ``https://cognito-identity.amazonaws.com``, ``aud`` the identity pool id, ``sub`` the identity
id, ``amr`` (``authenticated`` and the login's provider names, or ``unauthenticated``), valid for 10 minutes
("The OpenID token is valid for 10 minutes", GetOpenIdToken in the Cognito Identity API reference); signed with
RS512 (UNCONFIRMED: the algorithm of AWS's tokens as developers report it). The key is one RSA key per database,
kept in ``server_secrets`` so that every process signs with it; its public half is served at
``/_cognito-identity/.well-known/jwks_uri`` (AWS: ``https://cognito-identity.amazonaws.com/.well-known/jwks_uri``).
"""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import dataclass
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from ..store.secrets import stored_text
from .identities import proven_login
from .service import IDENTITY, Caller, Services, identity_row, pool_row, process_cache
from .trust import amr_of

ISSUER = "https://cognito-identity.amazonaws.com"
VALIDITY = 600
ALGORITHM = "RS512"
JWKS_PATH = "/_cognito-identity/.well-known/jwks_uri"
_SECRET_NAME = "cognito-identity:openid-key"


@dataclass(frozen=True, slots=True)
class OpenIdKey:
    private_key: rsa.RSAPrivateKey
    kid: str
    public_jwk: dict[str, str]


def _new_pem() -> str:
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return private.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                 serialization.NoEncryption()).decode()


async def openid_key(services: Services) -> OpenIdKey:
    cache = process_cache(services, "identity_openid_key")
    key: OpenIdKey | None = cache.get("key")
    if key is not None:
        return key
    pem = await stored_text(services.db, services.clock, _SECRET_NAME, _new_pem())
    private = serialization.load_pem_private_key(pem.encode(), password=None)
    assert isinstance(private, rsa.RSAPrivateKey)
    der = private.public_key().public_bytes(serialization.Encoding.DER,
                                            serialization.PublicFormat.SubjectPublicKeyInfo)
    kid = base64.urlsafe_b64encode(hashlib.sha256(der).digest()[:12]).decode()
    jwk = json.loads(RSAAlgorithm.to_jwk(private.public_key()))
    key = OpenIdKey(private, kid, {"kty": "RSA", "alg": ALGORITHM, "use": "sig", "kid": kid, "n": jwk["n"],
                                   "e": jwk["e"]})
    cache["key"] = key
    return key


async def jwks(services: Services) -> dict[str, Any]:
    return {"keys": [(await openid_key(services)).public_jwk]}


@IDENTITY.operation("GetOpenIdToken")
async def get_open_id_token(services: Services, caller: Caller, params: dict[str, Any]) -> dict[str, Any]:
    identity = await identity_row(services, params["IdentityId"])
    pool = await pool_row(services, identity["pool_id"])
    login = await proven_login(services, identity, pool, params.get("Logins") or {})
    now = int(services.clock.now())
    amr = amr_of(login)
    key = await openid_key(services)
    claims = {"sub": identity["id"], "aud": pool["id"], "amr": amr, "iss": ISSUER, "exp": now + VALIDITY,
              "iat": now}
    token = jwt.encode(claims, key.private_key, algorithm=ALGORITHM, headers={"kid": key.kid})
    return {"IdentityId": identity["id"], "Token": token}
