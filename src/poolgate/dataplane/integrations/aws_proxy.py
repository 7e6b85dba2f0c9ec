"""``AWS_PROXY``: Lambda proxy integration, served by a local Python handler (reference §9).

The integration URI names the function: ``arn:aws:apigateway:{region}:lambda:path/2015-03-31/functions/
arn:aws:lambda:{region}:{account}:function:{name}[:{alias}]/invocations`` (``${stageVariables.x}``
allowed), a Lambda function ARN, or a plain function name.
"""

from __future__ import annotations

import base64
import json
import logging
import re
import time
from dataclasses import dataclass
from typing import Any

from ...apigw.uris import lambda_function_name
from ..context import IntegrationResult, InvocationContext
from ..events import proxy_event
from ..functions import FunctionError, FunctionThrottled, FunctionTimeout
from ..plugins import DeploymentError, IntegrationConfig, substitute_stage_variables
from ..responses import IntegrationError, integration_timeout, internal_error, request_too_long

TYPE = "AWS_PROXY"

log = logging.getLogger("poolgate.dataplane")

LAMBDA_PAYLOAD = 6 * 1024 * 1024
"""Lambda's limit on a synchronous invocation's request payload (the event's JSON), in bytes."""
_QUALIFIER = re.compile(r":function:[^:/]+:([^:/]+)(?:/invocations)?$")
"""The ``:version`` / ``:alias`` after a function's name in its ARN or invocation URI."""
ALLOWED_KEYS = frozenset({"statusCode", "headers", "multiValueHeaders", "body", "isBase64Encoded"})


@dataclass(frozen=True, slots=True)
class LambdaProxy:
    function: str
    timeout: float
    binary_types: tuple[str, ...]


def validate(config: IntegrationConfig) -> LambdaProxy:
    env = config.env
    where = env.where(config.resource, config.method)
    uri = config.integration.uri or ""
    substituted = substitute_stage_variables(uri, env.variables, where).strip()
    name = lambda_function_name(substituted)
    if name is None:
        raise DeploymentError(f"{where}: integration uri {uri!r} does not name a Lambda function")
    qualified = _QUALIFIER.search(substituted)
    if qualified is not None and qualified.group(1) != "$LATEST":
        key = f"{name}:{qualified.group(1)}"  # a published version or an alias (lambda_control/versions.py)
        if key in env.functions:
            name = key
        elif any(other.startswith(f"{name}:") for other in env.functions):
            raise DeploymentError(f"{where}: integration uri names {key}, which is not a version or alias of "
                                  f"function {name}")
    if name not in env.functions:
        raise DeploymentError(f"{where}: integration uri names function {name!r}, which is not declared "
                              f"under functions")
    timeout = config.integration.timeout_in_millis
    if timeout < 50:
        raise DeploymentError(f"{where}: timeoutInMillis must be at least 50")
    return LambdaProxy(name, timeout / 1000.0, tuple(env.api.binary_media_types))


def media_type_matches(types: tuple[str, ...], value: str | None) -> bool:
    if not types or not value:
        return False
    for candidate in value.split(","):
        media = candidate.split(";", 1)[0].strip().lower()
        for wanted in types:
            wanted = wanted.lower()
            if wanted in (media, "*/*") or (wanted.endswith("/*") and media.startswith(wanted[:-1])):
                return True
    return False


async def invoke(ctx: InvocationContext, settings: LambdaProxy) -> IntegrationResult:
    types = settings.binary_types
    event = proxy_event(ctx, bool(types) and media_type_matches(types, ctx.header("content-type")))
    # JSON at most sextuples a body (\u00XX escapes): only bodies over a sixth of the limit are measured
    if len(ctx.body) * 6 > LAMBDA_PAYLOAD and len(json.dumps(event)) > LAMBDA_PAYLOAD:
        raise request_too_long()
    started = time.perf_counter()
    try:
        result = await ctx.gateway.functions.invoke(settings.function, event, ctx.request_id, settings.timeout)
    except FunctionTimeout:
        raise integration_timeout() from None
    except FunctionThrottled:
        # API Gateway answers a throttled Lambda with 500 Internal server error ("If the backend service is
        # throttled ... API Gateway can return an Internal server error",
        # https://repost.aws/knowledge-center/api-gateway-internal-server-error); its execution log says
        # "Lambda invocation failed with status: 429" (UNCONFIRMED wording)
        log.error("%s\tExecution failed: Lambda invocation failed with status: 429 (Rate Exceeded.)", ctx.request_id)
        raise IntegrationError("DEFAULT_5XX", 500, "Internal server error", "InternalServerErrorException") from None
    except FunctionError as exc:
        log.error("%s\tLambda execution failed: %s", ctx.request_id, exc)
        raise internal_error() from None
    finally:
        ctx.integration_latency = int((time.perf_counter() - started) * 1000)
    response = proxy_result(result, bool(types) and media_type_matches(types, ctx.header("accept")))
    if response is None:
        log.error("%s\tExecution failed due to configuration error: Malformed Lambda proxy response",
                  ctx.request_id)
        raise internal_error()
    return response


def _header_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _simple_headers(single: dict[Any, Any] | None) -> list[tuple[str, str]] | None:
    """The common case, without the merging: only ``headers``, string names and values, no two names equal but
    for case (None when the general path must decide)."""
    if not single:
        return []
    headers = []
    for name, value in single.items():
        if type(name) is not str or type(value) is not str:
            return None
        headers.append((name, value))
    if len(headers) > 1 and len({name.lower() for name, _ in headers}) != len(headers):
        return None
    return headers


def proxy_result(result: Any, decode_base64: bool = False) -> IntegrationResult | None:
    """A Lambda proxy result as the client gets it, or None when API Gateway would call it malformed."""
    if not isinstance(result, dict) or not result or not ALLOWED_KEYS.issuperset(result):
        return None
    status: Any = result.get("statusCode", 200)
    if status is None:
        status = 200
    if isinstance(status, bool):
        return None
    if isinstance(status, str):
        if not status.strip().isdigit():
            return None
        status = int(status)
    if not isinstance(status, int) or not 100 <= status <= 599:
        return None
    single = result.get("headers")
    multi = result.get("multiValueHeaders")
    if (single is not None and not isinstance(single, dict)) or (multi is not None and not isinstance(multi, dict)):
        return None
    headers = _simple_headers(single) if not multi else None
    if headers is None:
        merged: dict[str, tuple[str, list[str]]] = {}  # lowercase name → (casing, values)
        for name, values in (multi or {}).items():
            if not isinstance(values, list):
                return None
            merged[str(name).lower()] = (str(name), [_header_text(v) for v in values])
        for name, value in (single or {}).items():
            if value is None:
                continue
            key = str(name).lower()
            if key in merged:
                merged[key][1].append(_header_text(value))
            else:
                merged[key] = (str(name), [_header_text(value)])
        headers = [(name, ", ".join(values)) for name, values in merged.values()]
    body = result.get("body")
    if body is None:
        raw = b""
    elif isinstance(body, str):
        raw = body.encode()
        if decode_base64 and result.get("isBase64Encoded") is True:
            try:
                raw = base64.b64decode(body, validate=True)
            except ValueError:
                return None
    else:
        return None
    return IntegrationResult(status, headers, raw)
