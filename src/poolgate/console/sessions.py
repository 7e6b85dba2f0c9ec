"""Console sessions: who the console signs its calls as, and the token every form carries.

A session lives only in its cookie (``HttpOnly``, ``SameSite=Strict``, path ``/_console/``), sealed with AES-GCM
under a key created once per database (``server_secrets``), so every worker and node of one database reads the
same sessions, and a restart keeps them. It holds a random id, an expiry and, with ``--credentials``, the access key
and secret the user signed in with (encrypted, never readable by the page's scripts). In local mode the console
signs with a fixed local key (local mode accepts any key). Every state-changing request (a POST) must carry the
session's form token, an HMAC of its id, and must not come from another site (``edge.cross_site_refusal``).
Signing out clears the cookie; a copied cookie stays valid until it expires (``LIFETIME``)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import secrets
from dataclasses import dataclass

from ..compare import same_secret
from ..http import Request
from ..services import Services
from ..store.secrets import server_secret
from .client import Identity

COOKIE = "poolgate_console"
SECRET_NAME = "console-session-key"
LOCAL_ACCESS_KEY = "AKIDPOOLGATECONSOLE"
"""The key a local-mode console signs with (any key is accepted in local mode)."""
LOCAL_SECRET = "poolgate-console-local"
LIFETIME = 8 * 3600
_AAD = b"poolgate-console-session"


@dataclass(frozen=True, slots=True)
class Session:
    id: str
    token: str
    identity: Identity | None
    sealed: str
    """The cookie's value."""


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class Sessions:
    def __init__(self, services: Services) -> None:
        self.services = services
        self._key: bytes | None = None

    async def _secret(self) -> bytes:
        if self._key is None:
            self._key = await server_secret(self.services.db, self.services.clock, SECRET_NAME)
        return self._key

    def _local(self) -> Identity | None:
        settings = self.services.settings
        return Identity(LOCAL_ACCESS_KEY, LOCAL_SECRET, settings.region) if settings.local_mode else None

    async def get(self, request: Request) -> Session | None:
        """The request's session, or None (no cookie, tampered with, sealed by another database, or expired)."""
        from cryptography.exceptions import InvalidTag
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM

        sealed = _cookie(request, COOKIE)
        if not sealed or len(sealed) > 4096:
            return None
        try:
            raw = _unb64(sealed)
            payload = json.loads(AESGCM(await self._secret()).decrypt(raw[:12], raw[12:], _AAD))
        except (ValueError, InvalidTag):
            return None
        if not isinstance(payload, dict) or not isinstance(payload.get("exp"), int | float) \
                or payload["exp"] < self.services.clock.now() or not isinstance(payload.get("sid"), str):
            return None
        identity = self._local()
        if identity is None and isinstance(payload.get("ak"), str) and isinstance(payload.get("sk"), str):
            identity = Identity(payload["ak"], payload["sk"], self.services.settings.region)
        return Session(payload["sid"], await self._token(payload["sid"]), identity, sealed)

    async def new(self, identity: Identity | None = None) -> Session:
        """A new session: signed in as ``identity`` (``--credentials``), or as the local key in local mode."""
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM

        sid = secrets.token_urlsafe(24)
        payload: dict[str, object] = {"sid": sid, "exp": int(self.services.clock.now()) + LIFETIME}
        if identity is not None and not self.services.settings.local_mode:
            payload.update(ak=identity.access_key, sk=identity.secret_key)
        nonce = os.urandom(12)
        sealed = _b64(nonce + AESGCM(await self._secret()).encrypt(
            nonce, json.dumps(payload, separators=(",", ":")).encode(), _AAD))
        return Session(sid, await self._token(sid), identity or self._local(), sealed)

    async def _token(self, sid: str) -> str:
        return _b64(hmac.new(await self._secret(), f"console-form\n{sid}".encode(), hashlib.sha256).digest())


def token_matches(session: Session, sent: str | None) -> bool:
    return sent is not None and same_secret(session.token, sent)


def cookie_header(session: Session | None, secure: bool) -> tuple[str, str]:
    """The ``Set-Cookie`` that keeps ``session``, or that clears the cookie (None)."""
    flags = "; Secure" if secure else ""
    if session is None:
        return ("set-cookie", f"{COOKIE}=; Path=/_console/; Max-Age=0; HttpOnly; SameSite=Strict{flags}")
    return ("set-cookie", f"{COOKIE}={session.sealed}; Path=/_console/; Max-Age={LIFETIME}; HttpOnly; "
                          f"SameSite=Strict{flags}")


def _cookie(request: Request, name: str) -> str | None:
    for part in (request.header("cookie") or "").split(";"):
        key, _, value = part.strip().partition("=")
        if key == name:
            return value
    return None
