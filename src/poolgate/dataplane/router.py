"""The compiled resource router: API Gateway's matching rules for REST APIs.

Static segment > ``{param}`` > ``{proxy+}`` at every level (with backtracking, so ``/a/c`` still finds
``/{x}/c`` when ``/a`` has no ``c`` child); an explicit method > ``ANY``; ``{proxy+}`` only as the last
segment, never matching its parent path; one trailing slash ignored. Values are the raw (still
percent-encoded) path segments, as API Gateway passes them in ``pathParameters``.
(https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-method-settings-method-request.html)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Generic, TypeVar
from urllib.parse import unquote

T = TypeVar("T")

ANY = "ANY"


class RouteConflict(ValueError):
    """Two resource paths that API Gateway would refuse side by side (``/{a}`` and ``/{b}``)."""


@dataclass(slots=True)
class _Node(Generic[T]):
    literals: dict[str, _Node[T]] = field(default_factory=dict)
    param: _Node[T] | None = None
    param_name: str = ""
    greedy_name: str = ""
    greedy: dict[str, T] | None = None
    methods: dict[str, T] | None = None


class Router(Generic[T]):
    """Resource paths → per-method values; ``match`` returns the value and the path parameters."""

    def __init__(self) -> None:
        self._root: _Node[T] = _Node()
        self._static: dict[str, dict[str, T]] = {}

    def add(self, path: str, methods: dict[str, T]) -> None:
        node = self._root
        parts = [p for p in path.split("/") if p]
        for i, part in enumerate(parts):
            if part.startswith("{") and part.endswith("+}"):
                if i != len(parts) - 1:
                    raise RouteConflict(f"{path}: a greedy path variable must be the last segment")
                if node.greedy is not None and node.greedy_name != part[1:-2]:
                    raise RouteConflict(f"{path}: conflicts with {{{node.greedy_name}+}}")
                node.greedy_name = part[1:-2]
                node.greedy = {**(node.greedy or {}), **methods}
                return
            if part.startswith("{") and part.endswith("}"):
                name = part[1:-1]
                if node.param is None:
                    node.param, node.param_name = _Node(), name
                elif node.param_name != name:
                    raise RouteConflict(f"{path}: {{{name}}} conflicts with {{{node.param_name}}} at the same level")
                node = node.param
            else:
                node = node.literals.setdefault(part, _Node())
        node.methods = {**(node.methods or {}), **methods}
        if "{" not in path:
            self._static["/" + "/".join(parts)] = node.methods

    def match(self, method: str, path: str) -> tuple[T, dict[str, str] | None] | None:
        """The value for ``method`` on ``path`` (raw, percent-encoded) and its path parameters, or None."""
        if len(path) > 1 and path.endswith("/"):
            path = path[:-1]
        static = self._static.get(path)
        if static is not None:
            found = static.get(method) or static.get(ANY)
            if found is not None:
                return found, None
        segments = path.split("/")[1:] if path != "/" else []
        params: dict[str, str] = {}
        found = _walk(self._root, segments, 0, method, params)
        if found is None:
            return None
        return found, params or None


def _pick(methods: dict[str, T] | None, method: str) -> T | None:
    if not methods:
        return None
    return methods.get(method) or methods.get(ANY)


def _walk(node: _Node[T], segments: list[str], i: int, method: str, params: dict[str, str]) -> T | None:
    if i == len(segments):
        return _pick(node.methods, method)
    segment = segments[i]
    if segment:
        child = node.literals.get(unquote(segment) if "%" in segment else segment)
        if child is not None:
            found = _walk(child, segments, i + 1, method, params)
            if found is not None:
                return found
        if node.param is not None:
            params[node.param_name] = segment
            found = _walk(node.param, segments, i + 1, method, params)
            if found is not None:
                return found
            del params[node.param_name]
    if node.greedy is not None:
        found = _pick(node.greedy, method)
        if found is not None:
            rest = "/".join(segments[i:]).strip("/")
            if rest:
                params[node.greedy_name] = rest
                return found
    return None
