"""uvicorn's HTTP protocol (httptools), keeping the header names as the client wrote them.

ASGI servers lowercase header names; API Gateway passes them to a Lambda in the client's casing (reference
§9.1), and handlers written against AWS read ``event["headers"]["content-type"]`` when their client (fetch,
undici, HTTP/2 front ends) sends lowercase names. This protocol records each name as received, in order, in
the scope under ``HEADER_NAMES``, beside the lowercased ``scope["headers"]`` uvicorn builds as usual. Under
any other server the key is absent and events fall back to ``Content-Type``-style names.
"""

from __future__ import annotations

from typing import Any

HEADER_NAMES = "poolgate.header_names"
"""Scope key: the request's header names as sent, one per entry of ``scope["headers"]``."""


def http_protocol() -> Any:
    """The protocol class for ``uvicorn.Config(http=…)``; ``"auto"`` when httptools is missing."""
    try:
        from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
    except ImportError:  # uvicorn without httptools: h11, names lowercased
        return "auto"

    class CasedHeadersProtocol(HttpToolsProtocol):
        def on_message_begin(self) -> None:
            super().on_message_begin()
            self._header_names: list[bytes] = []
            self.scope[HEADER_NAMES] = self._header_names  # type: ignore[literal-required]

        def on_header(self, name: bytes, value: bytes) -> None:
            super().on_header(name, value)
            self._header_names.append(name)

    return CasedHeadersProtocol
