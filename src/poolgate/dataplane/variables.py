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
from collections.abc import Callable
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


def _domain(ctx: InvocationContext) -> str:
    return ctx.host.split(":", 1)[0]


def _resource_path(ctx: InvocationContext) -> str | None:
    return ctx.route.resource_path if ctx.route is not None else None


def _resource_id(ctx: InvocationContext) -> str | None:
    return ctx.route.resource_id if ctx.route is not None else None


def _account(ctx: InvocationContext) -> str | None:
    return ctx.deployment.api.account if ctx.deployment is not None else None


def _error_message(ctx: InvocationContext) -> str | None:
    return ctx.error.message if ctx.error is not None else None


def _error_message_string(ctx: InvocationContext) -> str | None:
    """The quoted message, ``"…"`` (JSON string syntax, so a template can embed it in JSON)."""
    return json.dumps(ctx.error.message) if ctx.error is not None else None


def _identity(name: str) -> Getter:
    def get(ctx: InvocationContext) -> Any:
        return ctx.identity.get(name)

    get.__name__ = f"identity_{name}"
    return get


def _trace_id(ctx: InvocationContext) -> str:
    return ctx.header("x-amzn-trace-id") or trace_id(ctx)


def _unset(ctx: InvocationContext) -> None:
    """A variable AWS defines that poolgate has no value for (WAF, AWS endpoint ids)."""
    return None


CONTEXT_VARIABLES: dict[str, Getter] = {
    # $context variables for data models, authorizers, mapping templates and access logging
    "accountId": _account,
    "apiId": lambda ctx: ctx.api_id,
    "authorizer.principalId": lambda ctx: (ctx.authorizer or {}).get("principalId"),
    "awsEndpointRequestId": _unset,
    "deploymentId": lambda ctx: ctx.deployment.deployment_id if ctx.deployment is not None else None,
    "domainName": _domain,
    "domainPrefix": lambda ctx: _domain(ctx).split(".", 1)[0],
    "error.message": _error_message,
    "error.messageString": _error_message_string,
    "error.responseType": lambda ctx: ctx.error.response_type if ctx.error is not None else None,
    "error.validationErrorString": _unset,
    "extendedRequestId": lambda ctx: ctx.extended_request_id,
    "httpMethod": lambda ctx: ctx.method,
    "identity.accessKey": _identity("accessKey"),
    "identity.accountId": _identity("accountId"),
    "identity.apiKey": _identity("apiKey"),
    "identity.apiKeyId": _identity("apiKeyId"),
    "identity.caller": _identity("caller"),
    "identity.cognitoAuthenticationProvider": _identity("cognitoAuthenticationProvider"),
    "identity.cognitoAuthenticationType": _identity("cognitoAuthenticationType"),
    "identity.cognitoIdentityId": _identity("cognitoIdentityId"),
    "identity.cognitoIdentityPoolId": _identity("cognitoIdentityPoolId"),
    "identity.principalOrgId": _identity("principalOrgId"),
    "identity.sourceIp": lambda ctx: ctx.client_ip,
    "identity.user": _identity("user"),
    "identity.userAgent": lambda ctx: ctx.header("user-agent"),
    "identity.userArn": _identity("userArn"),
    "path": lambda ctx: f"/{ctx.stage_name}{ctx.raw_path}",
    "protocol": lambda ctx: "HTTP/" + ctx.scope.get("http_version", "1.1"),
    "requestId": lambda ctx: ctx.request_id,
    "requestTime": lambda ctx: request_time_text(ctx.request_time),
    "requestTimeEpoch": lambda ctx: int(ctx.request_time * 1000),
    "resourceId": _resource_id,
    "resourcePath": _resource_path,
    "stage": lambda ctx: ctx.stage_name,
    "wafResponseCode": _unset,
    "webaclArn": _unset,
    "xrayTraceId": _trace_id,
    # access logging only
    "authorizer.error": lambda ctx: ctx.error.message if ctx.error is not None and ctx.authorizer_error else None,
    "authorizer.integrationLatency": lambda ctx: (ctx.authorizer or {}).get("integrationLatency"),
    "integrationLatency": lambda ctx: ctx.integration_latency,
    "integrationStatus": _unset,
    "responseLatency": _unset,
    "responseLength": lambda ctx: ctx.response_length,
    "status": lambda ctx: ctx.status,
}
"""``$context.<name>`` → how to read it from a request. Families with a name of their own after the prefix
(``authorizer.claims.X``, ``authorizer.X``, ``requestOverride.*``) are answered by ``context_value``."""

IDENTITY_FIELDS = ("cognitoIdentityPoolId", "accountId", "cognitoIdentityId", "caller", "sourceIp",
                   "principalOrgId", "accessKey", "cognitoAuthenticationType", "cognitoAuthenticationProvider",
                   "userArn", "userAgent", "user")
"""``requestContext.identity`` of a proxy event, in AWS's order (each is ``$context.identity.<field>``)."""


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
