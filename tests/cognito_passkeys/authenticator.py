"""A software passkey authenticator for the fast tests: what navigator.credentials.create / .get return, as JSON
(RegistrationResponseJSON / AuthenticationResponseJSON, W3C WebAuthn Level 3 §5.1), made with an ES256 key.

Attestation format "none"; authenticator data laid out as WebAuthn §6.1: rpIdHash (32), flags (1: UP 0x01, UV 0x04,
AT 0x40), signCount (4, big-endian), then for a registration the attested credential data (AAGUID 16, id length 2,
id, COSE_Key). The assertion signature is ECDSA-SHA256 over authenticatorData || SHA-256(clientDataJSON).
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import struct
from dataclasses import dataclass, field
from typing import Any

import cbor2
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec


def b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _client_data(kind: str, challenge: str, origin: str) -> bytes:
    return json.dumps({"type": kind, "challenge": challenge, "origin": origin, "crossOrigin": False},
                      separators=(",", ":")).encode()


@dataclass
class SoftAuthenticator:
    """One authenticator holding passkeys (credential id -> key, RP ID, counter)."""

    user_verified: bool = True
    keys: dict[bytes, tuple[ec.EllipticCurvePrivateKey, str]] = field(default_factory=dict)
    counters: dict[bytes, int] = field(default_factory=dict)

    def _flags(self, attested: bool) -> int:
        return 0x01 | (0x04 if self.user_verified else 0) | (0x40 if attested else 0)

    def create(self, options: dict[str, Any], origin: str, *, rp_id: str | None = None,
               reuse: bytes | None = None) -> dict[str, Any]:
        """A new passkey for ``options`` (CredentialCreationOptions JSON); ``rp_id`` overrides the options' RP,
        ``reuse`` answers with a passkey this authenticator already holds (its id and key) instead."""
        rp = rp_id or options["rp"]["id"]
        if reuse is not None:
            credential_id, key = reuse, self.keys[reuse][0]
        else:
            credential_id, key = os.urandom(32), ec.generate_private_key(ec.SECP256R1())
            self.keys[credential_id] = (key, rp)
            self.counters[credential_id] = 0
        numbers = key.public_key().public_numbers()
        cose = cbor2.dumps({1: 2, 3: -7, -1: 1, -2: numbers.x.to_bytes(32, "big"), -3: numbers.y.to_bytes(32, "big")})
        auth_data = (hashlib.sha256(rp.encode()).digest() + bytes([self._flags(True)]) + struct.pack(">I", 0)
                     + bytes(16) + struct.pack(">H", len(credential_id)) + credential_id + cose)
        attestation = cbor2.dumps({"fmt": "none", "attStmt": {}, "authData": auth_data})
        return {"id": b64url(credential_id), "rawId": b64url(credential_id), "type": "public-key",
                "authenticatorAttachment": "platform", "clientExtensionResults": {},
                "response": {"clientDataJSON": b64url(_client_data("webauthn.create", options["challenge"], origin)),
                             "attestationObject": b64url(attestation), "transports": ["internal"]}}

    def get(self, options: dict[str, Any], origin: str, *, credential_id: bytes | None = None,
            count: int | None = None) -> dict[str, Any]:
        """An assertion for ``options`` (CREDENTIAL_REQUEST_OPTIONS) with the first allowed passkey held (or
        ``credential_id``); the counter moves on by one unless ``count`` says what to claim."""
        allowed = [unb64url(c["id"]) for c in options.get("allowCredentials") or []]
        chosen = credential_id or next(c for c in allowed if c in self.keys)
        key, rp = self.keys[chosen]
        self.counters[chosen] = self.counters[chosen] + 1 if count is None else count
        auth_data = (hashlib.sha256(rp.encode()).digest() + bytes([self._flags(False)])
                     + struct.pack(">I", self.counters[chosen]))
        client_data = _client_data("webauthn.get", options["challenge"], origin)
        signature = key.sign(auth_data + hashlib.sha256(client_data).digest(), ec.ECDSA(hashes.SHA256()))
        return {"id": b64url(chosen), "rawId": b64url(chosen), "type": "public-key",
                "authenticatorAttachment": "platform", "clientExtensionResults": {},
                "response": {"clientDataJSON": b64url(client_data), "authenticatorData": b64url(auth_data),
                             "signature": b64url(signature)}}
