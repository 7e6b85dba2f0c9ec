"""Shared pieces of the robustness suite: hostile values, raw HTTP, and the checks every answer must pass."""

from __future__ import annotations

import base64
import json
import socket
from typing import Any

import requests

TRACEBACK_MARKERS = ("Traceback (most recent call last)", 'File "/', "Error: ", "sqlalchemy", "asyncpg")


def b64url(value: Any) -> str:
    raw = value if isinstance(value, bytes) else json.dumps(value).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def jwt(header: Any, payload: Any, signature: str = "c2ln") -> str:
    return f"{b64url(header)}.{b64url(payload)}.{signature}"


MALFORMED_TOKENS = [
    "", "x", "a.b.c", "..", "a..", "eyJ.eyJ.",
    jwt({"alg": "none", "typ": "JWT"}, {"sub": "x", "token_use": "access"}, ""),  # alg none, empty signature
    jwt({"alg": "RS256", "kid": "no-such-kid"}, {"sub": "x", "token_use": "access"}),
    jwt([1, 2], "not an object"),
    jwt({"alg": "RS256"}, {"iss": 1, "exp": "soon", "token_use": ["access"]}),
    jwt({"alg": "HS256", "kid": 7}, {"iss": "http://127.0.0.1/us-east-1_Nope", "exp": 1e308, "username": None}),
    b64url(b"\xff\xfe") + "." + b64url(b"\xff") + ".x",
    "é.é.é", "a" * 9000,
    "eyJj.a.b.c.d",  # refresh-token shape (5 parts), random content
    "eyJjdHkiOiJKV1QiLCJlbmMiOiJBMjU2R0NNIiwiYWxnIjoiUlNBLU9BRVAifQ.x.y.z.w",
]
"""Tokens of every wrong shape: random, malformed JWTs, alg none, unknown kid, wrong claim types, refresh-like."""

HOSTILE_STRINGS = ["", " ", "x" * 5000, "\x00", "a\x00b", "\ud800", "\udfffx", "\u202e\u0000é😀", "%00%ff",
                   "\r\nX-Injected: 1", "<script>alert(1)</script>", "' OR 1=1 --", "../../etc/passwd"]
"""Over-long, NUL, lone surrogates, control characters, markup and injection attempts."""

WRONG_TYPES: list[Any] = ["s", 12, 1.5, -1, 10**30, True, False, None, [], [1, "a"], {}, {"a": {"b": [None]}}]
"""One JSON value of each type, for members that expect another."""


def assert_no_traceback(text: str) -> None:
    for marker in TRACEBACK_MARKERS[:2]:
        assert marker not in text, text[:2000]


def raw_http(port: int, request: bytes, timeout: float = 10.0) -> tuple[int, dict[str, str], bytes]:
    """Send ``request`` bytes as they are (for what requests refuses to send); returns status, headers, body."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        sock.sendall(request)
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    status = int(lines[0].split()[1])
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(b":")
        headers[name.decode("latin-1").strip().lower()] = value.decode("latin-1").strip()
    return status, headers, body


def raw_request(method: bytes, target: bytes, port: int, headers: list[tuple[bytes, bytes]] = (),  # type: ignore[assignment]
                body: bytes = b"", host: bytes | None = None) -> bytes:
    lines = [method + b" " + target + b" HTTP/1.1", b"Host: " + (host or f"127.0.0.1:{port}".encode()),
             b"Connection: close", *(k + b": " + v for k, v in headers)]
    if body or method == b"POST":
        lines.append(b"Content-Length: " + str(len(body)).encode())
    return b"\r\n".join(lines) + b"\r\n\r\n" + body


def never_500(response: requests.Response) -> None:
    assert response.status_code < 500, (response.status_code, response.text[:2000])
    assert_no_traceback(response.text)
