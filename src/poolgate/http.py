"""Plain ASGI request/response helpers: the hot path builds no framework objects."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Iterable, MutableMapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

MAX_BODY = 10 * 1024 * 1024


class BodyTooLarge(Exception):
    """The request body passed the size cap."""


class ClientDisconnected(Exception):
    """The client went away (or was cut off by a timeout) before its request body was complete: what arrived
    must not be handled as the whole request."""


@dataclass(slots=True)
class Request:
    method: str
    path: str
    raw_path: str
    query_string: str
    headers: list[tuple[str, str]]
    body: bytes
    client_ip: str
    scheme: str = "http"
    _lower: dict[str, str] = field(default_factory=dict)

    def header(self, name: str, default: str | None = None) -> str | None:
        if not self._lower:
            for k, v in self.headers:
                lk = k.lower()
                self._lower[lk] = f"{self._lower[lk]},{v}" if lk in self._lower else v
        return self._lower.get(name.lower(), default)

    @property
    def host(self) -> str:
        return self.header("host", "") or ""

    def query(self) -> list[tuple[str, str]]:
        return parse_qsl(self.query_string, keep_blank_values=True)

    def form(self) -> dict[str, str]:
        return dict(parse_qsl(self.body.decode("utf-8", "replace"), keep_blank_values=True))


async def read_request(scope: Scope, receive: Receive, max_body: int = MAX_BODY) -> Request:
    """Build a ``Request``; raises ``BodyTooLarge`` past ``max_body`` bytes, ``ClientDisconnected`` when the
    body stops short."""
    headers = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in scope["headers"]]
    for k, v in headers:
        if k.lower() == "content-length" and v.isdigit() and int(v) > max_body:
            raise BodyTooLarge()
    chunks: list[bytes] = []
    size = 0
    more = True
    while more:
        message = await receive()
        if message["type"] != "http.request":
            raise ClientDisconnected()
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > max_body:
            raise BodyTooLarge()
        chunks.append(chunk)
        more = message.get("more_body", False)
    client = scope.get("client") or ("127.0.0.1", 0)
    raw_path = scope.get("raw_path")
    return Request(
        method=scope["method"],
        path=scope["path"],
        raw_path=raw_path.decode("latin-1") if raw_path else scope["path"],
        query_string=scope.get("query_string", b"").decode("latin-1"),
        headers=headers,
        body=b"".join(chunks),
        client_ip=client[0],
        scheme=scope.get("scheme", "http"),
    )


async def send_response(
    send: Send,
    status: int,
    body: bytes,
    headers: Iterable[tuple[str, str]] = (),
    content_type: str | None = "application/json",
) -> None:
    raw = [(k.encode("latin-1"), v.encode("latin-1")) for k, v in headers]
    if content_type is not None:
        raw.append((b"content-type", content_type.encode("latin-1")))
    raw.append((b"content-length", str(len(body)).encode()))
    await send({"type": "http.response.start", "status": status, "headers": raw})
    await send({"type": "http.response.body", "body": body})


async def send_json(send: Send, status: int, payload: Any, headers: Iterable[tuple[str, str]] = ()) -> None:
    await send_response(send, status, json.dumps(payload).encode(), headers)
