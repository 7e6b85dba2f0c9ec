"""The REST-JSON machinery the control planes share (apigateway, lambda): which operation a request names
(HTTP method + ``requestUri`` from botocore's model, labels matched on the raw path and percent-decoded, as
botocore percent-encodes them), its header members, and SigV4 with the credential scope's service checked.

Each plane keeps what differs: its service name, its error body, how it reads query and body members.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import Any
from urllib.parse import unquote

from botocore.model import OperationModel

from ..errors import ServiceError
from ..http import Request
from . import sigv4
from .dispatch import Caller, authenticate, service_model

_LABEL = re.compile(r"\{([^}]+)\}")
_AUTH_ERRORS = frozenset({"IncompleteSignatureException", "InvalidSignatureException",
                          "UnrecognizedClientException", "MissingAuthenticationTokenException"})
"""SigV4 failures: both services answer them with 403 (their other errors carry their model's status)."""


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


def _compile(model: OperationModel, query_routing: bool) -> Route:
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
    query_key = (query.split("=", 1)[0] or None) if query and query_routing else None
    return Route(model, model.http["method"], re.compile(regex), tuple(members), query_key,
                 frozenset({query_key} if query_key else ()), literal)


@cache
def routes(service: str, query_routing: bool) -> tuple[Route, ...]:
    """Every operation of the service's model, those a query parameter picks first, then the most literal URIs
    (``/restapis/{id}/stages`` before labels). With ``query_routing`` off the URI's query part is ignored."""
    model = service_model(service)
    compiled = [_compile(model.operation_model(name), query_routing) for name in model.operation_names]
    return tuple(sorted(compiled, key=lambda route: (route.query_key is None, -route.literal)))


def match(table: tuple[Route, ...], method: str, raw_path: str,
          query_keys: set[str] | frozenset[str] = frozenset()) -> tuple[Route, dict[str, str]] | None:
    """The operation a request names and its URI members (decoded), or None."""
    for route in table:
        if route.method != method or (route.query_key is not None and route.query_key not in query_keys):
            continue
        found = route.pattern.fullmatch(raw_path)
        if found:
            return route, {name: unquote(value) for name, value in zip(route.members, found.groups(), strict=True)}
    return None


def header_members(route: Route, request: Request) -> dict[str, Any]:
    """The operation's members sent as headers, by member name."""
    shape = route.model.input_shape
    if shape is None:
        return {}
    result: dict[str, Any] = {}
    for name, member in shape.members.items():
        if member.serialization.get("location") == "header":
            value = request.header(member.serialization.get("name", name))
            if value is not None:
                result[name] = value
    return result


def authenticate_service(services: Any, request: Request, caller: Caller, service: str) -> None:
    """SigV4 exactly as the cognito-idp control plane checks it (local mode: any credentials; signed mode:
    configured keys only), plus the credential scope's service; the scope's region picks the caller's region."""
    try:
        signed = sigv4.parse_authorization(request)
    except sigv4.SignatureError as err:
        raise ServiceError(err.code, err.message, 403) from err
    if signed is not None and signed.scope.service != service:
        # The same text the data plane's AWS_IAM check uses (dataplane/authorizers/iam.py).
        raise ServiceError("InvalidSignatureException",
                           f"Credential should be scoped to correct service: '{service}'. ", 403)
    try:
        authenticate(services, request, caller, service)
    except ServiceError as err:
        if err.code in _AUTH_ERRORS:
            err.status = 403
        raise
