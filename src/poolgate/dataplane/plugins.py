"""The plug-in contract for authorizers and integrations.

A plug-in is a module with:

- ``TYPE``: the AWS type string it implements. Authorizers are looked up by the method's
  ``authorizationType`` (``AWS_IAM``) or, for ``COGNITO_USER_POOLS`` / ``CUSTOM``, by the authorizer's
  ``type`` (``COGNITO_USER_POOLS``, ``TOKEN``, ``REQUEST``); integrations by the integration's ``type``.
- ``validate(config) -> compiled``: run once when a deployment is compiled; it checks the configuration
  and returns whatever the plug-in wants to keep (regexes compiled, ARNs parsed). Raise
  ``DeploymentError`` to refuse the deployment with a message naming the problem.
- ``async authorize(ctx, compiled) -> None`` (authorizers): fill ``ctx.authorizer`` / ``ctx.identity``,
  or raise a ``GatewayError`` (401/403…). Never allow on an unexpected failure: let it raise.
- ``async invoke(ctx, compiled) -> IntegrationResult`` (integrations): call the backend with the
  integration's timeout; raise ``IntegrationError`` for 502/504.

Register a module with ``register_authorizer`` / ``register_integration``; ``dataplane/__init__.py``
registers the built-in ones.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any, Protocol

from ..apigw.domain import Authorizer, Function, Integration, Method, Resource, RestApi, Stage
from .context import IntegrationResult, InvocationContext


class DeploymentError(ValueError):
    """A deployment that cannot be served as configured (the message names what and where)."""


@dataclass(slots=True)
class CompileEnv:
    """What a plug-in may consult while a deployment compiles."""

    api: RestApi
    stage: Stage
    functions: Mapping[str, Function] = field(default_factory=dict)

    @property
    def variables(self) -> dict[str, str]:
        return self.stage.variables

    def where(self, resource: Resource, method: Method) -> str:
        return f"API {self.api.id} stage {self.stage.name}: {method.http_method} {resource.path}"


@dataclass(slots=True)
class AuthorizerConfig:
    """One method's authorization: its authorizer (None for ``AWS_IAM``), the method and where it is."""

    authorizer: Authorizer | None
    method: Method
    resource: Resource
    env: CompileEnv


@dataclass(slots=True)
class IntegrationConfig:
    integration: Integration
    method: Method
    resource: Resource
    env: CompileEnv


class AuthorizerPlugin(Protocol):
    TYPE: str

    def validate(self, config: AuthorizerConfig) -> Any: ...

    async def authorize(self, ctx: InvocationContext, compiled: Any) -> None: ...


class IntegrationPlugin(Protocol):
    TYPE: str

    def validate(self, config: IntegrationConfig) -> Any: ...

    async def invoke(self, ctx: InvocationContext, compiled: Any) -> IntegrationResult: ...


AUTHORIZERS: dict[str, AuthorizerPlugin] = {}
INTEGRATIONS: dict[str, IntegrationPlugin] = {}


def register_authorizer(module: ModuleType | AuthorizerPlugin) -> None:
    AUTHORIZERS[module.TYPE] = module


def register_integration(module: ModuleType | IntegrationPlugin) -> None:
    INTEGRATIONS[module.TYPE] = module


_STAGE_VARIABLE = re.compile(r"\$\{stageVariables\.([A-Za-z0-9_]+)\}")


def substitute_stage_variables(text: str, variables: Mapping[str, str], where: str) -> str:
    """Replace ``${stageVariables.x}``; a variable the stage does not define refuses the deployment."""

    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in variables:
            raise DeploymentError(f"{where}: stage variable {name!r} is not defined in the stage")
        return variables[name]

    return _STAGE_VARIABLE.sub(value, text)
