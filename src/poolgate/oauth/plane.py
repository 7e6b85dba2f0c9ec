"""``OAuthPlane``: routes a user pool domain's requests to the hosted UI and OAuth 2.0 endpoints.

A domain is reached at ``/_domains/{domain}/…`` or with ``Host: {domain}.auth.localhost[:port]``. Every
response carries the security headers of ``web.SECURITY_HEADERS``; errors are rendered here, once.
"""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Awaitable, Callable

from sqlalchemy import select

from ..cognito import repo
from ..cognito.hosted_ui import find_ui_customization
from ..errors import OAuthError
from ..http import Request, Send, send_response
from ..services import Services
from ..store.sql.tables import user_pool_domains
from . import account, authz, federation, grants, signin, userinfo
from .authz import RedirectError
from .signing import Signer
from .site import ErrorPageRedirect, PageError, Site
from .web import STATIC, Response, json_response, render

log = logging.getLogger("poolgate.oauth")

_PATH = re.compile(r"^/_domains/([a-z0-9](?:[a-z0-9\-]{0,61}[a-z0-9])?)(/.*)?$")
_HOST = re.compile(r"^([a-z0-9](?:[a-z0-9\-]{0,61}[a-z0-9])?)\.auth\.localhost(?::\d+)?$")

Handler = Callable[[Site], Awaitable[Response]]
PAGES: dict[str, tuple[Handler, tuple[str, ...]]] = {
    "/oauth2/authorize": (federation.authorize, ("GET",)),
    "/oauth2/idpresponse": (federation.idp_response, ("GET",)),
    "/login": (signin.login, ("GET", "POST")),
    "/logout": (signin.logout, ("GET",)),
    "/error": (authz.error_page, ("GET",)),
    "/signup": (account.signup, ("GET", "POST")),
    "/confirmUser": (account.confirm_user, ("GET", "POST")),
    "/forgotPassword": (account.forgot_password, ("GET", "POST")),
    "/confirmForgotPassword": (account.confirm_forgot_password, ("GET", "POST")),
}
API: dict[str, tuple[Handler, tuple[str, ...]]] = {
    "/oauth2/token": (grants.token, ("POST",)),
    "/oauth2/userInfo": (userinfo.userinfo, ("GET", "POST")),
    "/oauth2/revoke": (userinfo.revoke, ("POST",)),
}
_ERROR_TITLE = "An error was encountered with the requested page."


@functools.cache
def _hosted_ui_css() -> bytes:
    """The stylesheet every hosted-UI page loads, read from the package once."""
    return (STATIC / "hosted-ui.css").read_bytes()


def match(request: Request) -> tuple[str, str, str] | None:
    """(domain, path inside the domain, path prefix) when the request is for a user pool domain."""
    found = _PATH.match(request.path)
    if found:
        return found.group(1), found.group(2) or "/", f"/_domains/{found.group(1)}"
    host = _HOST.match(request.host.lower())
    if host:
        return host.group(1), request.path, ""
    return None


def _has_nul(request: Request) -> bool:
    """Whether a query or form parameter holds U+0000: no OAuth parameter, client id or username may (and
    PostgreSQL cannot even look one up)."""
    pairs = request.query() + (list(request.form().items()) if request.method == "POST" else [])
    return any("\x00" in key or "\x00" in value for key, value in pairs)


class OAuthPlane:
    def __init__(self, services: Services) -> None:
        self.services = services
        self.signer = Signer(services)

    async def handle(self, request: Request, send: Send, matched: tuple[str, str, str], request_id: str) -> None:
        domain, path, base = matched
        try:
            response = await self._respond(request, domain, path, base)
        except Exception:
            log.exception("unhandled error in hosted UI request %s", request_id)
            response = render("error.html", 500, title=_ERROR_TITLE, pool_name="poolgate", base=base,
                              description=f"Something went wrong on our side (request id {request_id}).",
                              code="server_error")
        headers = [("x-amzn-requestid", request_id), *response.header_list()]
        await send_response(send, response.status, response.body, headers, response.content_type)

    async def _respond(self, request: Request, domain: str, path: str, base: str) -> Response:
        async with self.services.db.read() as conn:
            pool_id = (await conn.execute(select(user_pool_domains.c.pool_id)
                                          .where(user_pool_domains.c.domain == domain))).scalar()
            pool = await repo.find_pool(conn, pool_id) if pool_id else None
        if pool is None:
            return render("error.html", 404, title=_ERROR_TITLE, pool_name="poolgate", base=base,
                          description=f"There is no user pool domain {domain}.", code="not_found")
        site = Site(self.services, self.signer, domain, pool, base, request)
        if _has_nul(request):
            if path in API:
                return json_response(400, {"error": "invalid_request"})
            return render("error.html", 400, title=_ERROR_TITLE, pool_name=pool.name, base=base,
                          description="The request has a parameter that is not valid.", code="invalid_request")
        if path.startswith("/static/"):
            return await self._static(site, path.removeprefix("/static/"))
        if path in API:
            handler, methods = API[path]
            if request.method not in methods:
                return json_response(405, {"error": "invalid_request"}, [("allow", ", ".join(methods))])
            try:
                return site.finish(await handler(site))
            except OAuthError as err:
                return json_response(err.status, {"error": err.error})
        entry = PAGES.get(path)
        try:
            if entry is None:
                raise PageError("not_found", "There is no such page.", 404)
            handler, methods = entry
            if request.method not in methods:
                raise PageError("invalid_request", f"{path} does not accept {request.method}.", 405)
            return site.finish(await handler(site))
        except RedirectError as err:
            return site.finish(err.response())
        except ErrorPageRedirect as err:
            return site.finish(err.response(site))
        except PageError as err:
            return site.finish(render("error.html", err.status, title=_ERROR_TITLE, pool_name=pool.name,
                                      base=base, description=err.description, code=err.error))

    async def _static(self, site: Site, name: str) -> Response:
        cache = [("cache-control", "public, max-age=300")]
        if name == "hosted-ui.css":
            return Response(200, _hosted_ui_css(), "text/css; charset=utf-8", cache)
        if name in ("custom.css", "logo"):
            async with self.services.db.read() as conn:
                row = await find_ui_customization(conn, site.pool.id, site.query().get("client_id"))
            if row is not None and name == "custom.css" and row["css"]:
                return Response(200, row["css"].encode(), "text/css; charset=utf-8", cache)
            if row is not None and name == "logo" and row["image"] is not None:
                return Response(200, bytes(row["image"]), row["image_type"], cache)
        return Response(404, b"Not Found", "text/plain; charset=utf-8")
