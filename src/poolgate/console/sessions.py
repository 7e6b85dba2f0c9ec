"""Console sessions: who the console signs its calls as, and the token every form carries.

A session is a random id in an ``HttpOnly``, ``SameSite=Strict`` cookie, scoped to ``/_console/``, kept in this
process's memory (a restart signs everyone out; nothing about it is stored). In local mode the session signs with a
fixed local key (local mode accepts any key); with ``--credentials`` the sign-in page asks for an access key and its
secret, which stay in the session until it ends or the server stops. Every state-changing request (a POST) must
carry the session's form token and must not come from another site (``edge.cross_site_refusal``)."""

from __future__ import annotations

import hmac
import secrets
import time
from dataclasses import dataclass, field

from ..http import Request
from .client import Identity

COOKIE = "poolgate_console"
LOCAL_ACCESS_KEY = "AKIDPOOLGATECONSOLE"
"""The key a local-mode console signs with (any key is accepted in local mode)."""
LOCAL_SECRET = "poolgate-console-local"
IDLE_SECONDS = 8 * 3600
MAX_SESSIONS = 1000


@dataclass(slots=True)
class Session:
    id: str
    token: str
    identity: Identity | None = None
    seen: float = field(default_factory=time.monotonic)


class Sessions:
    def __init__(self) -> None:
        self._sessions: dict[str, Session] = {}

    def get(self, request: Request) -> Session | None:
        sid = _cookie(request, COOKIE)
        session = self._sessions.get(sid) if sid else None
        if session is None:
            return None
        now = time.monotonic()
        if now - session.seen > IDLE_SECONDS:
            del self._sessions[session.id]
            return None
        session.seen = now
        return session

    def new(self, identity: Identity | None = None) -> Session:
        if len(self._sessions) >= MAX_SESSIONS:  # drop the longest idle
            oldest = min(self._sessions.values(), key=lambda s: s.seen)
            del self._sessions[oldest.id]
        session = Session(secrets.token_urlsafe(32), secrets.token_urlsafe(32), identity)
        self._sessions[session.id] = session
        return session

    def end(self, session: Session) -> None:
        self._sessions.pop(session.id, None)


def token_matches(session: Session, sent: str | None) -> bool:
    return sent is not None and hmac.compare_digest(session.token.encode(), sent.encode())


def cookie_header(session: Session, secure: bool) -> tuple[str, str]:
    flags = "; Secure" if secure else ""
    return ("set-cookie", f"{COOKIE}={session.id}; Path=/_console/; HttpOnly; SameSite=Strict{flags}")


def _cookie(request: Request, name: str) -> str | None:
    for part in (request.header("cookie") or "").split(";"):
        key, _, value = part.strip().partition("=")
        if key == name:
            return value
    return None
