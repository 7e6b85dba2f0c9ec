"""uvicorn's HTTP protocol (httptools), with poolgate's connection rules: header names kept as the client wrote
them, limits on the head of a request, and timeouts for slow or silent clients.

Header names: ASGI servers lowercase them; API Gateway passes them to a Lambda in the client's casing (reference
§9.1), and handlers written against AWS read ``event["headers"]["content-type"]`` when their client (fetch,
undici, HTTP/2 front ends) sends lowercase names. This protocol records each name as received, in order, in the
scope under ``HEADER_NAMES``, beside the lowercased ``scope["headers"]`` uvicorn builds as usual. Under any other
server the key is absent and events fall back to ``Content-Type``-style names.

Limits and timeouts (``ConnectionLimits``; README, "serve"): uvicorn on httptools bounds neither the size of a
request's head nor the time a client takes to send it, and its keep-alive timer only starts after a first
response, so one client could hold connections open forever. Here every connection is bounded:

- idle: a connection with no request under way (just opened, or between keep-alive requests) is closed, without
  an answer, after ``keep_alive_timeout`` seconds;
- head: from the first byte of a request, its request line and headers must be in within ``header_timeout``
  seconds, else 408;
- body: once the headers are in, each piece of the body must follow the one before within ``body_timeout``
  seconds, else 408 (the application, waiting for the body, sees a disconnect and stops);
- size: the request target plus the header values may hold ``max_header_bytes`` bytes (API Gateway's quota,
  10,240 bytes, ``limits.md`` of the API Gateway Developer Guide), the head as a whole (names and line breaks
  included) ``head_bytes``, and at most ``max_headers`` header fields, else 431.

The answers are written by the protocol itself, in plain text, with ``Connection: close``; the connection then
reads no further request: it half-closes and drains what the client still sends for up to ``LINGER`` seconds
(or until the client closes its side), so that a client still sending an oversized head reads the answer rather
than a connection reset.
"""

from __future__ import annotations

import argparse
import asyncio
import http
from dataclasses import dataclass
from typing import Any

HEADER_NAMES = "poolgate.header_names"
"""Scope key: the request's header names as sent, one per entry of ``scope["headers"]``."""

LINGER = 2.0
"""Seconds a refused connection keeps draining the client's bytes before it closes."""

AWS_HEADER_QUOTA = 10240
"""API Gateway's quota on the request line and header values together, in bytes; it cannot be raised
(https://docs.aws.amazon.com/apigateway/latest/developerguide/limits.html: "Total combined size of request line and
header values | 10240 bytes" for HTTP APIs, "Total combined size of all header values | 10240 Bytes" for REST
APIs; archived in awsdocs/amazon-api-gateway-developer-guide doc_source/limits.md)."""


@dataclass(frozen=True, slots=True)
class ConnectionLimits:
    """How long a client may take and how large a request head may be (``poolgate serve`` flags)."""

    header_timeout: float = 10.0
    """Seconds from a request's first byte to the end of its headers."""
    keep_alive_timeout: float = 5.0
    """Seconds a connection may sit idle, before its first request or between requests."""
    body_timeout: float = 30.0
    """Seconds the body of a request may pause between two pieces."""
    max_header_bytes: int = AWS_HEADER_QUOTA
    """Bytes of the request target and the header values together."""
    max_headers: int = 100
    """Header fields in one request (AWS publishes no such limit; UNCONFIRMED what it does with thousands)."""

    @property
    def head_bytes(self) -> int:
        """Bytes of the whole head, names and line breaks included: a backstop against endless header names."""
        return max(65536, 2 * self.max_header_bytes)


def add_connection_flags(parser: argparse.ArgumentParser) -> None:
    """The ``poolgate serve`` flags that set ``ConnectionLimits``."""
    default = ConnectionLimits()
    parser.add_argument("--header-timeout", type=float, default=default.header_timeout, metavar="SECONDS",
                        help="time a client has, from a request's first byte, to send its request line and "
                             f"headers; then 408 and the connection closes (default {default.header_timeout:g})")
    parser.add_argument("--keep-alive-timeout", type=float, default=default.keep_alive_timeout, metavar="SECONDS",
                        help="time an idle connection (no request under way) stays open "
                             f"(default {default.keep_alive_timeout:g})")
    parser.add_argument("--body-timeout", type=float, default=default.body_timeout, metavar="SECONDS",
                        help="longest pause allowed while a request body arrives; then 408 and the connection "
                             f"closes (default {default.body_timeout:g})")
    parser.add_argument("--max-header-bytes", type=int, default=default.max_header_bytes, metavar="BYTES",
                        help="bytes allowed for the request target and all header values together; more is "
                             f"answered 431 (default {default.max_header_bytes}, API Gateway's quota)")
    parser.add_argument("--max-headers", type=int, default=default.max_headers, metavar="COUNT",
                        help=f"header fields allowed in one request; more is answered 431 "
                             f"(default {default.max_headers})")


