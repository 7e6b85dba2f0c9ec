"""The proxy integrations' HTTP/1.1 client against a local server that answers each path its own way."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from poolgate.dataplane.httpclient import HttpClient, ResponseTooLarge, UpstreamError, UpstreamTimeout


class Server:
    """A raw asyncio HTTP server: ``/cl`` Content-Length, ``/chunked``, ``/eof`` (body until close), ``/slow``,
    ``/big`` (announces 2 MB), ``/bigchunks`` (streams 2 MB chunked), ``/drop2`` (closes a connection on its
    second request without answering), ``/echo`` (request line, headers and body back)."""

    def __init__(self) -> None:
        self.connections = 0
        self.requests: list[tuple[str, str, dict[str, str], bytes]] = []
        self.server: asyncio.Server | None = None

    async def start(self) -> int:
        self.server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        return int(self.server.sockets[0].getsockname()[1])

    async def close(self) -> None:
        assert self.server is not None
        self.server.close()
        await self.server.wait_closed()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        served = 0
        try:
            while True:
                try:
                    head = await reader.readuntil(b"\r\n\r\n")
                except (asyncio.IncompleteReadError, ConnectionError):
                    return
                lines = head.decode("latin-1").split("\r\n")
                method, target, _ = lines[0].split(" ")
                headers = {k.lower(): v for k, v in (line.split(": ", 1) for line in lines[1:] if line)}
                body = await reader.readexactly(int(headers.get("content-length", "0")))
                self.requests.append((method, target, headers, body))
                served += 1
                if not await self._answer(method, target, headers, body, served, writer):
                    return
        finally:
            writer.close()

    async def _answer(self, method: str, target: str, headers: dict[str, str], body: bytes, served: int,
                      writer: asyncio.StreamWriter) -> bool:
        path = target.split("?", 1)[0]
        if path == "/drop2" and served == 2:
            return False
        if path == "/chunked":
            writer.write(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nX-Kind: chunked\r\n\r\n"
                         b"5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n")
        elif path == "/eof":
            writer.write(b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nuntil the end")
            await writer.drain()
            return False
        elif path == "/slow":
            await asyncio.sleep(1)
            return False
        elif path == "/big":
            writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 2000000\r\n\r\n")
            return False
        elif path == "/bigchunks":
            writer.write(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")
            for _ in range(40):
                writer.write(b"c350\r\n" + b"x" * 50000 + b"\r\n")
                await writer.drain()
            writer.write(b"0\r\n\r\n")
        elif path == "/echo":
            out = repr((method, target, sorted(headers.items()), body)).encode()
            writer.write(b"HTTP/1.1 201 Created\r\nContent-Length: %d\r\n\r\n%s" % (len(out), out))
        else:
            payload = b"" if method == "HEAD" else b"content-length body"
            writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 19\r\nX-Kind: cl\r\n\r\n" + payload)
        await writer.drain()
        return True


def run(test: Callable[[HttpClient, Server, str], Awaitable[Any]], **client_args: Any) -> None:
    async def main() -> None:
        server = Server()
        port = await server.start()
        client = HttpClient(**client_args)
        try:
            await test(client, server, f"http://127.0.0.1:{port}")
        finally:
            await client.close()
            await server.close()

    asyncio.run(main())


def test_content_length_bodies_reuse_one_connection() -> None:
    async def test(client: HttpClient, server: Server, base: str) -> None:
        for _ in range(3):
            response = await client.request("GET", base + "/cl", [], b"", 5)
            assert response.status == 200 and response.body == b"content-length body"
            assert (b"X-Kind", b"cl") in response.headers
        assert server.connections == 1

    run(test)


def test_chunked_and_read_until_close_bodies() -> None:
    async def test(client: HttpClient, server: Server, base: str) -> None:
        chunked = await client.request("GET", base + "/chunked", [], b"", 5)
        assert chunked.body == b"hello world"
        eof = await client.request("GET", base + "/eof", [], b"", 5)
        assert eof.status == 200 and eof.body == b"until the end"
        again = await client.request("GET", base + "/cl", [], b"", 5)  # the closed connection is not reused
        assert again.body == b"content-length body" and server.connections == 2

    run(test)


def test_head_has_no_body_and_keeps_the_connection() -> None:
    async def test(client: HttpClient, server: Server, base: str) -> None:
        head = await client.request("HEAD", base + "/cl", [], b"", 5)
        assert head.status == 200 and head.body == b""
        after = await client.request("GET", base + "/cl", [], b"", 5)
        assert after.body == b"content-length body" and server.connections == 1

    run(test)


def test_request_line_headers_and_body_as_given() -> None:
    async def test(client: HttpClient, server: Server, base: str) -> None:
        response = await client.request("POST", base + "/echo?a=1&b=%20", [("X-One", "1"), ("Accept", "*/*")],
                                        b"payload", 5)
        assert response.status == 201
        method, target, headers, body = server.requests[-1]
        assert (method, target, body) == ("POST", "/echo?a=1&b=%20", b"payload")
        assert headers == {"host": base.removeprefix("http://"), "x-one": "1", "accept": "*/*",
                           "content-length": "7"}
        await client.request("GET", base + "/echo/a b", [], b"", 5)  # not a valid request target as given
        assert server.requests[-1][1] == "/echo/a%20b"
        with pytest.raises(ValueError):
            await client.request("GET", base + "/echo", [("X-Evil", "a\r\nInjected: yes")], b"", 5)

    run(test)


def test_stale_connection_is_retried_for_idempotent_methods_only() -> None:
    async def test(client: HttpClient, server: Server, base: str) -> None:
        await client.request("GET", base + "/drop2", [], b"", 5)
        response = await client.request("GET", base + "/drop2", [], b"", 5)  # dropped, then sent again
        assert response.status == 200 and server.connections == 2
        with pytest.raises(UpstreamError):  # the second request on connection 2, dropped: not sent again
            await client.request("POST", base + "/drop2", [], b"x", 5)
        assert [r[0] for r in server.requests].count("POST") == 1 and server.connections == 2

    run(test)


def test_timeouts_refused_connections_and_size_cap() -> None:
    async def test(client: HttpClient, server: Server, base: str) -> None:
        with pytest.raises(UpstreamTimeout):
            await client.request("GET", base + "/slow", [], b"", 0.2)
        with pytest.raises(ResponseTooLarge):
            await client.request("GET", base + "/big", [], b"", 5)
        with pytest.raises(ResponseTooLarge):
            await client.request("GET", base + "/bigchunks", [], b"", 5)
        refused = base.rsplit(":", 1)[0] + ":1"
        with pytest.raises(UpstreamError) as caught:
            await client.request("GET", refused + "/", [], b"", 5)
        assert not isinstance(caught.value, UpstreamTimeout)
        assert (await client.request("GET", base + "/cl", [], b"", 5)).status == 200

    run(test, max_body=1_000_000)


def test_pool_limit_makes_requests_wait_for_a_connection() -> None:
    async def test(client: HttpClient, server: Server, base: str) -> None:
        responses = await asyncio.gather(*[client.request("GET", base + "/cl", [], b"", 5) for _ in range(5)])
        assert all(r.body == b"content-length body" for r in responses)
        assert server.connections == 1

    run(test, limit=1)


def test_origins_are_bounded_and_unused_ones_close_their_connections() -> None:
    """Integration URIs may put request values into the host: unused origins (and their sockets) are dropped."""
    async def test(client: HttpClient, server: Server, base: str) -> None:
        port = base.rsplit(":", 1)[1]
        await client.request("GET", base + "/cl", [], b"", 5)
        await client.request("GET", f"http://localhost:{port}/cl", [], b"", 5)
        assert server.connections == 2
        with pytest.raises(UpstreamError):
            await client.request("GET", "http://127.0.0.1:1/", [], b"", 5)
        response = await client.request("GET", base + "/cl", [], b"", 5)
        assert response.status == 200
        assert server.connections == 3  # the idle connection to 127.0.0.1 went with its origin

    run(test, max_origins=2)
