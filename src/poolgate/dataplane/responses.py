"""Gateway responses: the one place a data-plane error becomes a status, headers and bytes.

API Gateway answers its own errors with a *gateway response* of a type (UNAUTHORIZED,
MISSING_AUTHENTICATION_TOKEN …); an API may override a type, or DEFAULT_4XX / DEFAULT_5XX for every
type it does not override, with a status, ``gatewayresponse.header.*`` parameters and a body template.
(https://docs.aws.amazon.com/apigateway/latest/developerguide/supported-gateway-response-types.html)
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ..apigw.domain import GatewayResponse
from ..errors import GatewayError
from ..http import MAX_BODY
from .context import IntegrationResult, InvocationContext
from .variables import context_text

if TYPE_CHECKING:
    from .deployment import Deployment

DEFAULT_STATUS: dict[str, int] = {
    "ACCESS_DENIED": 403, "API_CONFIGURATION_ERROR": 500, "AUTHORIZER_CONFIGURATION_ERROR": 500,
    "AUTHORIZER_FAILURE": 500, "BAD_REQUEST_PARAMETERS": 400, "BAD_REQUEST_BODY": 400, "EXPIRED_TOKEN": 403,
    "INTEGRATION_FAILURE": 504, "INTEGRATION_TIMEOUT": 504, "INVALID_API_KEY": 403, "INVALID_SIGNATURE": 403,
    "MISSING_AUTHENTICATION_TOKEN": 403, "QUOTA_EXCEEDED": 429, "REQUEST_TOO_LARGE": 413,
    "RESOURCE_NOT_FOUND": 404, "THROTTLED": 429, "UNAUTHORIZED": 401, "UNSUPPORTED_MEDIA_TYPE": 415,
    "WAF_FILTERED": 403, "DEFAULT_4XX": 400, "DEFAULT_5XX": 500,
}
RESPONSE_TYPES = frozenset(DEFAULT_STATUS)


class IntegrationError(GatewayError):
    """A failure met while integrating (502/504, Lambda's 413): AWS writes these bodies with a space after the
    colon."""


class PlainRefusal(GatewayError):
    """Refused before API Gateway proper looks at the request: plain text, no gateway response applies, no
    ``x-amzn-ErrorType`` (AWS's answer to a body over 10 MB, captured in koki-develop/lgtm-generator#10;
    custom REQUEST_TOO_LARGE responses do not change it, reapit/foundations#4338)."""


def unauthorized(message: str = "Unauthorized") -> GatewayError:
    return GatewayError("UNAUTHORIZED", 401, message, "UnauthorizedException")


def expired_token() -> GatewayError:
    return GatewayError("UNAUTHORIZED", 401, "The incoming token has expired", "UnauthorizedException")


def forbidden() -> GatewayError:
    return GatewayError("DEFAULT_4XX", 403, "Forbidden", "ForbiddenException")


def missing_authentication_token() -> GatewayError:
    return GatewayError("MISSING_AUTHENTICATION_TOKEN", 403, "Missing Authentication Token",
                        "MissingAuthenticationTokenException")


def content_too_long() -> PlainRefusal:
    """A body over the 10 MB cap: ``HTTP content length exceeded 10485760 bytes.`` as ``text``."""
    return PlainRefusal("REQUEST_TOO_LARGE", 413, f"HTTP content length exceeded {MAX_BODY} bytes.", "")


def request_too_long() -> IntegrationError:
    """A Lambda proxy event over Lambda's 6 MB synchronous payload: 413 ``{"message": "Request Too Long"}``
    with ``BadRequestException`` (same capture as ``content_too_long``)."""
    return IntegrationError("REQUEST_TOO_LARGE", 413, "Request Too Long", "BadRequestException")


def internal_error() -> IntegrationError:
    """A malformed proxy result, an unhandled function error: 502 ``{"message": "Internal server error"}``."""
    return IntegrationError("DEFAULT_5XX", 502, "Internal server error", "InternalServerErrorException")


def configuration_error() -> GatewayError:
    """poolgate itself failed (a bug or a broken plug-in): 500, never an allow."""
    return IntegrationError("API_CONFIGURATION_ERROR", 500, "Internal server error", "InternalServerErrorException")


def integration_timeout() -> IntegrationError:
    return IntegrationError("INTEGRATION_TIMEOUT", 504, "Endpoint request timed out", "InternalServerErrorException")


def integration_failure() -> IntegrationError:
    return IntegrationError("INTEGRATION_FAILURE", 504, "Network error communicating with endpoint",
                            "InternalServerErrorException")


_NAME = r"(?:context|stageVariables|input\.params)[\w.:\-]*"
_VARIABLE = re.compile(rf"\$\{{({_NAME})\}}|\$({_NAME})")
"""``${context.x}`` or ``$context.x``; a ``}`` after the bare form is the template's own (``{"m":$context.x}``)."""


@dataclass(slots=True)
class CompiledGatewayResponse:
    status: int | None
    headers: list[tuple[str, str]] = field(default_factory=list)
    """(header name, source expression): ``'literal'``, ``method.request.header.X``, ``stageVariables.X`` …"""
    template: str | None = None
    content_type: str = "application/json"


def compile_gateway_responses(responses: dict[str, GatewayResponse]) -> dict[str, CompiledGatewayResponse]:
    """Validate an API's overrides; raises ValueError naming the bad type or parameter."""
    compiled = {}
    for kind, response in responses.items():
        if kind not in RESPONSE_TYPES:
            raise ValueError(f"unknown gateway response type {kind!r}")
        headers = []
        for target, source in response.response_parameters.items():
            if not target.startswith("gatewayresponse.header."):
                raise ValueError(f"{kind}: response parameter {target!r} must be gatewayresponse.header.<name>")
            headers.append((target[len("gatewayresponse.header."):], source))
        template, content_type = None, "application/json"
        if response.response_templates:
            content_type, template = next(iter(response.response_templates.items()))
        compiled[kind] = CompiledGatewayResponse(response.status_code, headers, template, content_type)
    return compiled


def _source_value(ctx: InvocationContext, source: str) -> str | None:
    if len(source) >= 2 and source[0] == source[-1] == "'":
        return source[1:-1]
    if source.startswith("method.request.header."):
        return ctx.header(source[len("method.request.header."):].lower())
    if source.startswith("method.request.querystring."):
        from urllib.parse import parse_qsl

        wanted = source[len("method.request.querystring."):]
        values = [v for k, v in parse_qsl(ctx.query_string, keep_blank_values=True) if k == wanted]
        return values[-1] if values else None
    if source.startswith("method.request.path."):
        return (ctx.path_params or {}).get(source[len("method.request.path."):])
    if source.startswith("stageVariables."):
        return ctx.deployment.variables.get(source[len("stageVariables."):]) if ctx.deployment else None
    if source.startswith("context."):
        return context_text(ctx, source[len("context."):])
    return None


def _render_template(ctx: InvocationContext, template: str) -> str:
    def value(match: re.Match[str]) -> str:
        name = match.group(1) or match.group(2)
        if name.startswith("context."):
            return context_text(ctx, name[len("context."):])
        if name.startswith("stageVariables.") and ctx.deployment:
            return ctx.deployment.variables.get(name[len("stageVariables."):], "")
        return ""

    return _VARIABLE.sub(value, template)


def _override(deployment: Deployment | None, err: GatewayError, status: int) -> CompiledGatewayResponse | None:
    if deployment is None or not deployment.gateway_responses:
        return None
    responses = deployment.gateway_responses
    found = responses.get(err.response_type)
    if found is None:
        found = responses.get("DEFAULT_5XX" if status >= 500 else "DEFAULT_4XX")
    return found


def render_gateway_error(ctx: InvocationContext, err: GatewayError) -> IntegrationResult:
    """The API's gateway response for ``err`` (or AWS's default), with ``x-amzn-ErrorType``."""
    ctx.error = err
    if isinstance(err, PlainRefusal):
        ctx.error_message = err.message
        return IntegrationResult(err.status, [], (err.message or "").encode(), "text; charset=utf-8")
    status = err.status
    override = _override(ctx.deployment, err, status)
    headers: list[tuple[str, str]] = []
    content_type = "application/json"
    if override is not None:
        status = override.status or status
        for name, source in override.headers:
            value = _source_value(ctx, source)
            if value is not None:
                headers.append((name, value))
        content_type = override.content_type
    if override is not None and override.template is not None:
        body = _render_template(ctx, override.template).encode()
    elif isinstance(err, IntegrationError):
        body = json.dumps({err.message_key: err.message}).encode()
    else:
        body = json.dumps({err.message_key: err.message}, separators=(",", ":")).encode()
    headers.append(("x-amzn-ErrorType", err.error_type))
    headers.extend(err.headers.items())
    deployment = ctx.deployment
    if deployment is not None and deployment.cors_origin is not None and not any(
            k.lower() == "access-control-allow-origin" for k, _ in headers):
        headers.append(("Access-Control-Allow-Origin", deployment.cors_origin))
    ctx.error_message = err.message
    return IntegrationResult(status, headers, body, content_type)
