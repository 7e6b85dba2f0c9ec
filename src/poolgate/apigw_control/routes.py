"""Which apigateway operation a REST-JSON request names: HTTP method + ``requestUri`` from botocore's model
(``awsproto/restjson.py``; a query parameter the URI names picks the operation, as ``?mode=import``).

Every operation of the service model is routable (so a write gets a clear refusal instead of a 404); only the
operations ``registry.OPERATIONS`` holds have handlers.
"""

from __future__ import annotations

from ..awsproto import restjson
from ..awsproto.restjson import Route

SERVICE = "apigateway"

__all__ = ["SERVICE", "Route", "is_service_path", "match", "routes"]


def routes() -> tuple[Route, ...]:
    """Every operation of the model, the most literal URIs first (``/restapis/{id}/stages`` before labels)."""
    return restjson.routes(SERVICE, True)


def match(method: str, raw_path: str, query_keys: set[str]) -> tuple[Route, dict[str, str]] | None:
    """The operation a request names and its URI members (decoded), or None."""
    return restjson.match(routes(), method, raw_path, query_keys)


def is_service_path(raw_path: str) -> bool:
    """Whether some apigateway operation lives at this path (with any HTTP method)."""
    return raw_path == "/restapis" or raw_path.startswith("/restapis/") or any(
        route.pattern.fullmatch(raw_path) for route in routes())
