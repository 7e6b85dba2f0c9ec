"""Baseline apps for the gateway benchmark, run as ``uvicorn bench._apps:raw`` or ``:starlette_app``."""

from __future__ import annotations

from typing import Any

BODY = b'{"message":"hello"}'
HEADERS = [(b"content-type", b"application/json"), (b"content-length", str(len(BODY)).encode())]


async def raw(scope: dict[str, Any], receive: Any, send: Any) -> None:
    """A bare ASGI hello-world: the ceiling any gateway on the same server is measured against."""
    if scope["type"] != "http":
        return
    await send({"type": "http.response.start", "status": 200, "headers": HEADERS})
    await send({"type": "http.response.body", "body": BODY})


def _starlette() -> Any:
    try:
        from starlette.applications import Starlette
        from starlette.responses import Response
        from starlette.routing import Route
    except ImportError:  # pragma: no cover - optional
        return None

    async def hello(request: Any) -> Any:
        return Response(BODY, media_type="application/json")

    return Starlette(routes=[Route("/{path:path}", hello)])


starlette_app = _starlette()
