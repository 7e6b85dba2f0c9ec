"""Which lambda operation a REST-JSON request names: HTTP method + ``requestUri`` from botocore's model
(``awsproto/restjson.py``; the URI's query part is not used to pick an operation)."""

from __future__ import annotations

import re

from ..awsproto import restjson
from ..awsproto.restjson import Route

SERVICE = "lambda"
_PREFIX = re.compile(r"^/20\d\d-\d\d-\d\d/")

__all__ = ["SERVICE", "Route", "is_service_path", "match", "routes"]


def routes() -> tuple[Route, ...]:
    """Every operation of the model, the most literal URIs first."""
    return restjson.routes(SERVICE, False)


def is_service_path(raw_path: str) -> bool:
    """A path under one of the lambda API's dated prefixes that some operation's URI matches."""
    if _PREFIX.match(raw_path) is None:
        return False
    return any(route.pattern.fullmatch(raw_path) for route in routes())


def match(method: str, raw_path: str) -> tuple[Route, dict[str, str]] | None:
    return restjson.match(routes(), method, raw_path)
