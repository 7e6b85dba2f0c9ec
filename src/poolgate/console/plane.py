"""``/_console/``: the console's entry point. Sessions, the cross-site checks on every POST, then a page handler
(pools.py, apis.py, methods.py, functions.py, usage.py) that calls the planes' operations through
:class:`client.Client`."""

from __future__ import annotations

from html import escape
from pathlib import Path
from urllib.parse import unquote

from .. import invocation_log
from ..edge import cross_site_refusal
from ..http import Request, Send, send_response
from ..settings import Settings

# imported to register their routes
from . import apis, authorizers, functions, integrations, methods, pools, requests_log, usage, users  # noqa: F401
from .client import App, Client, Identity, OperationError
from .sessions import Sessions, cookie_header, token_matches
from .web import PREFIX, ROUTER, Ctx, Page, error_text, redirect

STATIC = Path(__file__).parent / "static"
_STATIC_TYPES = {".css": "text/css; charset=utf-8", ".js": "text/javascript; charset=utf-8"}
_SECURITY_HEADERS = [
    ("content-security-policy", "default-src 'self'; frame-ancestors 'none'; form-action 'self'"),
    ("x-frame-options", "DENY"), ("referrer-policy", "same-origin"), ("cache-control", "no-store"),
    ("x-content-type-options", "nosniff"),
]


def claims(request: Request) -> bool:
    return request.path == PREFIX or request.path.startswith(PREFIX + "/")


class Console:
    def __init__(self, app: App) -> None:
        self.app = app
        self.sessions = Sessions(app.services)
        invocation_log.install()  # the functions' recent invocations (this process's)

    @property
    def settings(self) -> Settings:
        return self.app.services.settings

    async def handle(self, request: Request, send: Send, request_id: str) -> None:
        page, headers = await self._page(request)
        headers = [("x-amzn-requestid", request_id), *_SECURITY_HEADERS, *headers, *page.headers]
        if page.location is not None:
            await send_response(send, page.status, b"", [*headers, ("location", page.location)], "text/plain")
            return
        await send_response(send, page.status, page.body.encode(), headers, page.content_type)

    async def _page(self, request: Request) -> tuple[Page, list[tuple[str, str]]]:
        path = request.path[len(PREFIX):]
        if path == "":
            return redirect("/"), []
        if path.startswith("/static/") and request.method in ("GET", "HEAD"):
            return self._static(path[len("/static/"):]), []
        headers: list[tuple[str, str]] = []
        session = await self.sessions.get(request)
        if session is None:
            session = await self.sessions.new()
            headers.append(cookie_header(session, request.scheme == "https"))
        if request.method == "POST":
            refusal = cross_site_refusal(request, "This console request")
            if refusal is None and not token_matches(session, request.form().get("_token")):
                refusal_text = ("This console request was refused: the form's token does not match your session "
                                "(the page is out of date or comes from another site). Reload the page and retry.")
                return _plain(403, refusal_text), headers
            if refusal is not None:
                return _plain(403, refusal.message), headers
        client = Client(self.app, self.settings.base_url, session.identity or _NOBODY,
                        request.host or f"127.0.0.1:{self.settings.port}")
        ctx = Ctx(request, session, client, self.settings)
        if path in ("/sign-in", "/sign-out"):
            return await (self._sign_in(ctx) if path == "/sign-in" else self._sign_out(ctx)), headers
        if session.identity is None:
            return redirect("/sign-in"), headers
        found = ROUTER.find(request.method if request.method != "HEAD" else "GET", path)
        if not isinstance(found, tuple):
            return (_plain(405, "Method not allowed") if found else
                    ctx.render("not_found.html", 404, title="Not found", path=unquote(path))), headers
        handler, values = found
        try:
            return await handler(ctx, **values), headers
        except OperationError as err:
            return ctx.render("error.html", err.status if 400 <= err.status < 600 else 500,
                              title="Error", error=error_text(err)), headers

    async def _sign_in(self, ctx: Ctx) -> Page:
        if self.settings.local_mode:
            return redirect("/")
        if ctx.request.method != "POST":
            return ctx.render("sign_in.html", title="Sign in")
        form = ctx.form()
        identity = Identity(form.get("access_key", "").strip(), form.get("secret_key", ""), self.settings.region)
        probe = Client(self.app, self.settings.base_url, identity, ctx.client.host)
        try:  # the key is checked by signing a harmless call with it
            await probe.call("cognito-idp", "ListUserPools", {"MaxResults": 1})
        except OperationError as err:
            return ctx.render("sign_in.html", 403, title="Sign in", error=error_text(err),
                              access_key=identity.access_key)
        session = await self.sessions.new(identity)
        page = redirect("/")
        page.headers.append(cookie_header(session, ctx.request.scheme == "https"))
        return page

    async def _sign_out(self, ctx: Ctx) -> Page:
        page = redirect("/sign-in" if not self.settings.local_mode else "/")
        if ctx.request.method == "POST":
            page.headers.append(cookie_header(None, ctx.request.scheme == "https"))
        return page

    @staticmethod
    def _static(name: str) -> Page:
        file = STATIC / name
        if "/" in name or name.startswith(".") or not file.is_file() or file.suffix not in _STATIC_TYPES:
            return _plain(404, "Not found")
        return Page(200, file.read_text(), content_type=_STATIC_TYPES[file.suffix])


_NOBODY = Identity("", "", "")


def _plain(status: int, text: str) -> Page:
    return Page(status, f"<!doctype html><html lang='en'><title>poolgate console</title><main><p role='alert'>"
                        f"{escape(text)}</p></main></html>")
