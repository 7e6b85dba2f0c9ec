"""Compiling a deployment: a RestApi snapshot and one stage → router, authorizers, integrations, responses.

A ``Deployment`` is immutable once compiled and cached by (api id, stage); the hot path only reads it.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ..apigw.domain import ANY, HTTP_METHODS, Function, Integration, Method, MockResponse, Resource, RestApi, Stage
from ..iam import Policy
from .context import IntegrationResult, InvocationContext
from .plugins import (
    AUTHORIZERS,
    INTEGRATIONS,
    AuthorizerConfig,
    AuthorizerPlugin,
    CompileEnv,
    DeploymentError,
    IntegrationConfig,
    IntegrationPlugin,
)
from .resource_policy import compile_resource_policy
from .responses import CompiledGatewayResponse, compile_gateway_responses, configuration_error
from .router import RouteConflict, Router

log = logging.getLogger("poolgate.dataplane")

PROXY_TYPES = frozenset({"AWS_PROXY", "HTTP_PROXY"})


@dataclass(frozen=True, slots=True)
class Misconfigured:
    """Why a method cannot be served as deployed (a Lambda function this poolgate does not have, an
    integration type it does not run…): the state of ``_MISCONFIGURED``."""

    problem: str


class _MisconfiguredPlugin:
    """AWS answers calls of such a method 500 ``Internal server error`` and logs why; so does poolgate (never
    an allow: the method's authorizer is not run either)."""

    TYPE = "misconfigured"

    @staticmethod
    def validate(config: IntegrationConfig) -> Misconfigured:
        raise NotImplementedError

    @staticmethod
    async def invoke(ctx: InvocationContext, state: Misconfigured) -> IntegrationResult:
        log.error("%s\t%s", ctx.request_id, state.problem)
        raise configuration_error()


@dataclass(slots=True)
class Route:
    """One method of one resource, with its plug-ins bound to their compiled settings."""

    resource_path: str
    resource_id: str
    http_method: str
    method: Method
    integration: IntegrationPlugin
    integration_state: Any
    auth: AuthorizerPlugin | None = None
    auth_state: Any = None
    proxy: bool = False
    """Proxy integrations answer for themselves: the gateway adds no CORS header to their responses."""


@dataclass(slots=True)
class Deployment:
    api: RestApi
    stage: Stage
    deployment_id: str
    router: Router[Route]
    gateway_responses: dict[str, CompiledGatewayResponse] = field(default_factory=dict)
    cors_origin: str | None = None
    routes: list[Route] = field(default_factory=list)
    resource_policy: Policy | None = None
    """The API's resource policy, parsed once (``resource_policy.py``); None when it has none."""

    @property
    def variables(self) -> dict[str, str]:
        return self.stage.variables

    @property
    def stage_variables_or_none(self) -> dict[str, str] | None:
        return self.stage.variables or None

    @property
    def reject_revoked(self) -> bool:
        return any(a.reject_revoked_tokens for a in self.api.authorizers.values())


def cors_preflight(api: RestApi, resource: Resource) -> Method:
    cors = api.cors
    assert cors is not None
    if cors.allow_methods:
        methods = cors.allow_methods
    else:
        declared: set[str] = set()
        for name in resource.methods:
            declared.update(HTTP_METHODS if name == ANY else (name,))
        declared.add("OPTIONS")
        methods = ",".join(m for m in HTTP_METHODS if m in declared)
    headers = {"Access-Control-Allow-Headers": cors.allow_headers, "Access-Control-Allow-Methods": methods,
               "Access-Control-Allow-Origin": cors.allow_origin}
    if cors.allow_credentials:
        headers["Access-Control-Allow-Credentials"] = "true"
    if cors.max_age is not None:
        headers["Access-Control-Max-Age"] = str(cors.max_age)
    return Method("OPTIONS", integration=Integration("MOCK", mock=MockResponse(200, "", headers)))


def _bind_authorizer(env: CompileEnv, resource: Resource, method: Method) -> tuple[AuthorizerPlugin | None, Any]:
    kind = method.authorization_type
    where = env.where(resource, method)
    if kind == "NONE":
        return None, None
    authorizer = None
    if kind in ("COGNITO_USER_POOLS", "CUSTOM"):
        if not method.authorizer_id or method.authorizer_id not in env.api.authorizers:
            raise DeploymentError(f"{where}: authorizationType {kind} needs an authorizer of the API "
                                  f"(authorizerId {method.authorizer_id!r} not found)")
        authorizer = env.api.authorizers[method.authorizer_id]
        expected = ("COGNITO_USER_POOLS",) if kind == "COGNITO_USER_POOLS" else ("TOKEN", "REQUEST")
        if authorizer.type not in expected:
            raise DeploymentError(f"{where}: authorizationType {kind} cannot use authorizer "
                                  f"{authorizer.name!r} of type {authorizer.type}")
        plugin_key = authorizer.type
    else:
        plugin_key = kind
    plugin = AUTHORIZERS.get(plugin_key)
    if plugin is None:
        raise DeploymentError(f"{where}: authorization {plugin_key} is not supported by this poolgate")
    return plugin, plugin.validate(AuthorizerConfig(authorizer, method, resource, env))


def _bind_integration(env: CompileEnv, resource: Resource, method: Method) -> tuple[IntegrationPlugin, Any]:
    where = env.where(resource, method)
    integration = method.integration
    if integration is None:
        raise DeploymentError(f"{where}: no integration defined for method")
    plugin = INTEGRATIONS.get(integration.type)
    if plugin is None:
        raise DeploymentError(f"{where}: integration type {integration.type} is not supported")
    return plugin, plugin.validate(IntegrationConfig(integration, method, resource, env))


def compile_deployment(api: RestApi, stage: Stage, functions: Mapping[str, Function],
                       deployment_id: str, *, strict: bool = True) -> Deployment:
    """Compile ``api`` as deployed to ``stage``; raises DeploymentError naming what cannot be served.

    ``strict=False`` (deployments made through the apigateway API, which AWS accepts as long as every method
    has an integration): a method that cannot be served answers 500 and logs why, as AWS does."""
    env = CompileEnv(api, stage, functions)
    router: Router[Route] = Router()
    routes = []
    for resource in sorted(api.resources.values(), key=lambda r: r.path):
        methods = dict(resource.methods)
        if api.cors is not None and "OPTIONS" not in methods:
            methods["OPTIONS"] = cors_preflight(api, resource)
        bound: dict[str, Route] = {}
        for name, method in methods.items():
            if name != ANY and name not in HTTP_METHODS:
                raise DeploymentError(f"{env.where(resource, method)}: unknown HTTP method")
            try:
                auth, auth_state = _bind_authorizer(env, resource, method)
                integration, integration_state = _bind_integration(env, resource, method)
            except DeploymentError as exc:
                if strict:
                    raise
                auth, auth_state = None, None
                integration, integration_state = _MisconfiguredPlugin, Misconfigured(str(exc))
            proxy = method.integration is not None and method.integration.type in PROXY_TYPES
            route = Route(resource.path, resource.id, name, method, integration, integration_state, auth,
                          auth_state, proxy)
            bound[name] = route
            routes.append(route)
        if bound:
            try:
                router.add(resource.path, bound)
            except RouteConflict as exc:
                raise DeploymentError(f"API {api.id}: {exc}") from exc
    try:
        responses = compile_gateway_responses(api.gateway_responses)
    except ValueError as exc:
        raise DeploymentError(f"API {api.id}: gateway responses: {exc}") from exc
    cors_origin = api.cors.allow_origin if api.cors is not None else None
    return Deployment(api, stage, deployment_id, router, responses, cors_origin, routes, compile_resource_policy(api))
