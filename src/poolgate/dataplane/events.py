"""The Lambda proxy event (REST API, payload format 1.0), every field as API Gateway sends it (reference §9.1).

(https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-lambda-proxy-integrations.html
#api-gateway-simple-proxy-for-lambda-input-format)
"""

from __future__ import annotations

import base64
import time
from typing import Any
from urllib.parse import parse_qsl

from .context import InvocationContext

_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_CANONICAL: dict[str, str] = {}
_MAX_CANONICAL = 4096


def canonical_header(name: str) -> str:
    """``content-type`` → ``Content-Type``: ASGI servers lowercase names; clients mostly send this casing."""
    found = _CANONICAL.get(name)
    if found is None:
        found = "-".join(part[:1].upper() + part[1:] for part in name.split("-"))
        if len(_CANONICAL) < _MAX_CANONICAL:
            _CANONICAL[name] = found
    return found


_last_time: tuple[int, str] = (-1, "")


def request_time_text(epoch: float) -> str:
    """``$context.requestTime``: ``04/Mar/2020:19:15:17 +0000`` (the last second's text is reused)."""
    global _last_time
    second = int(epoch)
    if _last_time[0] == second:
        return _last_time[1]
    t = time.gmtime(second)
    text = f"{t.tm_mday:02d}/{_MONTHS[t.tm_mon - 1]}/{t.tm_year}:{t.tm_hour:02d}:{t.tm_min:02d}:{t.tm_sec:02d} +0000"
    _last_time = (second, text)
    return text


def forwarded_headers(ctx: InvocationContext) -> list[tuple[str, str]]:
    """The headers API Gateway adds on the way to the backend (``X-Forwarded-*``, ``X-Amzn-Trace-Id``)."""
    scope = ctx.scope
    server = scope.get("server")
    forwarded_for = ctx.header("x-forwarded-for")
    added = [("X-Forwarded-For", f"{forwarded_for}, {ctx.client_ip}" if forwarded_for else ctx.client_ip),
             ("X-Forwarded-Port", str(server[1]) if server and server[1] else "80"),
             ("X-Forwarded-Proto", scope.get("scheme", "http"))]
    if ctx.header("x-amzn-trace-id") is None:
        rid = ctx.request_id.replace("-", "")
        added.append(("X-Amzn-Trace-Id", f"Root=1-{int(ctx.request_time):08x}-{rid[:24]}"))
    return added


def proxy_event(ctx: InvocationContext, binary: bool = False) -> dict[str, Any]:
    """The event a proxy Lambda receives for this request; ``binary``: body as base64."""
    route = ctx.route
    deployment = ctx.deployment
    assert route is not None and deployment is not None
    headers: dict[str, str] = {}
    multi_headers: dict[str, list[str]] = {}
    skip = ("x-forwarded-for", "x-forwarded-port", "x-forwarded-proto")
    for name, value in ctx.headers:
        if name in skip:
            continue
        key = canonical_header(name)
        headers[key] = value
        multi_headers.setdefault(key, []).append(value)
    for key, value in forwarded_headers(ctx):
        headers[key] = value
        multi_headers[key] = [value]
    query: dict[str, str] | None = None
    multi_query: dict[str, list[str]] | None = None
    raw_query = ctx.query_string
    if raw_query:
        query, multi_query = {}, {}
        for key, value in parse_qsl(raw_query, keep_blank_values=True):
            query[key] = value
            multi_query.setdefault(key, []).append(value)
    body: str | None = None
    if ctx.body:
        body = base64.b64encode(ctx.body).decode() if binary else ctx.body.decode("utf-8", "replace")
    api = deployment.api
    domain = ctx.host.split(":", 1)[0]
    return {
        "resource": route.resource_path,
        "path": ctx.path,
        "httpMethod": ctx.method,
        "headers": headers or None,
        "multiValueHeaders": multi_headers or None,
        "queryStringParameters": query or None,
        "multiValueQueryStringParameters": multi_query or None,
        "pathParameters": dict(ctx.path_params) if ctx.path_params else None,
        "stageVariables": dict(deployment.variables) if deployment.variables else None,
        "requestContext": {
            "resourceId": route.resource_id,
            "resourcePath": route.resource_path,
            "httpMethod": ctx.method,
            "extendedRequestId": ctx.extended_request_id,
            "requestTime": request_time_text(ctx.request_time),
            "path": f"/{ctx.stage_name}{ctx.path}",
            "accountId": api.account,
            "protocol": "HTTP/" + ctx.scope.get("http_version", "1.1"),
            "stage": ctx.stage_name,
            "domainPrefix": domain.split(".", 1)[0],
            "requestTimeEpoch": int(ctx.request_time * 1000),
            "requestId": ctx.request_id,
            "identity": {
                "cognitoIdentityPoolId": None, "accountId": None, "cognitoIdentityId": None, "caller": None,
                "sourceIp": ctx.client_ip, "principalOrgId": None, "accessKey": None,
                "cognitoAuthenticationType": None, "cognitoAuthenticationProvider": None, "userArn": None,
                "userAgent": ctx.header("user-agent"), "user": None, **ctx.identity,
            },
            "domainName": domain,
            "deploymentId": deployment.deployment_id,
            "apiId": api.id,
            **({"authorizer": ctx.authorizer} if ctx.authorizer is not None else {}),
        },
        "body": body,
        "isBase64Encoded": binary and body is not None,
    }
