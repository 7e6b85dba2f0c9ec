"""Which apigateway operation a REST-JSON request names: HTTP method + ``requestUri`` from botocore's model.

Every operation of the service model is routable (so a write gets a clear refusal instead of a 404); only the
read operations in ``ops.py`` have handlers. URI labels are matched on the raw path and percent-decoded, as
botocore percent-encodes them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from urllib.parse import unquote

from botocore.model import OperationModel

from ..awsproto.dispatch import service_model

SERVICE = "apigateway"
_LABEL = re.compile(r"\{([^}]+)\}")


@dataclass(frozen=True, slots=True)
class Route:
    """One operation's ``(method, requestUri)`` compiled to a regular expression over the raw path."""

    model: OperationModel
    method: str
    pattern: re.Pattern[str]
    members: tuple[str, ...]
    """The input member each URI label fills, in the order of the pattern's groups."""
    query_key: str | None
    """A query parameter the operation's URI requires (``POST /restapis?mode=import`` is ImportRestApi)."""
    fixed_query: frozenset[str]
    """The query parameters the URI itself names (never members of a querystring map)."""
    literal: int

    @property
    def name(self) -> str:
        return self.model.name


def _compile(model: OperationModel) -> Route:
    uri, _, query = model.http["requestUri"].partition("?")
    by_label = {member.serialization.get("name"): name
                for name, member in (model.input_shape.members.items() if model.input_shape else ())
                if member.serialization.get("location") == "uri"}
    members: list[str] = []
    regex = ""
    last = 0
    for found in _LABEL.finditer(uri):
        regex += re.escape(uri[last:found.start()])
        label = found.group(1)
        greedy = label.endswith("+")
        members.append(by_label.get(label.rstrip("+"), label.rstrip("+")))
        regex += "(.+)" if greedy else "([^/]+)"
        last = found.end()
    regex += re.escape(uri[last:])
    literal = len(_LABEL.sub("", uri))
    query_key = query.split("=", 1)[0] if query else None
    return Route(model, model.http["method"], re.compile(regex), tuple(members), query_key or None,
                 frozenset({query_key} if query_key else ()), literal)


@cache
def routes() -> tuple[Route, ...]:
    """Every operation of the model, the most literal URIs first (``/restapis/{id}/stages`` before labels)."""
    model = service_model(SERVICE)
    compiled = [_compile(model.operation_model(name)) for name in model.operation_names]
    return tuple(sorted(compiled, key=lambda route: (route.query_key is None, -route.literal)))


def match(method: str, raw_path: str, query_keys: set[str]) -> tuple[Route, dict[str, str]] | None:
    """The operation a request names and its URI members (decoded), or None."""
    for route in routes():
        if route.method != method or (route.query_key is not None and route.query_key not in query_keys):
            continue
        found = route.pattern.fullmatch(raw_path)
        if found:
            return route, {name: unquote(value) for name, value in zip(route.members, found.groups(), strict=True)}
    return None


def is_service_path(raw_path: str) -> bool:
    """Whether some apigateway operation lives at this path (with any HTTP method)."""
    return raw_path == "/restapis" or raw_path.startswith("/restapis/") or any(
        route.pattern.fullmatch(raw_path) for route in routes())
