"""The console's small web layer: routes, the per-request context, templates and answers."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, quote

from jinja2 import Environment, FileSystemLoader, select_autoescape

from ..http import Request
from .client import Client, OperationError
from .sessions import Session

TEMPLATES = Path(__file__).parent / "templates"
PREFIX = "/_console"

_env = Environment(loader=FileSystemLoader(str(TEMPLATES)), autoescape=select_autoescape(["html"]),
                   trim_blocks=True, lstrip_blocks=True)
_env.filters["q"] = lambda value: quote(str(value), safe="")


@dataclass(slots=True)
class Page:
    """An answer: HTML (status and body) or a redirect (``location``)."""

    status: int = 200
    body: str = ""
    location: str | None = None
    content_type: str = "text/html; charset=utf-8"
    headers: list[tuple[str, str]] = field(default_factory=list)


@dataclass(slots=True)
class Ctx:
    request: Request
    session: Session
    client: Client
    settings: Any

    def form(self) -> dict[str, str]:
        return self.request.form()

    def pairs(self) -> list[tuple[str, str]]:
        """The form's fields in order, a field repeated once per checked box."""
        return parse_qsl(self.request.body.decode("utf-8", "replace"), keep_blank_values=True)

    def query(self) -> dict[str, str]:
        return dict(self.request.query())

    def render(self, template: str, status: int = 200, **values: Any) -> Page:
        body = _env.get_template(template).render(prefix=PREFIX, token=self.session.token, **values)
        return Page(status, body)

    async def call(self, service: str, operation: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
        return await self.client.call(service, operation, params)


def redirect(path: str) -> Page:
    return Page(303, location=PREFIX + path)


Handler = Callable[..., Awaitable[Page]]


class Router:
    def __init__(self) -> None:
        self.routes: list[tuple[str, re.Pattern[str], Handler]] = []

    def route(self, method: str, pattern: str) -> Callable[[Handler], Handler]:
        compiled = re.compile("^" + re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", pattern) + "$")

        def register(handler: Handler) -> Handler:
            self.routes.append((method, compiled, handler))
            return handler
        return register

    def find(self, method: str, path: str) -> tuple[Handler, dict[str, str]] | bool:
        """The handler and its path values; True when the path exists for another method only; False when
        unknown."""
        other = False
        for verb, pattern, handler in self.routes:
            match = pattern.match(path)
            if match:
                if verb == method:
                    return handler, match.groupdict()
                other = True
        return other


def error_text(err: OperationError) -> str:
    """``Type: message``, the message's first paragraph (a signature error goes on with the canonical request)."""
    message = err.message.split("\n\n", 1)[0]
    return f"{err.code}: {message}" if message else err.code


ROUTER = Router()
