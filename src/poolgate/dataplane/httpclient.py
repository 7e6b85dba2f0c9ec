"""A small HTTP/1.1 client for the proxy integrations: keep-alive pools on asyncio protocols, httptools parsing.

Why not aiohttp: a proxied request through aiohttp's client cost ~180 µs of CPU here, several times the rest
of the gateway; this client writes the request in one ``transport.write`` and lets ``httptools`` (llhttp, in C)
parse the answer, for a few µs. It does what the HTTP integrations need and no more:

- one keep-alive pool per (scheme, host, port), at most ``limit`` connections each (more requests wait for
  one), idle connections dropped after ``keepalive`` seconds or when the server closes them;
- Content-Length, chunked and read-until-close bodies; no body for HEAD, 1xx, 204 and 304;
- a request sent on a reused connection that the server had closed meanwhile (nothing received) is sent
  again on a new connection when its method is idempotent;
- one deadline for the whole exchange (``UpstreamTimeout``); refused or broken connections and unparsable
  answers raise ``UpstreamError``; an answer over ``max_body`` bytes raises ``ResponseTooLarge``;
- ``https://`` over the stdlib ``ssl`` module (the default context verifies certificates).

It does not follow redirects, decompress, keep cookies or add headers beyond ``Host`` and ``Content-Length``.
"""

from __future__ import annotations

import asyncio
import ssl as ssl_module
import time
from collections import deque
from dataclasses import dataclass, field
from urllib.parse import quote

import httptools

IDEMPOTENT = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE", "TRACE"})
_TARGET_SAFE = "/?&=%:@!$'()*+,;~#[]-._"


class UpstreamError(Exception):
    """The upstream could not be reached, or its answer was not HTTP/1.x."""


class UpstreamTimeout(UpstreamError):
    """No complete answer before the deadline."""


class ResponseTooLarge(UpstreamError):
    """The answer's body is over the size cap."""


class _Stale(UpstreamError):
    """A reused connection turned out closed before any byte of the answer came."""


@dataclass(slots=True)
class Response:
    status: int
    headers: list[tuple[bytes, bytes]]
    """As received: names in their casing, repeats kept, hop-by-hop headers included."""
    body: bytes


@dataclass(slots=True)
class _Origin:
    scheme: str
    host: str
    port: int
    host_header: str
    idle: list[_Connection] = field(default_factory=list)
    active: int = 0
    waiters: deque[asyncio.Future[None]] = field(default_factory=deque)


