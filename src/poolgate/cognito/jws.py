"""Reading a user-pool JWT: the one strict parser and RS256 signature check every reader of tokens uses.

The data plane's Cognito authorizer (``dataplane/tokens.py``), the JSON API's access-token operations
(GetUser, GlobalSignOut …: ``TokenMinter.verify_access_token``) and ``/oauth2/userInfo`` all go through
``parse`` and ``check_signature``; what differs between them is only where the key comes from and which
claims they then require.

A token has exactly one accepted spelling: the JWS compact serialization (RFC 7515 §7.1) of three segments
in base64url *without* padding (RFC 7515 §2, "Base64url Encoding": "with all trailing '=' characters omitted
… and without the inclusion of any line breaks, whitespace, or other additional characters"). Python's
``base64.urlsafe_b64decode`` and PyJWT's ``base64url_decode`` are not validating (they accept ``=``
padding, the standard alphabet's ``+`` and ``/``, and skip other characters), so a token with ``==``
appended to its signature verified as the same token; joserfc rejects the alphabet but still accepts a
padded segment of the right length. Hence the check here: the base64url alphabet only, no padding, and the
unused low bits of the last character zero (otherwise ``…Q`` and ``…R`` would be two spellings of one
signature). The algorithm is allow-listed (RS256, what user pools sign with), never taken from the token.

UNCONFIRMED: whether API Gateway and Cognito themselves refuse a padded token. AWS's own aws-jwt-verify
library accepts up to two '=' per segment (its JWT_REGEX, tests/js/node_modules/aws-jwt-verify/dist/cjs/
jwt.js), and the AccessToken pattern of botocore's model ([A-Za-z0-9-_=.]+) lets '=' through to the check;
poolgate accepts only the RFC 7515 spelling, as issue 11 asks.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from jwt.algorithms import RSAAlgorithm

MAX_TOKEN_LENGTH = 10240
"""Longer tokens are refused before any decoding (a user pool's tokens are a few kB at most)."""

# Why a token was refused: short, stable words for logs (never the token itself).
MALFORMED = "malformed token"
ALGORITHM = "algorithm not allowed"
UNKNOWN_KID = "unknown kid"
BAD_SIGNATURE = "bad signature"

_ALPHABET = re.compile(r"[A-Za-z0-9_-]*")
_LAST_OF_2 = frozenset("AQgw")  # a 2-character tail carries 8 bits: the last character's low 4 bits unused
_LAST_OF_3 = frozenset("AEIMQUYcgkosw048")  # a 3-character tail carries 16 bits: its low 2 bits unused


class InvalidToken(Exception):
    """The token is not one a reader may accept; ``reason`` says why (for logs, never for the caller)."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason


@dataclass(frozen=True, slots=True)
class Jws:
    """A token split and decoded, its signature not yet checked."""

    header: dict[str, Any]
    claims: dict[str, Any]
    kid: str
    signing_input: bytes
    signature: bytes

    @property
    def iss(self) -> str | None:
        iss = self.claims.get("iss")
        return iss if isinstance(iss, str) else None


def b64url_decode(segment: str) -> bytes:
    """Decode base64url without padding; any other spelling (padding, ``+``/``/``, whitespace, non-zero
    unused bits) raises InvalidToken."""
    rest = len(segment) % 4
    if rest == 1 or not _ALPHABET.fullmatch(segment):
        raise InvalidToken(MALFORMED, "not base64url without padding")
    if (rest == 2 and segment[-1] not in _LAST_OF_2) or (rest == 3 and segment[-1] not in _LAST_OF_3):
        raise InvalidToken(MALFORMED, "non-canonical base64url")
    try:
        return base64.urlsafe_b64decode(segment + "=" * (-rest % 4))
    except binascii.Error as exc:  # pragma: no cover - excluded by the checks above
        raise InvalidToken(MALFORMED, "not base64url") from exc


def _json_object(segment: str, what: str) -> dict[str, Any]:
    try:
        value = json.loads(b64url_decode(segment))
    except ValueError as exc:  # UnicodeDecodeError and JSONDecodeError are ValueErrors
        raise InvalidToken(MALFORMED, f"{what} is not JSON") from exc
    if not isinstance(value, dict):
        raise InvalidToken(MALFORMED, f"{what} is not a JSON object")
    return value


def parse(token: str) -> Jws:
    """Split and decode ``token``; checks the spelling, the header's ``alg`` (RS256 only) and ``kid``."""
    if len(token) > MAX_TOKEN_LENGTH:
        raise InvalidToken(MALFORMED, "too long")
    parts = token.split(".")
    if len(parts) != 3:
        raise InvalidToken(MALFORMED, "not three segments")
    header = _json_object(parts[0], "header")
    # Never trust the token's alg: RS256 is the only algorithm a user pool signs with ("none", HS256 keyed
    # with the public key, and every other algorithm are refused before a key is looked up).
    if header.get("alg") != "RS256":
        raise InvalidToken(ALGORITHM, repr(header.get("alg"))[:40])
    if "crit" in header:  # RFC 7515 §4.1.11: extensions we do not understand must be refused
        raise InvalidToken(MALFORMED, "crit header")
    kid = header.get("kid")
    if not isinstance(kid, str):
        raise InvalidToken(MALFORMED, "no kid")
    claims = _json_object(parts[1], "payload")
    signature = b64url_decode(parts[2])
    return Jws(header, claims, kid, f"{parts[0]}.{parts[1]}".encode("ascii"), signature)


def check_signature(jws: Jws, key: rsa.RSAPublicKey) -> None:
    """RS256 (RSASSA-PKCS1-v1_5 with SHA-256) over the first two segments, as they were sent."""
    if len(jws.signature) != (key.key_size + 7) // 8:
        raise InvalidToken(BAD_SIGNATURE, "wrong length")
    try:
        key.verify(jws.signature, jws.signing_input, padding.PKCS1v15(), hashes.SHA256())
    except InvalidSignature:
        raise InvalidToken(BAD_SIGNATURE) from None


_KEYS: dict[tuple[str, str], rsa.RSAPublicKey] = {}
_MAX_KEYS = 1024


def public_key(jwk: dict[str, Any]) -> rsa.RSAPublicKey:
    """The RSA key of a JWKS entry (memoised by ``kid`` and modulus); refuses keys not meant for RS256."""
    if jwk.get("kty") != "RSA" or jwk.get("alg", "RS256") != "RS256" or jwk.get("use", "sig") != "sig":
        raise InvalidToken(UNKNOWN_KID, "unusable key")
    memo = (str(jwk.get("kid")), str(jwk.get("n")))
    key = _KEYS.get(memo)
    if key is None:
        try:
            loaded = RSAAlgorithm.from_jwk(jwk)
        except Exception as exc:  # PyJWT raises InvalidKeyError and friends for broken JWKs
            raise InvalidToken(UNKNOWN_KID, "unusable key") from exc
        if not isinstance(loaded, rsa.RSAPublicKey):
            raise InvalidToken(UNKNOWN_KID, "not an RSA public key")
        if len(_KEYS) >= _MAX_KEYS:
            _KEYS.clear()
        key = _KEYS[memo] = loaded
    return key
