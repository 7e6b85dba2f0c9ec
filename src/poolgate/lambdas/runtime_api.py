"""The Lambda Runtime API, served to one instance on its own 127.0.0.1 port.

https://docs.aws.amazon.com/lambda/latest/dg/runtimes-api.html: the runtime asks for work with
``GET /2018-06-01/runtime/invocation/next`` (held open until there is an event), then answers with
``POST …/invocation/{id}/response`` or ``…/invocation/{id}/error``; ``POST …/runtime/init/error`` reports a
failed start. Each instance gets a listener of its own (``AWS_LAMBDA_RUNTIME_API`` is only ``host:port``, so
the port is what tells instances apart, also for runtimes that open a connection per request, like curl).
HTTP/1.1 with keep-alive, parsed by httptools (what uvicorn uses).
"""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Protocol, cast

import httptools

log = logging.getLogger("poolgate.lambdas")

PREFIX = "/2018-06-01/runtime/"
MAX_PAYLOAD = 6 * 1024 * 1024
"""Lambda's limit on a synchronous response (6 MB, https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html)."""

_REASONS = {200: "OK", 202: "Accepted", 400: "Bad Request", 403: "Forbidden", 404: "Not Found",
            405: "Method Not Allowed", 413: "Request Entity Too Large", 500: "Internal Server Error"}


class Reply(Protocol):
    def send(self, status: int, body: bytes, headers: list[tuple[str, str]] | None = None) -> None: ...


class RuntimeApiHost(Protocol):
    """What the listener asks of its instance (``instance.Instance``)."""

    def next_invocation(self, reply: Reply) -> None:
        """Answer ``reply`` with the next event now, or keep it until one comes."""

    def invocation_response(self, request_id: str, body: bytes) -> tuple[int, dict[str, str]]: ...

    def invocation_error(self, request_id: str, body: bytes, error_type: str | None) -> tuple[int, dict[str, str]]: ...

    def init_error(self, body: bytes, error_type: str | None) -> tuple[int, dict[str, str]]: ...

    def connection_lost(self, reply: Reply) -> None: ...


_ACCEPTED = {"status": "OK"}


