"""Lambda authorizers, ``TOKEN`` and ``REQUEST`` (reference §5), run by functions declared under ``functions:``.

The function gets AWS's authorizer event and returns ``{principalId, policyDocument, context?,
usageIdentifierKey?}``; the policy is evaluated against the request's method ARN together with the API's
resource policy. Results are cached per authorizer and stage for ``authorizerResultTtlInSeconds`` (0: off),
keyed by a hash of the identity-source values, in the shared counters' cache (so every worker and node
shares them with ``--redis-url``); a cached *policy* is re-evaluated for each method ARN.
(https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-use-lambda-authorizer.html)

Outcomes: missing identity / failed ``identityValidationExpression`` / ``Exception("Unauthorized")`` → 401
``Unauthorized``; explicit Deny → 403 ``... with an explicit deny``; no Allow → 403; any other failure
(other exception, timeout, malformed output or policy) → 500 AuthorizerConfigurationException.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

from ...apigw.uris import lambda_function_name
from ...errors import GatewayError
from ...iam import (
    ANONYMOUS,
    Policy,
    PolicyError,
    PolicyKind,
    access_denied_message,
    authorize_invoke,
    resource_policy_denies,
)
from ..context import InvocationContext
from ..events import proxy_event
from ..functions import FunctionError, FunctionTimeout
from ..gateway_services import LambdaAuthorizerCache
from ..plugins import AuthorizerConfig, DeploymentError, substitute_stage_variables
from ..resource_policy import access_denied, condition_context, method_arn
from ..responses import unauthorized
from ..variables import context_value

log = logging.getLogger("poolgate.dataplane")

AUTHORIZER_TIMEOUT = 29.0
"""Seconds API Gateway waits for an authorizer (the function's own timeout, default 3 s, applies first)."""
_MAX_POLICY_MEMO = 1024
_MAX_LOCAL = 4096
REMOTE_HIT_SECONDS = 1.0
"""How long a result read from the shared cache is also kept in-process (its remaining TTL is unknown)."""


def authorizer_configuration_error() -> GatewayError:
    """500 ``{"message":null}`` (reference §5: AWS leaves the message unset; UNCONFIRMED)."""
    return GatewayError("AUTHORIZER_CONFIGURATION_ERROR", 500, None, "AuthorizerConfigurationException")


@dataclass(frozen=True, slots=True)
class IdentitySource:
    kind: str  # header | querystring | stageVariables | context
    name: str


@dataclass(frozen=True, slots=True)
class LambdaAuthorizer:
    kind: str  # TOKEN | REQUEST
    authorizer_id: str
    function: str
    sources: tuple[IdentitySource, ...]
    validation: re.Pattern[str] | None
    ttl: int
    cache_prefix: str


def _sources(text: str, where: str) -> tuple[IdentitySource, ...]:
    sources = []
    for part in (p.strip() for p in text.split(",")):
        if not part:
            continue
        for prefix, kind in (("method.request.header.", "header"), ("method.request.querystring.", "querystring"),
                             ("stageVariables.", "stageVariables"), ("context.", "context")):
            if part.startswith(prefix) and len(part) > len(prefix):
                name = part[len(prefix):]
                sources.append(IdentitySource(kind, name.lower() if kind == "header" else name))
                break
        else:
            raise DeploymentError(f"{where}: identitySource {part!r} is not method.request.header.X, "
                                  "method.request.querystring.X, stageVariables.X or context.X")
    return tuple(sources)


def validate(config: AuthorizerConfig) -> LambdaAuthorizer:
    authorizer = config.authorizer
    assert authorizer is not None
    env = config.env
    where = f"API {env.api.id} authorizer {authorizer.name!r}"
    uri = substitute_stage_variables(authorizer.authorizer_uri or "", env.variables, where).strip()
    name = lambda_function_name(uri)
    if name is None:
        raise DeploymentError(f"{where}: authorizerUri {authorizer.authorizer_uri!r} does not name a Lambda function")
    if name not in env.functions:
        raise DeploymentError(f"{where}: authorizerUri names function {name!r}, which is not declared under functions")
    sources = _sources(authorizer.identity_source, where)
    if authorizer.type == "TOKEN" and (len(sources) != 1 or sources[0].kind != "header"):
        raise DeploymentError(f"{where}: a TOKEN authorizer reads one header (method.request.header.NAME)")
    validation = None
    if authorizer.type == "TOKEN" and authorizer.identity_validation_expression:
        try:
            validation = re.compile(authorizer.identity_validation_expression)
        except re.error as exc:
            raise DeploymentError(f"{where}: identityValidationExpression is not a valid regex: {exc}") from exc
    return LambdaAuthorizer(authorizer.type, authorizer.id, name, sources, validation,
                            authorizer.authorizer_result_ttl_in_seconds,
                            f"lambda-authorizer:{env.api.id}:{env.stage.name}:{authorizer.id}:")


def _context_variable(ctx: InvocationContext, name: str) -> str | None:
    """An identity source ``context.X``: ``$context.X`` from the one table (``variables.py``)."""
    value = context_value(ctx, name)
    return None if value is None else str(value)


def _identity(ctx: InvocationContext, sources: tuple[IdentitySource, ...]) -> list[str] | None:
    """The identity-source values in order; None when one is missing or empty (→ 401 without invoking)."""
    values = []
    query: dict[str, str] | None = None
    for source in sources:
        value: str | None
        if source.kind == "header":
            value = ctx.header(source.name)
        elif source.kind == "querystring":
            if query is None:
                query = {}
                for key, item in parse_qsl(ctx.query_string, keep_blank_values=True):
                    query.setdefault(key, item)
            value = query.get(source.name)
        elif source.kind == "stageVariables":
            assert ctx.deployment is not None
            value = ctx.deployment.variables.get(source.name)
        else:
            value = _context_variable(ctx, source.name)
        if not value:
            return None
        values.append(value)
    return values


def _event(ctx: InvocationContext, settings: LambdaAuthorizer, arn: str, identity: list[str]) -> dict[str, Any]:
    if settings.kind == "TOKEN":
        return {"type": "TOKEN", "methodArn": arn, "authorizationToken": identity[0]}
    event = proxy_event(ctx)
    event.pop("body", None)
    event.pop("isBase64Encoded", None)
    return {"type": "REQUEST", "methodArn": arn, **event}


def _context_text(value: Any) -> str | None:
    """AWS stringifies context values for the backend: ``true``/``false``, numbers as written; ``null`` stays
    ``null`` (a real run: DefinitelyTyped/DefinitelyTyped#69823)."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _output(result: Any) -> dict[str, Any] | None:
    """The authorizer's output reduced to what is kept and cached, or None when it is malformed."""
    if not isinstance(result, dict):
        return None
    principal = result.get("principalId")
    document = result.get("policyDocument")
    context = result.get("context")
    if principal is None or isinstance(principal, dict | list) or not isinstance(document, dict | str):
        return None
    if context is None:
        context = {}
    if not isinstance(context, dict) or not all(v is None or isinstance(v, str | int | float)
                                                for v in context.values()):
        return None  # AWS: context values are strings, numbers, booleans (or null); objects and lists fail
    usage_key = result.get("usageIdentifierKey")
    if usage_key is not None and not isinstance(usage_key, str):
        return None
    if isinstance(document, str):
        try:
            document = json.loads(document)
        except ValueError:
            return None
    return {"principalId": str(_context_text(principal)), "policyDocument": document,
            "context": {str(k): _context_text(v) for k, v in context.items()}, "usageIdentifierKey": usage_key}


def _policy(cache: LambdaAuthorizerCache, document: Any) -> Policy | None:
    """The parsed policy (memoised by its JSON text in the gateway's cache: hits from Redis are parsed once)."""
    policies = cache.policies
    text = json.dumps(document, sort_keys=True)
    found = policies.get(text)
    if found is None:
        try:
            found = Policy.parse(document, PolicyKind.IDENTITY, name="authorizer policy")
        except PolicyError:
            return None
        if len(policies) >= _MAX_POLICY_MEMO:
            policies.clear()
        policies[text] = found
    return found


async def _invoke(ctx: InvocationContext, settings: LambdaAuthorizer, arn: str,
                  identity: list[str]) -> tuple[dict[str, Any], int]:
    started = time.perf_counter()
    try:
        result = await ctx.gateway.functions.invoke(settings.function, _event(ctx, settings, arn, identity),
                                                  ctx.request_id, AUTHORIZER_TIMEOUT)
    except FunctionError as exc:
        if str(exc) == "Unauthorized":
            raise unauthorized() from None
        log.error("%s\tExecution failed due to configuration error: Authorizer error: %s", ctx.request_id, exc)
        raise authorizer_configuration_error() from None
    except FunctionTimeout:
        log.error("%s\tExecution failed due to configuration error: Authorizer timed out", ctx.request_id)
        raise authorizer_configuration_error() from None
    latency = int((time.perf_counter() - started) * 1000)
    output = _output(result)
    if output is None or _policy(ctx.gateway.lambda_authorizers, output["policyDocument"]) is None:
        log.error("%s\tExecution failed due to configuration error: Invalid JSON in response: %.200s",
                  ctx.request_id, json.dumps(result, default=str))
        raise authorizer_configuration_error()
    return output, latency


async def test_invoke(ctx: InvocationContext, settings: LambdaAuthorizer) -> tuple[dict[str, Any], int]:
    """The function's answer for this request, uncached (``TestInvokeAuthorizer``): its output (principalId,
    policyDocument, context) and latency; 401 when an identity source is missing or fails validation."""
    identity = _identity(ctx, settings.sources)
    if identity is None:
        if settings.sources:
            raise unauthorized()
        identity = []
    if settings.validation is not None and not settings.validation.fullmatch(identity[0]):
        raise unauthorized()
    return await _invoke(ctx, settings, method_arn(ctx), identity)


def _remember(cache: LambdaAuthorizerCache, key: str, expires: float, output: dict[str, Any], policy: Policy,
              now: float) -> None:
    """Keep a result in the gateway's in-process front of the shared cache (``GatewayServices``)."""
    local = cache.results
    if len(local) >= _MAX_LOCAL:
        for stale in [k for k, v in local.items() if v[0] <= now]:
            del local[stale]
        if len(local) >= _MAX_LOCAL:
            local.clear()
    local[key] = (expires, output, policy)


def _cache_key(settings: LambdaAuthorizer, identity: list[str]) -> str:
    digest = hashlib.sha256("\x00".join(identity).encode()).hexdigest()
    return settings.cache_prefix + digest


async def authorize(ctx: InvocationContext, settings: LambdaAuthorizer) -> None:
    deployment = ctx.deployment
    assert deployment is not None
    arn = method_arn(ctx)
    resource_policy = deployment.resource_policy
    conditions = condition_context(ctx) if resource_policy is not None else {}
    if resource_policy is not None:
        denied = resource_policy_denies(resource_policy, ANONYMOUS, arn, conditions)
        if denied is not None:
            raise access_denied(access_denied_message(denied, ANONYMOUS, arn, authorizer=True))
    identity = _identity(ctx, settings.sources)
    if identity is None:
        if settings.sources or settings.ttl > 0:
            raise unauthorized()
        identity = []
    if settings.validation is not None and not settings.validation.fullmatch(identity[0]):
        raise unauthorized()
    counters = ctx.gateway.counters
    cache = ctx.gateway.lambda_authorizers
    now = ctx.request_time
    output: dict[str, Any] | None = None
    policy: Policy | None = None
    latency = 0
    key = _cache_key(settings, identity) if settings.ttl > 0 else None
    if key is not None:
        local = cache.results.get(key)
        if local is not None and local[0] > now:
            _, output, policy = local
        else:
            output = await counters.cache_get(key, now)
            if output is not None:
                policy = _policy(cache, output.get("policyDocument"))
                if policy is None:  # an entry another version wrote
                    raise authorizer_configuration_error()
                _remember(cache, key, now + min(settings.ttl, REMOTE_HIT_SECONDS), output, policy, now)
    if output is None or policy is None:
        output, latency = await _invoke(ctx, settings, arn, identity)
        policy = _policy(cache, output["policyDocument"])
        assert policy is not None  # _invoke checked it
        if key is not None:
            await counters.cache_set(key, output, settings.ttl, now)
            _remember(cache, key, now + settings.ttl, output, policy, now)
    decision = authorize_invoke([policy], resource_policy, ANONYMOUS, caller_account=deployment.api.account,
                                api_account=deployment.api.account, resource_arn=arn, context=conditions)
    if not decision.allowed:
        raise access_denied(access_denied_message(decision, ANONYMOUS, arn, authorizer=True))
    authorizer: dict[str, Any] = {**output["context"], "principalId": output["principalId"],
                                  "integrationLatency": latency}
    ctx.authorizer = authorizer
    ctx.usage_identifier_key = output.get("usageIdentifierKey")


class _Plugin:
    """The module's verbs registered under one authorizer type (TOKEN or REQUEST)."""

    def __init__(self, kind: str) -> None:
        self.TYPE = kind

    def validate(self, config: AuthorizerConfig) -> LambdaAuthorizer:
        return validate(config)

    async def authorize(self, ctx: InvocationContext, compiled: LambdaAuthorizer) -> None:
        await authorize(ctx, compiled)


TOKEN = _Plugin("TOKEN")
REQUEST = _Plugin("REQUEST")
