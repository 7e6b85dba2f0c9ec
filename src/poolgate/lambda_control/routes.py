"""Which lambda operation a REST-JSON request names: HTTP method + ``requestUri`` from botocore's model
(labels matched on the raw path and percent-decoded, as botocore percent-encodes them)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from urllib.parse import unquote

from botocore.model import OperationModel

from ..awsproto.dispatch import service_model

SERVICE = "lambda"
_LABEL = re.compile(r"\{([^}]+)\}")
_PREFIX = re.compile(r"^/20\d\d-\d\d-\d\d/")


@dataclass(frozen=True, slots=True)
class Route:
    model: OperationModel
    method: str
    pattern: re.Pattern[str]
    members: tuple[str, ...]
    literal: int

    @property
    def name(self) -> str:
        return self.model.name


def _compile(model: OperationModel) -> Route:
    uri = model.http["requestUri"].partition("?")[0]
    by_label = {member.serialization.get("name"): name
                for name, member in (model.input_shape.members.items() if model.input_shape else ())
                if member.serialization.get("location") == "uri"}
    members: list[str] = []
    regex = ""
    last = 0
    for found in _LABEL.finditer(uri):
        regex += re.escape(uri[last:found.start()])
        label = found.group(1).rstrip("+")
        members.append(by_label.get(label, label))
        regex += "(.+)" if found.group(1).endswith("+") else "([^/]+)"
        last = found.end()
    regex += re.escape(uri[last:])
    return Route(model, model.http["method"], re.compile(regex), tuple(members), len(_LABEL.sub("", uri)))


@cache
def routes() -> tuple[Route, ...]:
    model = service_model(SERVICE)
    compiled = [_compile(model.operation_model(name)) for name in model.operation_names]
    return tuple(sorted(compiled, key=lambda route: -route.literal))


def is_service_path(raw_path: str) -> bool:
    """A path under one of the lambda API's dated prefixes that some operation's URI matches."""
    if _PREFIX.match(raw_path) is None:
        return False
    return any(route.pattern.fullmatch(raw_path) for route in routes())


def match(method: str, raw_path: str) -> tuple[Route, dict[str, str]] | None:
    for route in routes():
        if route.method != method:
            continue
        found = route.pattern.fullmatch(raw_path)
        if found:
            return route, {name: unquote(value) for name, value in zip(route.members, found.groups(), strict=True)}
    return None
