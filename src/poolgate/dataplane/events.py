"""The Lambda proxy event (REST API, payload format 1.0), every field as API Gateway sends it (reference §9.1).

(https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-lambda-proxy-integrations.html
#api-gateway-simple-proxy-for-lambda-input-format)
"""

from __future__ import annotations

import base64
from typing import Any
from urllib.parse import parse_qsl

from ..serving import HEADER_NAMES
from .context import InvocationContext
from .variables import IDENTITY_FIELDS, compile_dict, request_time_text, trace_id

__all__ = ["canonical_header", "forwarded_headers", "proxy_event", "request_time_text", "trace_id"]

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


def forwarded_headers(ctx: InvocationContext) -> list[tuple[str, str]]:
    """The headers API Gateway adds on the way to the backend (``X-Forwarded-*``, ``X-Amzn-Trace-Id``)."""
    scope = ctx.scope
    server = scope.get("server")
    added = [("X-Forwarded-For", _forwarded_for(ctx.header("x-forwarded-for"), ctx.client_ip)),
             ("X-Forwarded-Port", str(server[1]) if server and server[1] else "80"),
             ("X-Forwarded-Proto", scope.get("scheme", "http"))]
    if ctx.header("x-amzn-trace-id") is None:
        added.append(("X-Amzn-Trace-Id", trace_id(ctx)))
    return added


def _forwarded_for(forwarded_for: str | None, client_ip: str) -> str:
    """The client's ``X-Forwarded-For`` followed once by the address that reached the gateway. Behind a trusted
    proxy the server already took the client address from that header: it is not appended twice."""
    if not forwarded_for:
        return client_ip
    if forwarded_for.rsplit(",", 1)[-1].strip() == client_ip:
        return forwarded_for
    return f"{forwarded_for}, {client_ip}"


_SKIPPED = frozenset({"x-forwarded-for", "x-forwarded-port", "x-forwarded-proto", "connection", "content-length"})
"""Replaced by API Gateway's own values (``X-Forwarded-*``), or not passed on at all: a proxy event has no
``Connection`` or ``Content-Length`` (events recorded from AWS, e.g. LocalStack's parity snapshots)."""


_request_context = compile_dict((name, None if name == "identity" else name) for name in (
    "resourceId", "resourcePath", "httpMethod", "extendedRequestId", "requestTime", "path", "accountId", "protocol",
    "stage", "domainPrefix", "requestTimeEpoch", "requestId", "identity", "domainName", "deploymentId", "apiId"))
"""``requestContext``'s fields in AWS's order, each from the one ``$context`` table (``variables.py``)."""
_NO_IDENTITY = dict.fromkeys(IDENTITY_FIELDS)


def proxy_event(ctx: InvocationContext, binary: bool = False) -> dict[str, Any]:
    """The event a proxy Lambda receives for this request; ``binary``: body as base64.

    The hot path of a Lambda proxy request: one pass over the headers (which also finds the values the
    ``X-Forwarded-*`` headers and ``identity.userAgent`` need) and dicts built in place.
    """
    route = ctx.route
    deployment = ctx.deployment
    assert route is not None and deployment is not None
    headers: dict[str, str] = {}
    multi_headers: dict[str, list[str]] = {}
    forwarded_for = user_agent = None
    has_trace = False
    names = _CANONICAL
    sent: list[bytes] | None = ctx.scope.get(HEADER_NAMES)
    if sent is not None and len(sent) == len(ctx.headers):
        names = {}  # the names as the client wrote them (serving.py); the first casing of a name wins
        for (name, _), raw in zip(ctx.headers, sent, strict=True):
            if name not in names:
                names[name] = raw.decode("latin-1")
    for name, value in ctx.headers:
        if name in _SKIPPED:
            if name == "x-forwarded-for":
                forwarded_for = value if forwarded_for is None else f"{forwarded_for},{value}"
            continue
        key = names.get(name) or canonical_header(name)
        if key in headers:
            multi_headers[key].append(value)
        else:
            multi_headers[key] = [value]
        headers[key] = value
        if name == "user-agent":
            user_agent = value if user_agent is None else f"{user_agent},{value}"
        elif name == "x-amzn-trace-id":
            has_trace = True
    scope = ctx.scope
    client_ip = ctx.client_ip
    value = _forwarded_for(forwarded_for, client_ip)
    headers["X-Forwarded-For"] = value
    multi_headers["X-Forwarded-For"] = [value]
    server = scope.get("server")
    value = str(server[1]) if server and server[1] else "80"
    headers["X-Forwarded-Port"] = value
    multi_headers["X-Forwarded-Port"] = [value]
    value = scope.get("scheme", "http")
    headers["X-Forwarded-Proto"] = value
    multi_headers["X-Forwarded-Proto"] = [value]
    if not has_trace:
        value = trace_id(ctx)
        headers["X-Amzn-Trace-Id"] = value
        multi_headers["X-Amzn-Trace-Id"] = [value]
    query: dict[str, str] | None = None
    multi_query: dict[str, list[str]] | None = None
    raw_query = scope.get("query_string")
    if raw_query:
        query, multi_query = {}, {}
        for key, value in parse_qsl(raw_query.decode("latin-1"), keep_blank_values=True):
            query[key] = value
            if key in multi_query:
                multi_query[key].append(value)
            else:
                multi_query[key] = [value]
    body: str | None = None
    if ctx.body:
        body = base64.b64encode(ctx.body).decode() if binary else ctx.body.decode("utf-8", "replace")
    identity = dict(_NO_IDENTITY)  # every identity.* getter reads ctx.identity, but these two
    identity["sourceIp"] = client_ip
    identity["userAgent"] = user_agent
    if ctx.identity:
        identity.update(ctx.identity)
    request_context = _request_context(ctx, identity)
    if ctx.authorizer is not None:
        request_context["authorizer"] = ctx.authorizer
    variables = deployment.variables
    return {
        "resource": route.resource_path,
        "path": ctx.raw_path,  # percent-encoded, as sent (recorded events: `test%2Balias@gmail.com`)
        "httpMethod": ctx.method,
        "headers": headers,
        "multiValueHeaders": multi_headers,
        "queryStringParameters": query or None,
        "multiValueQueryStringParameters": multi_query or None,
        "pathParameters": dict(ctx.path_params) if ctx.path_params else None,
        "stageVariables": dict(variables) if variables else None,
        "requestContext": request_context,
        "body": body,
        "isBase64Encoded": binary and body is not None,
    }