class _Connection(asyncio.Protocol):
    """One keep-alive connection; also the httptools callback target of the answer being read."""

    def __init__(self, max_body: int) -> None:
        self.max_body = max_body
        self.transport: asyncio.Transport | None = None
        self.closed = False
        self.reused = False
        self.idle_since = 0.0
        self._parser: httptools.HttpResponseParser | None = None
        self._waiter: asyncio.Future[Response] | None = None
        self._head_only = False
        self._received = False
        self._headers_done = False
        self._status = 0
        self._headers: list[tuple[bytes, bytes]] = []
        self._chunks: list[bytes] = []
        self._size = 0
        self._keep_alive = True
        self._eof_body = False

    # asyncio.Protocol
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def data_received(self, data: bytes) -> None:
        parser = self._parser
        if parser is None:  # nothing asked: the server talks out of turn
            self.close()
            return
        self._received = True
        try:
            parser.feed_data(data)
        except httptools.HttpParserUpgrade:
            self._fail(UpstreamError("upgrade not supported"))
        except httptools.HttpParserError as exc:
            cause = exc.__context__  # an exception raised in a callback below
            self._fail(cause if isinstance(cause, UpstreamError) else UpstreamError(f"invalid HTTP answer: {exc}"))

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        waiter = self._waiter
        if waiter is None or waiter.done():
            return
        if self._headers_done and self._eof_body:  # the body ran until the server closed
            self._keep_alive = False
            self.on_message_complete()
        elif not self._received and self.reused:
            self._fail(_Stale("connection closed before the answer"))
        else:
            self._fail(UpstreamError(f"connection lost: {exc or 'closed by the server'}"))

    # httptools callbacks
    def on_header(self, name: bytes, value: bytes) -> None:
        self._headers.append((name, value))

    def on_headers_complete(self) -> None:
        assert self._parser is not None
        status = self._parser.get_status_code()
        if status < 200:  # 1xx interim answers (100 Continue …): the real one follows
            self._headers.clear()
            return
        self._status = status
        self._headers_done = True
        self._keep_alive = self._parser.should_keep_alive()
        length: int | None = None
        chunked = False
        for name, value in self._headers:
            lower = name.lower()
            if lower == b"content-length":
                try:
                    length = int(value)
                except ValueError:
                    raise UpstreamError("invalid Content-Length") from None
            elif lower == b"transfer-encoding":
                chunked = b"chunked" in value.lower()
        if length is not None and length > self.max_body:
            raise ResponseTooLarge()
        if self._head_only or status in (204, 304):
            self.on_message_complete()
        elif length is None and not chunked:
            self._eof_body = True
            self._keep_alive = False

    def on_body(self, body: bytes) -> None:
        self._size += len(body)
        if self._size > self.max_body:
            raise ResponseTooLarge()
        self._chunks.append(body)

    def on_message_complete(self) -> None:
        waiter = self._waiter
        if self._status < 200 or waiter is None:
            return  # the end of a 1xx, or an answer already delivered (HEAD)
        chunks = self._chunks
        body = chunks[0] if len(chunks) == 1 else b"".join(chunks)
        response = Response(self._status, self._headers, body)
        self._parser = None
        self._waiter = None
        if not self._keep_alive:
            self.close()
        if not waiter.done():
            waiter.set_result(response)

    # the client's side
    def send(self, data: bytes, body: bytes, head_only: bool) -> asyncio.Future[Response]:
        assert self.transport is not None
        waiter = self._waiter = asyncio.get_running_loop().create_future()
        self._parser = httptools.HttpResponseParser(self)
        self._head_only = head_only
        self._received = self._headers_done = self._eof_body = False
        self._status = self._size = 0
        self._headers, self._chunks = [], []
        self._keep_alive = True
        if body and len(body) <= 65536:
            self.transport.write(data + body)
        else:
            self.transport.write(data)
            if body:
                self.transport.write(body)
        return waiter

    @property
    def reusable(self) -> bool:
        return not self.closed and self._waiter is None and self._keep_alive

    def _fail(self, exc: Exception) -> None:
        waiter = self._waiter
        self._waiter = None
        self._parser = None
        self.close()
        if waiter is not None and not waiter.done():
            waiter.set_exception(exc)

    def close(self) -> None:
        self.closed = True
        if self.transport is not None:
            self.transport.close()


def _expire(waiter: asyncio.Future[Response]) -> None:
    if not waiter.done():
        waiter.set_exception(UpstreamTimeout())


