"""Responses of the hosted UI: security headers, cookies, redirects and server-rendered templates."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from http.cookies import CookieError, SimpleCookie
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from jinja2 import Environment, FileSystemLoader, select_autoescape

TEMPLATES = Path(__file__).parent / "templates"
STATIC = Path(__file__).parent / "static"

SECURITY_HEADERS = [
    ("content-security-policy", "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
                                "object-src 'none'; base-uri 'none'; frame-ancestors 'none'"),
    ("x-frame-options", "DENY"),
    ("referrer-policy", "no-referrer"),
    ("x-content-type-options", "nosniff"),
]
NO_STORE = [("cache-control", "no-store"), ("pragma", "no-cache")]

_env = Environment(loader=FileSystemLoader(str(TEMPLATES)), autoescape=select_autoescape(["html"]),
                   trim_blocks=True, lstrip_blocks=True)


@dataclass(slots=True)
class Response:
    status: int
    body: bytes = b""
    content_type: str | None = None
    headers: list[tuple[str, str]] = field(default_factory=list)

    def header_list(self) -> list[tuple[str, str]]:
        return [*SECURITY_HEADERS, *self.headers]


def render(template: str, status: int = 200, **context: Any) -> Response:
    body = _env.get_template(template).render(**context).encode()
    return Response(status, body, "text/html; charset=utf-8", list(NO_STORE))


def json_response(status: int, payload: Any, headers: list[tuple[str, str]] | None = None) -> Response:
    return Response(status, json.dumps(payload).encode(), "application/json;charset=UTF-8",
                    [*NO_STORE, *(headers or [])])


def redirect(location: str, headers: list[tuple[str, str]] | None = None) -> Response:
    return Response(302, b"", None, [("location", location), *NO_STORE, *(headers or [])])


def with_params(uri: str, params: dict[str, str], *, fragment: bool = False) -> str:
    """``uri`` with ``params`` appended to its query (or, for the implicit grant, as its fragment)."""
    parts = urlsplit(uri)
    if fragment:
        return urlunsplit((parts.scheme, parts.netloc, parts.path, parts.query, urlencode(params)))
    query = parse_qsl(parts.query, keep_blank_values=True) + list(params.items())
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query), parts.fragment))


def cookies(header: str | None) -> dict[str, str]:
    jar: SimpleCookie = SimpleCookie()
    try:
        jar.load(header or "")
    except CookieError:
        return {}
    return {k: m.value for k, m in jar.items()}


def set_cookie(name: str, value: str, path: str, max_age: int, secure: bool) -> tuple[str, str]:
    """An HttpOnly, SameSite=Lax cookie (``max_age`` 0 deletes it)."""
    parts = [f"{name}={value}", f"Path={path}", f"Max-Age={max_age}", "HttpOnly", "SameSite=Lax"]
    if secure:
        parts.append("Secure")
    return ("set-cookie", "; ".join(parts))