def connection_limits(args: argparse.Namespace) -> ConnectionLimits:
    limits = ConnectionLimits(args.header_timeout, args.keep_alive_timeout, args.body_timeout,
                              args.max_header_bytes, args.max_headers)
    if min(limits.header_timeout, limits.keep_alive_timeout, limits.body_timeout) <= 0:
        raise SystemExit("poolgate: --header-timeout, --keep-alive-timeout and --body-timeout must be above 0")
    if limits.max_header_bytes < 1 or limits.max_headers < 1:
        raise SystemExit("poolgate: --max-header-bytes and --max-headers must be at least 1")
    return limits


class _Refused(Exception):
    """Raised in a parser callback to stop parsing and answer ``status`` (it reaches ``data_received`` as the
    ``__context__`` of httptools' ``HttpParserCallbackError``)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def refusal(status: int, message: str) -> bytes:
    """A complete answer written by the protocol itself. AWS answers a body over its 10 MB quota in plain text
    (``content_too_long`` in dataplane/responses.py, a capture); its answers for an oversized head or a slow
    client are not captured, so their bodies here follow that one (UNCONFIRMED)."""
    body = message.encode()
    return (f"HTTP/1.1 {status} {http.HTTPStatus(status).phrase}\r\ncontent-type: text; charset=utf-8\r\n"
            f"content-length: {len(body)}\r\nconnection: close\r\n\r\n").encode() + body


def http_protocol(limits: ConnectionLimits | None = None) -> Any:
    """The protocol class for ``uvicorn.Config(http=…)``; ``"auto"`` when httptools is missing."""
    try:
        import httptools
        from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
    except ImportError:  # uvicorn without httptools: h11, names lowercased, uvicorn's own limits
        return "auto"
    limits = limits or ConnectionLimits()
    header_timeout, keep_alive_timeout, body_timeout = limits.header_timeout, limits.keep_alive_timeout, \
        limits.body_timeout
    max_header_bytes, max_headers, head_bytes = limits.max_header_bytes, limits.max_headers, limits.head_bytes
    # AWS: "HTTP header is larger than 10240 bytes." (captured in the ntsblog.homedev.com.au post "AWS API
    # Gateway - HTTP header is larger than 10240 bytes."); the 431 status is what a browser saw from API Gateway
    # (backbencher.dev, "431 Status Code With Request Header Fields Too Large"); UNCONFIRMED together.
    too_large = f"HTTP header is larger than {max_header_bytes} bytes."
    too_many = f"HTTP request has more than {max_headers} header fields."  # UNCONFIRMED: no AWS capture
    too_slow = "Request Timeout"  # UNCONFIRMED: what AWS answers a slow client is not captured

    class PoolgateHttpProtocol(HttpToolsProtocol):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            # uvicorn's timer after a response uses it too (annotated int there; call_later takes any float)
            self.timeout_keep_alive = keep_alive_timeout  # type: ignore[assignment]
            self._in_head = False
            self._head_raw = 0
            self._heads_begun = 0
            self._head_timer: asyncio.TimerHandle | None = None
            self._body_pending = False
            self._body_timer: asyncio.TimerHandle | None = None
            self._body_seen = 0.0
            self._refused = False

        # connection events

        def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
            super().connection_made(transport)
            # uvicorn arms its keep-alive timer only after a response: a client that never sends would stay
            self.timeout_keep_alive_task = self.loop.call_later(self.timeout_keep_alive,
                                                                self.timeout_keep_alive_handler)

        def connection_lost(self, exc: Exception | None) -> None:
            self._refused = True
            self._cancel_timers()
            super().connection_lost(exc)

        def data_received(self, data: bytes) -> None:
            if self._refused:  # draining after a refusal: nothing more is read as a request
                return
            self._unset_keepalive_if_required()
            continuing, begun = self._in_head, self._heads_begun
            try:
                self.parser.feed_data(data)
            except httptools.HttpParserUpgrade:
                if self._should_upgrade():
                    self.handle_websocket_upgrade()
                else:
                    self._unsupported_upgrade_warning()
                return
            except httptools.HttpParserError as exc:
                cause = exc.__context__
                if isinstance(cause, _Refused):
                    self._refuse(cause.status, cause.message)
                else:
                    self.logger.warning("Invalid HTTP request received.")
                    self._refuse(400, "Invalid HTTP request received.")
                return
            if self._in_head:  # a head is still arriving
                if continuing and begun == self._heads_begun:  # all of ``data`` belongs to it
                    self._head_raw += len(data)
                    if self._head_raw > head_bytes:
                        self._refuse(431, too_large)
                        return
                if self._head_timer is None:
                    self._head_timer = self.loop.call_later(header_timeout, self._head_timed_out)
            elif self._body_pending:
                if self._body_timer is None:
                    self._body_seen = self.loop.time()
                    self._body_timer = self.loop.call_later(body_timeout, self._body_timed_out)
            elif self.timeout_keep_alive_task is None and (self.cycle is None or self.cycle.response_complete):
                # bytes that began no request (blank lines): the connection is still idle
                self.timeout_keep_alive_task = self.loop.call_later(self.timeout_keep_alive,
                                                                    self.timeout_keep_alive_handler)

        # parser callbacks

        def on_message_begin(self) -> None:
            super().on_message_begin()
            self._header_names: list[bytes] = []
            self.scope[HEADER_NAMES] = self._header_names  # type: ignore[literal-required]
            self._in_head = True
            self._heads_begun += 1
            self._head_raw = 0

        def on_header(self, name: bytes, value: bytes) -> None:
            super().on_header(name, value)
            self._header_names.append(name)

        def on_headers_complete(self) -> None:
            self._in_head = False
            if self._head_timer is not None:
                self._head_timer.cancel()
                self._head_timer = None
            # counted once the head is in (until then the raw count in ``data_received`` bounds what a client can
            # make us hold): target and values against the quota, and with names and ": \r\n" against head_bytes
            headers = self.headers
            if len(headers) > max_headers:
                raise _Refused(431, too_many)
            size = len(self.url)
            names = 0
            for name, value in headers:
                size += len(value)
                names += len(name)
            if size > max_header_bytes or size + names + 4 * len(headers) > head_bytes:
                raise _Refused(431, too_large)
            self._body_pending = True
            super().on_headers_complete()

        def on_body(self, body: bytes) -> None:
            super().on_body(body)
            if self._body_timer is not None:
                self._body_seen = self.loop.time()

        def on_message_complete(self) -> None:
            self._body_pending = False
            if self._body_timer is not None:
                self._body_timer.cancel()
                self._body_timer = None
            super().on_message_complete()

        # timers and refusals

        def _head_timed_out(self) -> None:
            self._head_timer = None
            if self._in_head and not self._refused:
                self._refuse(408, too_slow)

        def _body_timed_out(self) -> None:
            self._body_timer = None
            if not self._body_pending or self._refused:
                return
            now = self.loop.time()
            if self.flow.read_paused:  # the application has not taken what it has: the client waits on us
                self._body_seen = now
            waited = now - self._body_seen
            if waited < body_timeout:
                self._body_timer = self.loop.call_later(body_timeout - waited, self._body_timed_out)
                return
            self._refuse(408, too_slow, body=True)

        def _cancel_timers(self) -> None:
            for timer in (self._head_timer, self._body_timer):
                if timer is not None:
                    timer.cancel()
            self._head_timer = self._body_timer = None
            self._unset_keepalive_if_required()

        def _refuse(self, status: int, message: str, body: bool = False) -> None:
            """Answer ``status`` and stop reading requests. ``body``: the request refused is the one whose
            headers are in (its application task is told the client has gone); otherwise it is a request whose
            head was arriving, and an answer still being written for an earlier one is finished first."""
            self._refused = True
            self._in_head = self._body_pending = False
            self._cancel_timers()
            transport = self.transport
            if transport.is_closing():
                return
            cycle = self.cycle
            if cycle is not None and not cycle.response_complete:
                if not body:  # a pipelined request is being answered: close once that answer is out
                    cycle.keep_alive = False
                    return
                cycle.disconnected = True
                cycle.message_event.set()
                if cycle.response_started:
                    transport.close()
                    return
            elif body:  # the request was answered before its body was in: nothing left to answer
                transport.close()
                return
            transport.write(refusal(status, message))
            if transport.can_write_eof():
                transport.write_eof()
                self.flow.resume_reading()
                self.loop.call_later(LINGER, transport.close)
            else:
                transport.close()

    return PoolgateHttpProtocol