class RuntimeApiConnection(asyncio.Protocol):
    """One connection from the runtime; one request at a time, as runtimes send them."""

    def __init__(self, host: RuntimeApiHost) -> None:
        self.host = host
        self.transport: asyncio.Transport | None = None
        self.parser = httptools.HttpRequestParser(self)
        self.url = b""
        self.error_type: str | None = None
        self.body: list[bytes] = []
        self.size = 0
        self.keep_alive = True
        self._pending: list[bytes] = []
        """Acknowledgements (202) not yet written: they go out with the next event, or on the next loop turn."""

    # asyncio.Protocol
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.Transport, transport)  # uvloop's transports are not asyncio subclasses

    def data_received(self, data: bytes) -> None:
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserError:
            self.keep_alive = False
            self.send(400, b'{"errorMessage":"malformed HTTP request","errorType":"InvalidRequest"}')

    def connection_lost(self, exc: Exception | None) -> None:
        self.transport = None
        self.host.connection_lost(self)

    # httptools callbacks
    def on_message_begin(self) -> None:
        self.url = b""
        self.error_type = None
        self.body = []
        self.size = 0

    def on_url(self, url: bytes) -> None:
        self.url += url

    def on_header(self, name: bytes, value: bytes) -> None:
        if name.lower() == b"lambda-runtime-function-error-type":
            self.error_type = value.decode("latin-1")

    def on_body(self, body: bytes) -> None:
        self.size += len(body)
        if self.size <= MAX_PAYLOAD + 1:
            self.body.append(body)

    def on_message_complete(self) -> None:
        self.keep_alive = self.parser.should_keep_alive()
        method = self.parser.get_method()
        path = self.url.split(b"?", 1)[0].decode("latin-1")
        try:
            self._dispatch(method, path)
        except Exception:  # a bug here must not leave the runtime waiting forever
            log.exception("Runtime API request %s %s failed", method, path)
            self.send(500, b'{"errorMessage":"internal error","errorType":"ServiceException"}')

    def _dispatch(self, method: bytes, path: str) -> None:
        if not path.startswith(PREFIX):
            self._json(404, {"errorMessage": "not found", "errorType": "NotFound"})
            return
        route = path[len(PREFIX):]
        if route == "invocation/next":
            if method != b"GET":
                self._json(405, {"errorMessage": "method not allowed", "errorType": "MethodNotAllowed"})
                return
            self.host.next_invocation(self)
            return
        if method != b"POST":
            self._json(405, {"errorMessage": "method not allowed", "errorType": "MethodNotAllowed"})
            return
        body = b"".join(self.body)
        if self.size > MAX_PAYLOAD:
            body = b""
        if route == "init/error":
            self._answer(*self.host.init_error(body, self.error_type))
            return
        parts = route.split("/")
        if len(parts) == 3 and parts[0] == "invocation" and parts[2] in ("response", "error"):
            if parts[2] == "response":
                if self.size > MAX_PAYLOAD:
                    self._answer(*self.host.invocation_error(parts[1], _too_large(self.size),
                                                             "Function.ResponseSizeTooLarge"))
                    return
                self._answer(*self.host.invocation_response(parts[1], body))
            else:
                self._answer(*self.host.invocation_error(parts[1], body, self.error_type))
            return
        self._json(404, {"errorMessage": "not found", "errorType": "NotFound"})

    def _answer(self, status: int, document: dict[str, str]) -> None:
        if status == 202 and self.keep_alive and self.transport is not None:
            # a runtime that sends /invocation/next right behind its response (poolgate's Node.js runtime
            # does) gets this 202 in the same write as its next event: one wake-up of the runtime, not two
            if not self._pending:
                asyncio.get_running_loop().call_soon(self._flush)
            self._pending.append(self._encode(status, json.dumps(document).encode(), None))
            return
        self._json(status, document)

    def _flush(self) -> None:
        if self._pending and self.transport is not None and not self.transport.is_closing():
            self.transport.write(b"".join(self._pending))
        self._pending.clear()

    def _json(self, status: int, document: dict[str, str]) -> None:
        self.send(status, json.dumps(document).encode())

    def send(self, status: int, body: bytes, headers: list[tuple[str, str]] | None = None) -> None:
        transport = self.transport
        if transport is None or transport.is_closing():
            return
        data = self._encode(status, body, headers)
        if self._pending:
            data = b"".join(self._pending) + data
            self._pending.clear()
        transport.write(data)
        if not self.keep_alive:
            transport.close()

    def _encode(self, status: int, body: bytes, headers: list[tuple[str, str]] | None) -> bytes:
        head = [f"HTTP/1.1 {status} {_REASONS.get(status, 'Unknown')}\r\n",
                "Content-Type: application/json\r\n", f"Content-Length: {len(body)}\r\n"]
        for name, value in headers or ():
            head.append(f"{name}: {value}\r\n")
        if not self.keep_alive:
            head.append("Connection: close\r\n")
        head.append("\r\n")
        return "".join(head).encode("latin-1") + body

    @property
    def open(self) -> bool:
        return self.transport is not None and not self.transport.is_closing()


def _too_large(size: int) -> bytes:
    # UNCONFIRMED wording: Lambda's text for an oversized synchronous response as the emulator words it
    return json.dumps({"errorMessage": f"Response payload size ({size} bytes) exceeded maximum allowed payload "
                                       f"size ({MAX_PAYLOAD} bytes).",
                       "errorType": "Function.ResponseSizeTooLarge"}).encode()


async def listen(host: RuntimeApiHost) -> asyncio.Server:
    """A listener on 127.0.0.1 (a free port) serving the Runtime API to ``host``."""
    loop = asyncio.get_running_loop()
    return await loop.create_server(lambda: RuntimeApiConnection(host), "127.0.0.1", 0)