class HttpClient:
    """Keep-alive HTTP/1.1 client (see the module doc); one per data plane, used from one event loop."""

    def __init__(self, limit: int = 256, keepalive: float = 30.0, max_body: int = 10 * 1024 * 1024,
                 ssl_context: ssl_module.SSLContext | None = None, max_origins: int = 1024) -> None:
        self.limit = limit
        self.max_origins = max_origins
        self.keepalive = keepalive
        self.max_body = max_body
        self._ssl = ssl_context
        self._origins: dict[tuple[str, str, int], _Origin] = {}
        self._parsed: dict[str, _Origin] = {}

    async def close(self) -> None:
        for origin in self._origins.values():
            for connection in origin.idle:
                connection.close()
            origin.idle.clear()
        self._origins.clear()
        self._parsed.clear()

    async def request(self, method: str, url: str, headers: list[tuple[str, str]], body: bytes,
                      timeout: float) -> Response:
        """Send one request to the absolute ``url`` (already percent-encoded); raises ``UpstreamError``s."""
        origin, target = self._split(url)
        head = self._head(method, target, origin.host_header, headers, body)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        head_only = method == "HEAD"
        for attempt in (0, 1):
            connection = await self._acquire(origin, deadline, fresh=attempt == 1)
            waiter = connection.send(head, body, head_only)
            timer = loop.call_at(deadline, _expire, waiter)
            try:
                response = await waiter
            except _Stale:
                self._release(origin, connection)
                if attempt == 0 and method in IDEMPOTENT:
                    continue
                raise UpstreamError("connection closed before the answer") from None
            except BaseException:
                connection.close()  # timed out, failed or cancelled mid-answer: never reuse
                self._release(origin, connection)
                raise
            finally:
                timer.cancel()
            self._release(origin, connection)
            return response
        raise AssertionError("unreachable")

    def _split(self, url: str) -> tuple[_Origin, str]:
        scheme, sep, rest = url.partition("://")
        if not sep or scheme not in ("http", "https"):
            raise UpstreamError(f"not an http(s) URL: {url!r}")
        end = len(rest)
        for stop in ("/", "?", "#"):
            index = rest.find(stop)
            if 0 <= index < end:
                end = index
        authority, target = rest[:end], rest[end:]
        if "#" in target:
            target = target.split("#", 1)[0]
        if not target.startswith("/"):
            target = "/" + target
        if not target.isascii() or not target.isprintable() or " " in target:
            target = quote(target, safe=_TARGET_SAFE)
        key = f"{scheme}://{authority}"
        origin = self._parsed.get(key)
        if origin is None:
            origin = self._parsed[key] = self._origin(scheme, authority)
        return origin, target

    def _origin(self, scheme: str, authority: str) -> _Origin:
        host, port_text = authority, ""
        if authority.startswith("["):  # [v6]:port
            close = authority.find("]")
            host, port_text = authority[1:close], authority[close + 2:]
        elif authority.count(":") == 1:
            host, port_text = authority.split(":")
        if "@" in host or not host:
            raise UpstreamError(f"unsupported authority {authority!r}")
        default = 443 if scheme == "https" else 80
        try:
            port = int(port_text) if port_text else default
        except ValueError:
            raise UpstreamError(f"invalid port in {authority!r}") from None
        key = (scheme, host, port)
        origin = self._origins.get(key)
        if origin is None:
            if len(self._origins) >= self.max_origins:
                self._drop_unused_origins()
            shown = f"[{host}]" if ":" in host else host
            host_header = shown if port == default else f"{shown}:{port}"
            origin = self._origins[key] = _Origin(scheme, host, port, host_header)
        return origin

    def _drop_unused_origins(self) -> None:
        """Forget the origins with nothing in flight, closing their idle connections: integration URIs can put
        request values into the host, and each origin keeps sockets open."""
        for key, origin in list(self._origins.items()):
            if origin.active == 0 and not origin.waiters:
                for connection in origin.idle:
                    connection.close()
                del self._origins[key]
        self._parsed.clear()

    @staticmethod
    def _head(method: str, target: str, host: str, headers: list[tuple[str, str]], body: bytes) -> bytes:
        fields = "".join([f"{name}: {value}\r\n" for name, value in headers])
        if fields.count("\n") != len(headers) or fields.count("\r") != len(headers):
            raise ValueError("newline in a header name or value")
        length = f"Content-Length: {len(body)}\r\n" if body or method in ("POST", "PUT", "PATCH") else ""
        text = f"{method} {target} HTTP/1.1\r\nHost: {host}\r\n{fields}{length}\r\n"
        try:
            return text.encode("latin-1")
        except UnicodeEncodeError:
            return text.encode("utf-8")

    async def _acquire(self, origin: _Origin, deadline: float, fresh: bool = False) -> _Connection:
        idle = origin.idle
        now = time.monotonic()
        while idle and not fresh:
            connection = idle.pop()
            if connection.closed:
                continue
            if now - connection.idle_since > self.keepalive:
                connection.close()
                continue
            origin.active += 1
            connection.reused = True
            return connection
        loop = asyncio.get_running_loop()
        while origin.active >= self.limit:
            waiter = loop.create_future()
            origin.waiters.append(waiter)
            timer = loop.call_at(deadline, _expire, waiter)
            try:
                await waiter
            finally:
                timer.cancel()
            if idle and not fresh:
                return await self._acquire(origin, deadline)
        origin.active += 1
        try:
            return await self._connect(origin, deadline)
        except BaseException:
            origin.active -= 1
            self._wake(origin)
            raise

    async def _connect(self, origin: _Origin, deadline: float) -> _Connection:
        loop = asyncio.get_running_loop()
        ssl: ssl_module.SSLContext | None = None
        if origin.scheme == "https":
            ssl = self._ssl or ssl_module.create_default_context()
        try:
            async with asyncio.timeout_at(deadline):
                _, connection = await loop.create_connection(
                    lambda: _Connection(self.max_body), origin.host, origin.port, ssl=ssl,
                    server_hostname=origin.host if ssl else None)
        except TimeoutError:
            raise UpstreamTimeout() from None
        except (OSError, ssl_module.SSLError) as exc:
            raise UpstreamError(f"cannot connect to {origin.host}:{origin.port}: {exc}") from None
        return connection

    def _release(self, origin: _Origin, connection: _Connection) -> None:
        origin.active -= 1
        if connection.reusable:
            connection.idle_since = time.monotonic()
            origin.idle.append(connection)
        self._wake(origin)

    @staticmethod
    def _wake(origin: _Origin) -> None:
        while origin.waiters:
            waiter = origin.waiters.popleft()
            if not waiter.done():
                waiter.set_result(None)
                return
