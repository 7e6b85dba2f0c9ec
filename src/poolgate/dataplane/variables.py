"""API Gateway's ``$context`` variables: one table that every consumer reads.

Gateway-response templates and header mappings (``responses.py``), the proxy event's ``requestContext``
(``events.py``, which the REQUEST Lambda authorizer's event reuses), a Lambda authorizer's ``context.X``
identity sources, integration request parameters ``context.X`` (``upstream.py``) and the access log
(``accesslog.py``) all take a variable's value from ``CONTEXT_VARIABLES``, so ``$context.path`` is the same
``/{stage}/{path}`` everywhere (it used to lack the stage in gateway responses).

The names are AWS's list, "API Gateway Mapping Template and Access Logging Variable Reference"
(awsdocs/amazon-api-gateway-developer-guide, doc_source/api-gateway-mapping-template-reference.md, the tables
"$context Variables for Data Models, Authorizers, Mapping Templates, and CloudWatch Access Logging" and
"$context Variables for CloudWatch Access Logging Only"; the current pages are
https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-mapping-template-reference.html and
…/api-gateway-variables-for-access-logging.html). A variable poolgate cannot know (WAF, an AWS endpoint's
request id) is in the table with no value, as AWS leaves it unset. ``tests/dataplane/test_variables.py``
checks the table against that list.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable
from typing import Any

from .context import InvocationContext

Getter = Callable[[InvocationContext], Any]


_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
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


def trace_id(ctx: InvocationContext) -> str:
    """The ``X-Amzn-Trace-Id`` root API Gateway makes when the request brought none."""
    return f"Root=1-{int(ctx.request_time):08x}-{ctx.request_id.replace('-', '')[:24]}"


def _domain(host: str) -> str:
    return host.split(":", 1)[0]


_EXPRESSIONS: dict[str, str] = {
    # $context variables for data models, authorizers, mapping templates and access logging
    "accountId": "(ctx.deployment.api.account if ctx.deployment is not None else None)",
    "apiId": "ctx.api_id",
    "authorizer.principalId": "(ctx.authorizer or {}).get('principalId')",
    "awsEndpointRequestId": "None",
    "deploymentId": "(ctx.deployment.deployment_id if ctx.deployment is not None else None)",
    "domainName": "_domain(ctx.host)",
    "domainPrefix": "_domain(ctx.host).split('.', 1)[0]",
    "error.message": "(ctx.error.message if ctx.error is not None else None)",
    "error.messageString": "(json.dumps(ctx.error.message) if ctx.error is not None else None)",  # quoted
    "error.responseType": "(ctx.error.response_type if ctx.error is not None else None)",
    "error.validationErrorString": "None",
    "extendedRequestId": "ctx.extended_request_id",
    "httpMethod": "ctx.method",
    **{f"identity.{name}": f"ctx.identity.get({name!r})" for name in (
        "accessKey", "accountId", "apiKey", "apiKeyId", "caller", "cognitoAuthenticationProvider",
        "cognitoAuthenticationType", "cognitoIdentityId", "cognitoIdentityPoolId", "principalOrgId", "user",
        "userArn")},
    "identity.sourceIp": "ctx.client_ip",
    "identity.userAgent": "ctx.header('user-agent')",
    "path": "f'/{ctx.stage_name}{ctx.raw_path}'",  # with the stage, percent-encoded as sent
    "protocol": "'HTTP/' + ctx.scope.get('http_version', '1.1')",
    "requestId": "ctx.request_id",
    "requestTime": "request_time_text(ctx.request_time)",
    "requestTimeEpoch": "int(ctx.request_time * 1000)",
    "resourceId": "(ctx.route.resource_id if ctx.route is not None else None)",
    "resourcePath": "(ctx.route.resource_path if ctx.route is not None else None)",
    "stage": "ctx.stage_name",
    "wafResponseCode": "None",  # no WAF in poolgate: unset, as AWS leaves it without a web ACL
    "webaclArn": "None",
    "xrayTraceId": "(ctx.header('x-amzn-trace-id') or trace_id(ctx))",
    # access logging only
    # the message of the error an authorizer ended the request with (UNCONFIRMED: what AWS writes here for a
    # Cognito authorizer's refusal; poolgate's detailed reason goes only to its own log, never to the caller)
    "authorizer.error": "(ctx.error.message if ctx.error is not None and ctx.authorizer_error else None)",
    "authorizer.integrationLatency": "(ctx.authorizer or {}).get('integrationLatency')",
    "integrationLatency": "ctx.integration_latency",
    "integrationStatus": "None",  # not measured by poolgate (unset)
    "responseLatency": "None",  # not measured by poolgate (unset)
    "responseLength": "ctx.response_length",
    "status": "ctx.status",
}
"""``$context.<name>`` → a Python expression over ``ctx`` (the ``InvocationContext``): the one table. Kept as
expressions so a consumer on the hot path (the proxy event, the access log) compiles the variables it needs
into one function (``compile_tuple`` / ``compile_dict``) instead of a call per variable."""

_NAMESPACE: dict[str, Any] = {"json": json, "_domain": _domain, "request_time_text": request_time_text,
                              "trace_id": trace_id}


def _compile(source: str) -> Any:
    return eval(source, dict(_NAMESPACE))  # the table's own constant expressions, never request data


CONTEXT_VARIABLES: dict[str, Getter] = {name: _compile(f"lambda ctx: {expr}") for name, expr in _EXPRESSIONS.items()}
"""``$context.<name>`` → how to read it from a request. Families with a name of their own after the prefix
(``authorizer.claims.X``, ``authorizer.X``, ``requestOverride.*``) are answered by ``context_value``."""


IDENTITY_FIELDS = ("cognitoIdentityPoolId", "accountId", "cognitoIdentityId", "caller", "sourceIp",
                   "principalOrgId", "accessKey", "cognitoAuthenticationType", "cognitoAuthenticationProvider",
                   "userArn", "userAgent", "user")
"""``requestContext.identity`` of a proxy event, in AWS's order (each is ``$context.identity.<field>``)."""


