"""Calling HTTP backends: one shared aiohttp session (keep-alive pool), URI templates, parameter mappings.

Used by the ``HTTP`` and ``HTTP_PROXY`` integrations (and by the Cognito authorizer to fetch the JWKS of
pools in another poolgate). Upstream failures map as API Gateway reports them: no answer in time →
504 ``Endpoint request timed out``; a connection error → 504 ``Network error communicating with endpoint``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import aiohttp
from yarl import URL

from ..http import MAX_BODY
from .context import IntegrationResult, InvocationContext
from .plugins import DeploymentError, substitute_stage_variables
from .responses import integration_failure, integration_timeout, internal_error

HOP_BY_HOP = frozenset({"connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te", "trailer",
                        "trailers", "transfer-encoding", "upgrade"})
_NOT_FORWARDED = HOP_BY_HOP | {"host", "content-length", "expect"}
_REMAPPED = frozenset({"date", "x-amzn-requestid", "server"})
_SKIP_AUTO = frozenset({"User-Agent", "Accept", "Accept-Encoding", "Content-Type"})
_PLACEHOLDER = re.compile(r"\{([A-Za-z0-9_.\-]+)\+?\}")
_SOURCE = re.compile(r"^method\.request\.(path|querystring|multivaluequerystring|header|multivalueheader)\.(.+)$")
_TARGET = re.compile(r"^integration\.request\.(path|querystring|header)\.(.+)$")


class Upstream:
    """The one HTTP client session of a data plane, created on first use inside the running loop."""

    def __init__(self, pool_size: int = 256) -> None:
        self.pool_size = pool_size
        self._session: aiohttp.ClientSession | None = None

    def session(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            connector = aiohttp.TCPConnector(limit=self.pool_size, keepalive_timeout=30, ttl_dns_cache=60)
            self._session = aiohttp.ClientSession(connector=connector, auto_decompress=False,
                                                  skip_auto_headers=_SKIP_AUTO, cookie_jar=aiohttp.DummyCookieJar())
        return self._session

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def get_json(self, url: str, timeout: float = 5.0) -> Any:
        async with self.session().get(url, timeout=aiohttp.ClientTimeout(total=timeout)) as response:
            if response.status != 200:
                raise ValueError(f"HTTP {response.status}")
            return await response.json(content_type=None)

    async def call(self, ctx: InvocationContext, method: str, url: str, headers: list[tuple[str, str]],
                   body: bytes, timeout: aiohttp.ClientTimeout) -> IntegrationResult:
        try:
            async with self.session().request(
                    method, URL(url, encoded=True), headers=headers, data=body or None, allow_redirects=False,
                    timeout=timeout) as response:
                if (response.content_length or 0) > MAX_BODY:
                    raise internal_error()
                if response.content_length is not None:
                    data = await response.read()
                else:  # chunked: count as it comes
                    chunks, size = [], 0
                    async for chunk in response.content.iter_any():
                        size += len(chunk)
                        if size > MAX_BODY:
                            raise internal_error()
                        chunks.append(chunk)
                    data = b"".join(chunks)
                out = []
                for raw_name, raw_value in response.raw_headers:
                    name = raw_name.decode("latin-1")
                    lower = name.lower()
                    if lower in HOP_BY_HOP or lower == "content-length":
                        continue
                    if lower in _REMAPPED:
                        name = f"x-amzn-Remapped-{name}"
                    out.append((name, raw_value.decode("latin-1")))
                return IntegrationResult(response.status, out, data, None)
        except (TimeoutError, aiohttp.ServerTimeoutError):
            raise integration_timeout() from None
        except aiohttp.ClientError:
            raise integration_failure() from None


def forwardable_headers(headers: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    return [(k, v) for k, v in headers if k not in _NOT_FORWARDED]


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

    def render(self, values: dict[str, str]) -> str:
        parts = self.parts
        return "".join(part if i % 2 == 0 else values.get(part, "") for i, part in enumerate(parts))


def compile_uri(uri: str, variables: dict[str, str], where: str) -> UriTemplate:
    text = substitute_stage_variables(uri, variables, where)
    if not text.startswith(("http://", "https://")):
        raise DeploymentError(f"{where}: integration uri {uri!r} must be an http(s) URL")
    return UriTemplate(tuple(_PLACEHOLDER.split(text)))


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
            value = {"requestId": ctx.request_id, "stage": ctx.stage_name, "apiId": ctx.api_id,
                     "httpMethod": ctx.method, "identity.sourceIp": ctx.client_ip}.get(m.value)
        if value is not None:
            out.append((m.target, m.name, value))
    return out
