"""The per-server secret (persisted in the database) and what it signs: session cookies and CSRF tokens."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from typing import Any

from ..compare import same_secret
from ..services import Services
from ..store.secrets import server_secret

SECRET_NAME = "hosted-ui-cookie-hmac"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class Signer:
    """HMAC-SHA256 with a key created once per server (per database) and kept in ``server_secrets``."""

    def __init__(self, services: Services) -> None:
        self.services = services
        self._key: bytes | None = None

    async def key(self) -> bytes:
        if self._key is None:
            self._key = await server_secret(self.services.db, self.services.clock, SECRET_NAME)
        return self._key

    async def mac(self, purpose: str, message: str) -> str:
        return _b64(hmac.new(await self.key(), f"{purpose}\n{message}".encode(), hashlib.sha256).digest())

    async def seal(self, purpose: str, payload: dict[str, Any]) -> str:
        body = _b64(json.dumps(payload, separators=(",", ":")).encode())
        return f"{body}.{await self.mac(purpose, body)}"

    async def unseal(self, purpose: str, value: str | None) -> dict[str, Any] | None:
        """The payload of a value ``seal`` made for ``purpose``, or None if it was tampered with."""
        if not value or value.count(".") != 1:
            return None
        body, mac = value.split(".")
        if not same_secret(mac, await self.mac(purpose, body)):
            return None
        try:
            payload = json.loads(_unb64(body))
        except ValueError:
            return None
        return payload if isinstance(payload, dict) else None

    async def csrf_token(self, csrf_cookie: str) -> str:
        return await self.mac("csrf", csrf_cookie)

    async def check_csrf(self, csrf_cookie: str | None, token: str | None) -> bool:
        if not csrf_cookie or not token:
            return False
        return same_secret(token, await self.csrf_token(csrf_cookie))