def compile_tuple(names: Iterable[str]) -> Callable[[InvocationContext], tuple[Any, ...]]:
    """One function returning the values of ``names`` (``$context`` names) in order."""
    return _compile("lambda ctx: (" + "".join(f"{_EXPRESSIONS[name]}, " for name in names) + ")")


def compile_dict(fields: Iterable[tuple[str, str | None]]) -> Callable[[InvocationContext, Any], dict[str, Any]]:
    """One function building ``{key: $context.<name>}`` in order; a field whose name is None takes the second
    argument (the proxy event's ``identity`` object, built beside it)."""
    items = ", ".join(f"{key!r}: {'extra' if name is None else _EXPRESSIONS[name]}" for key, name in fields)
    return _compile(f"lambda ctx, extra: {{{items}}}")


def context_value(ctx: InvocationContext, name: str) -> Any:
    """The value of ``$context.<name>``; None when unset or unknown (templates render it as empty text)."""
    getter = CONTEXT_VARIABLES.get(name)
    if getter is not None:
        return getter(ctx)
    if name.startswith("authorizer.claims."):
        return ((ctx.authorizer or {}).get("claims") or {}).get(name[len("authorizer.claims."):])
    if name.startswith("authorizer."):
        return (ctx.authorizer or {}).get(name[len("authorizer."):])
    if name.startswith("identity."):  # identity fields an authorizer or metering added
        return ctx.identity.get(name[len("identity."):])
    return None  # requestOverride.* / responseOverride.*: set only by VTL mapping templates, which poolgate lacks


def context_text(ctx: InvocationContext, name: str) -> str:
    """``$context.<name>`` as a template renders it: empty text when unset."""
    value = context_value(ctx, name)
    return "" if value is None else str(value)
