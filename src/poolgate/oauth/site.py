"""The request context of the hosted UI: which domain, pool and path prefix a request came in through."""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlencode

from ..cognito import repo
from ..cognito.domain import Client, Pool, User
from ..errors import ServiceError
from ..http import Request
from ..services import Services
from .signing import Signer
from .web import Response, cookies, redirect, set_cookie

SESSION_COOKIE = "cognito"
CSRF_COOKIE = "XSRF-TOKEN"
SESSION_SECONDS = 3600


class PageError(Exception):
    """Shown as an HTML error page: the request cannot be trusted to redirect anywhere."""

    def __init__(self, error: str, description: str, status: int = 400) -> None:
        super().__init__(description)
        self.error = error
        self.description = description
        self.status = status


class ErrorPageRedirect(Exception):
    """Sent to the domain's own error page, ``302 {prefix}/error?error=…&client_id=…``, as Cognito sends an
    authorize request whose redirect_uri cannot be trusted."""

    def __init__(self, error: str, client_id: str) -> None:
        super().__init__(error)
        self.error = error
        self.client_id = client_id

    def response(self, site: Site) -> Response:
        return redirect(f"{site.url('error')}?{urlencode({'error': self.error, 'client_id': self.client_id})}")


@dataclass(slots=True)
class Site:
    services: Services
    signer: Signer
    domain: str
    pool: Pool
    base: str
    """Path prefix of the domain's pages: ``/_domains/{domain}``, or empty when routed by Host."""
    request: Request
    set_cookies: list[tuple[str, str]] = field(default_factory=list)

    @property
    def cookies(self) -> dict[str, str]:
        return cookies(self.request.header("cookie"))

    @property
    def secure(self) -> bool:
        return self.request.scheme == "https" or self.request.header("x-forwarded-proto") == "https"

    @property
    def cookie_path(self) -> str:
        return f"{self.base}/" if self.base else "/"

    def query(self) -> dict[str, str]:
        out: dict[str, str] = {}
        for key, value in self.request.query():
            out.setdefault(key, value)
        return out

    def url(self, page: str) -> str:
        return f"{self.base}/{page.lstrip('/')}"

    async def client(self, client_id: str | None) -> Client | None:
        """The app client of this domain's pool, or None."""
        if not client_id:
            return None
        async with self.services.db.read() as conn:
            try:
                return await repo.get_client(conn, client_id, self.pool.id)
            except ServiceError:
                return None

    # --- the login session cookie ---

    async def session_user(self) -> tuple[User, int] | None:
        """The signed-in user and their auth_time, from a valid session cookie of this pool."""
        payload = await self.signer.unseal("session", self.cookies.get(SESSION_COOKIE))
        now = self.services.clock.now()
        if not payload or payload.get("p") != self.pool.id or float(payload.get("e", 0)) <= now:
            return None
        async with self.services.db.read() as conn:
            user = await repo.find_user(conn, self.pool, str(payload.get("u")), aliases=False)
        auth_time = int(payload.get("t", 0))
        if user is None or not user.enabled or auth_time < int(user.tokens_valid_after) \
                or user.status != "CONFIRMED":
            return None
        return user, auth_time

    async def start_session(self, user: User) -> int:
        now = self.services.clock.now()
        value = await self.signer.seal("session", {"p": self.pool.id, "u": user.username, "t": int(now),
                                                   "e": int(now) + SESSION_SECONDS})
        self.set_cookies.append(set_cookie(SESSION_COOKIE, value, self.cookie_path, SESSION_SECONDS, self.secure))
        return int(now)

    def end_session(self) -> None:
        self.set_cookies.append(set_cookie(SESSION_COOKIE, "", self.cookie_path, 0, self.secure))

    # --- CSRF: a random cookie, and a form field that is its HMAC ---

    async def csrf_field(self) -> str:
        token = self.cookies.get(CSRF_COOKIE)
        if not token or len(token) < 32:
            token = self.services.ids.token(32)
            self.set_cookies.append(set_cookie(CSRF_COOKIE, token, self.cookie_path, 86400, self.secure))
        return await self.signer.csrf_token(token)

    async def csrf_ok(self, form: dict[str, str]) -> bool:
        return await self.signer.check_csrf(self.cookies.get(CSRF_COOKIE), form.get("_csrf"))

    def finish(self, response: Response) -> Response:
        """Attach the cookies set while handling the request (once, however often it is called)."""
        response.headers.extend(self.set_cookies)
        self.set_cookies.clear()
        return response
