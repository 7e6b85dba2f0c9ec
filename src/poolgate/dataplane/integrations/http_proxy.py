"""``HTTP_PROXY``: pass the request to an upstream URL and its answer back, almost untouched.

The URI may hold ``{name}`` placeholders, filled from ``integration.request.path.name`` mappings or, when
none is given, the request's path parameter of that name (``{proxy}`` for a ``{proxy+}`` resource), and
``${stageVariables.x}``. Query string and headers pass through, minus hop-by-hop headers.
(https://docs.aws.amazon.com/apigateway/latest/developerguide/setup-http-integrations.html)
"""

from __future__ import annotations

from dataclasses import dataclass

from ...apigw.domain import ANY
from ..context import IntegrationResult, InvocationContext
from ..events import forwarded_headers
from ..plugins import DeploymentError, IntegrationConfig
from ..upstream import (
    NOT_FORWARDED,
    ParameterMapping,
    UriTemplate,
    compile_mappings,
    compile_uri,
    mapped_values,
)

TYPE = "HTTP_PROXY"


@dataclass(frozen=True, slots=True)
class HttpProxy:
    uri: UriTemplate
    method: str | None
    mappings: tuple[ParameterMapping, ...]
    timeout: float
    """Seconds (``timeoutInMillis`` / 1000)."""


def validate(config: IntegrationConfig) -> HttpProxy:
    env = config.env
    where = env.where(config.resource, config.method)
    integration = config.integration
    if not integration.uri:
        raise DeploymentError(f"{where}: {integration.type} integration needs a uri")
    if integration.timeout_in_millis < 50:
        raise DeploymentError(f"{where}: timeoutInMillis must be at least 50")
    method = (integration.http_method or ANY).upper()
    return HttpProxy(compile_uri(integration.uri, env.variables, where), None if method == ANY else method,
                     compile_mappings(integration.request_parameters, env.variables, where),
                     integration.timeout_in_millis / 1000.0)


def render(ctx: InvocationContext, settings: HttpProxy, headers: list[tuple[str, str]],
           query: str) -> tuple[str, list[tuple[str, str]], str]:
    """URL, headers and query after the parameter mappings."""
    if not settings.mappings:
        return settings.uri.render(ctx.path_params or {}), headers, query
    path_values = dict(ctx.path_params or {})
    extra_query = []
    for target, name, value in mapped_values(ctx, settings.mappings):
        if target == "path":
            path_values[name] = value
        elif target == "header":
            headers = [(k, v) for k, v in headers if k.lower() != name.lower()]
            headers.append((name, value))
        else:
            from urllib.parse import quote

            extra_query.append(f"{quote(name, safe='')}={quote(value, safe='')}")
    if extra_query:
        query = "&".join(filter(None, [query, *extra_query]))
    url = settings.uri.render(path_values)
    return url, headers, query


async def invoke(ctx: InvocationContext, settings: HttpProxy) -> IntegrationResult:
    import time

    headers = [(k, v) for k, v in ctx.headers if k not in NOT_FORWARDED and not k.startswith("x-forwarded-")]
    headers += forwarded_headers(ctx)
    url, headers, query = render(ctx, settings, headers, ctx.query_string)
    if query:
        url = f"{url}{'&' if '?' in url else '?'}{query}"
    started = time.perf_counter()
    try:
        return await ctx.gateway.upstream.call(ctx, settings.method or ctx.method, url, headers, ctx.body,
                                             settings.timeout)
    finally:
        ctx.integration_latency = int((time.perf_counter() - started) * 1000)
