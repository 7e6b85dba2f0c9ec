"""Calling HTTP backends: one shared keep-alive client (``httpclient.py``), URI templates, parameter mappings.

Used by the ``HTTP`` and ``HTTP_PROXY`` integrations (and, through an aiohttp session, by the Cognito
authorizer to fetch the JWKS of pools in another poolgate). Upstream failures map as API Gateway reports them:
no answer in time → 504 ``Endpoint request timed out``; a connection error → 504 ``Network error communicating
with endpoint``; an answer over 10 MB → 502.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import aiohttp

from ..http import MAX_BODY
from .context import IntegrationResult, InvocationContext
from .httpclient import HttpClient, ResponseTooLarge, UpstreamError, UpstreamTimeout
from .paths import ambiguous_path, has_dot_segment
from .plugins import DeploymentError, substitute_stage_variables
from .responses import integration_failure, integration_timeout, internal_error
from .variables import context_value

HOP_BY_HOP = frozenset({"connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te", "trailer",
                        "trailers", "transfer-encoding", "upgrade"})
NOT_FORWARDED = HOP_BY_HOP | {"host", "content-length", "expect"}
_REMAPPED = frozenset({"date", "x-amzn-requestid", "server"})
_DROPPED = HOP_BY_HOP | {"content-length"}
_SKIP_AUTO = frozenset({"User-Agent", "Accept", "Accept-Encoding", "Content-Type"})
_PLACEHOLDER = re.compile(r"\{([A-Za-z0-9_.\-]+)\+?\}")
_SOURCE = re.compile(r"^method\.request\.(path|querystring|multivaluequerystring|header|multivalueheader)\.(.+)$")
_TARGET = re.compile(r"^integration\.request\.(path|querystring|header)\.(.+)$")


class Upstream:
    """The HTTP clients of a data plane: ``HttpClient`` (keep-alive pools) for the HTTP integrations, and an
    aiohttp session, created on first use, for the occasional JSON fetch (a remote pool's JWKS)."""

    def __init__(self, pool_size: int = 256) -> None:
        self.pool_size = pool_size
        self.client = HttpClient(limit=pool_size, keepalive=30.0, max_body=MAX_BODY)
        self._session: aiohttp.ClientSession | None = None

    def session(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            connector = aiohttp.TCPConnector(limit=self.pool_size, keepalive_timeout=30, ttl_dns_cache=60)
            self._session = aiohttp.ClientSession(connector=connector, auto_decompress=False,
                                                  skip_auto_headers=_SKIP_AUTO, cookie_jar=aiohttp.DummyCookieJar())
        return self._session

    async def close(self) -> None:
        await self.client.close()
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def get_json(self, url: str, timeout: float = 5.0) -> Any:
        async with self.session().get(url, timeout=aiohttp.ClientTimeout(total=timeout)) as response:
            if response.status != 200:
                raise ValueError(f"HTTP {response.status}")
            return await response.json(content_type=None)

    async def call(self, ctx: InvocationContext, method: str, url: str, headers: list[tuple[str, str]],
                   body: bytes, timeout: float) -> IntegrationResult:
        """Send the integration request; the answer minus hop-by-hop headers (``Date``, ``Server`` and
        ``x-amzn-RequestId`` renamed ``x-amzn-Remapped-*``, as API Gateway does)."""
        try:
            response = await self.client.request(method, url, headers, body, timeout)
        except UpstreamTimeout:
            raise integration_timeout() from None
        except ResponseTooLarge:
            raise internal_error() from None
        except UpstreamError:
            raise integration_failure() from None
        out = []
        for raw_name, raw_value in response.headers:
            name = raw_name.decode("latin-1")
            lower = name.lower()
            if lower in _DROPPED:
                continue
            if lower in _REMAPPED:
                name = f"x-amzn-Remapped-{name}"
            out.append((name, raw_value.decode("latin-1")))
        return IntegrationResult(response.status, out, response.body, None)


def forwardable_headers(headers: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    return [(k, v) for k, v in headers if k not in NOT_FORWARDED]


@dataclass(frozen=True, slots=True)
class ParameterMapping:
    target: str  # path | querystring | header
    name: str
    kind: str  # literal | path | querystring | header | context
    value: str


@dataclass(frozen=True, slots=True)
class UriTemplate:
    parts: tuple[str, ...]
    """Literal text at even indexes, placeholder names at odd ones."""
    path_slots: int = 0
    """How many placeholders, from the first, stand in the URL's path (before any ``?`` or ``#``)."""

    def render(self, values: dict[str, str]) -> str:
        """The URL; a value that would add a dot segment to the path → 400 (``paths.py``: the request's own
        path is resolved before routing, but mapped headers and query strings could still climb)."""
        parts = self.parts
        if len(parts) == 1:
            return parts[0]
        out = [parts[0]]
        for i in range(1, len(parts), 2):
            value = values.get(parts[i], "")
            if i // 2 < self.path_slots and has_dot_segment(value):
                raise ambiguous_path()
            out.append(value)
            out.append(parts[i + 1])
        return "".join(out)


def compile_uri(uri: str, variables: dict[str, str], where: str) -> UriTemplate:
    text = substitute_stage_variables(uri, variables, where)
    if not text.startswith(("http://", "https://")):
        raise DeploymentError(f"{where}: integration uri {uri!r} must be an http(s) URL")
    parts = tuple(_PLACEHOLDER.split(text))
    path_slots = 0
    for i in range(0, len(parts) - 1, 2):
        if "?" in parts[i] or "#" in parts[i]:
            break
        path_slots += 1
    return UriTemplate(parts, path_slots)


def compile_mappings(parameters: dict[str, str], variables: dict[str, str], where: str) -> tuple[ParameterMapping, ...]:
    """``integration.request.{path|querystring|header}.X`` ← ``method.request.*`` / ``'literal'`` /
    ``stageVariables.x`` / ``context.x``."""
    out = []
    for target, source in parameters.items():
        match = _TARGET.match(target)
        if match is None:
            raise DeploymentError(f"{where}: request parameter {target!r} must be integration.request."
                                  "{path|querystring|header}.<name>")
        source = source.strip()
        if len(source) >= 2 and source[0] == source[-1] == "'":
            out.append(ParameterMapping(match.group(1), match.group(2), "literal", source[1:-1]))
        elif source.startswith("stageVariables."):
            name = source[len("stageVariables."):]
            out.append(ParameterMapping(match.group(1), match.group(2), "literal", variables.get(name, "")))
        elif source.startswith("context."):
            out.append(ParameterMapping(match.group(1), match.group(2), "context", source[len("context."):]))
        elif found := _SOURCE.match(source):
            kind = found.group(1).replace("multivalue", "")
            name = found.group(2).lower() if kind == "header" else found.group(2)
            out.append(ParameterMapping(match.group(1), match.group(2), kind, name))
        else:
            raise DeploymentError(f"{where}: request parameter source {source!r} is not supported")
    return tuple(out)


def mapped_values(ctx: InvocationContext, mappings: tuple[ParameterMapping, ...]) -> list[tuple[str, str, str]]:
    """(target, name, value) for each mapping whose source has a value in this request."""
    out = []
    query: dict[str, str] | None = None
    for m in mappings:
        value: str | None
        if m.kind == "literal":
            value = m.value
        elif m.kind == "path":
            value = (ctx.path_params or {}).get(m.value)
        elif m.kind == "header":
            value = ctx.header(m.value)
        elif m.kind == "querystring":
            if query is None:
                from urllib.parse import parse_qsl

                query = dict(parse_qsl(ctx.query_string, keep_blank_values=True))
            value = query.get(m.value)
        else:
            found = context_value(ctx, m.value)  # the one $context table (variables.py)
            value = None if found is None else str(found)
        if value is not None:
            out.append((m.target, m.name, value))
    return out
