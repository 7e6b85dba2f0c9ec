"""``HTTP`` (non-proxy): call an upstream URL with only the mapped parameters; answer with its body.

Only ``integration.request.{path|querystring|header}`` mappings reach the upstream (plus the request
body and its Content-Type, as with ``passthroughBehavior`` WHEN_NO_MATCH). poolgate does not model
integration responses: the upstream status and body come back with their Content-Type.
"""

from __future__ import annotations

import time

from ..context import IntegrationResult, InvocationContext
from ..plugins import IntegrationConfig
from . import http_proxy

TYPE = "HTTP"


def validate(config: IntegrationConfig) -> http_proxy.HttpProxy:
    return http_proxy.validate(config)


async def invoke(ctx: InvocationContext, settings: http_proxy.HttpProxy) -> IntegrationResult:
    content_type = ctx.header("content-type")
    headers = [("Content-Type", content_type)] if content_type else []
    url, headers, query = http_proxy.render(ctx, settings, headers, "")
    if query:
        url = f"{url}{'&' if '?' in url else '?'}{query}"
    started = time.perf_counter()
    try:
        result = await ctx.gateway.upstream.call(ctx, settings.method or ctx.method, url, headers, ctx.body,
                                               settings.timeout)
    finally:
        ctx.integration_latency = int((time.perf_counter() - started) * 1000)
    kept = [(k, v) for k, v in result.headers if k.lower() == "content-type"]
    return IntegrationResult(result.status, kept, result.body)
