"""The data plane: API Gateway's execute-api, as plain ASGI.

Invoke URLs, on the server's own port:

- ``/restapis/{apiId}/{stage}/_user_request_/{path}``
- ``Host: {apiId}.execute-api.localhost[:port]`` → ``/{stage}/{path}``

Every request runs ``PIPELINE`` in order (design.md §3); a stage fills its part of the
``InvocationContext`` or raises ``GatewayError``, which ``render_gateway_error`` alone turns into bytes.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any, Generic, TypeVar, overload
from urllib.parse import unquote

from ..awsproto import sigv4
from ..errors import GatewayError
from ..http import MAX_BODY, ClientDisconnected, Receive, Scope, Send
from ..iam import IamDirectory
from ..services import Services
from ..store.counters import Counters, MemoryCounters
from . import output
from .accesslog import AccessLog
from .authorizers.cognito import refuse_missing_pools
from .context import IntegrationResult, InvocationContext
from .deployment import Deployment
from .functions import FunctionRuntime
from .gateway_services import GatewayServices, LambdaAuthorizerCache
from .metering import Metering, meter
from .paths import resolve_dot_segments
from .resource_policy import enforce_resource_policy
from .responses import (
    configuration_error,
    content_too_long,
    forbidden,
    missing_authentication_token,
    render_gateway_error,
)
from .revocation import RevokedOrigins
from .stored import StoredDeployments
from .tokens import TokenVerifier
from .upstream import Upstream
from .usage_plans import UsagePlans

log = logging.getLogger("poolgate.dataplane")

_EXECUTE_API = ".execute-api."
_USER_REQUEST = "_user_request_"
_TARGET = "poolgate.execute_api"


async def receive(ctx: InvocationContext) -> None:
    """Read the body; more than 10 MB → 413; a client gone before the end of its body → ``ClientDisconnected``
    (nothing of the request is run: a partial body is not the request)."""
    length = ctx.header("content-length")
    if length is not None and length.isdigit() and int(length) > MAX_BODY:
        raise content_too_long()
    body = b""
    chunks: list[bytes] | None = None
    size = 0
    while True:
        message = await ctx.receive()
        if message["type"] != "http.request":
            raise ClientDisconnected()
        chunk = message.get("body", b"")
        if chunk:
            size += len(chunk)
            if size > MAX_BODY:
                raise content_too_long()
            if not body:
                body = chunk
            else:
                if chunks is None:
                    chunks = [body]
                chunks.append(chunk)
        if not message.get("more_body", False):
            break
    ctx.body = b"".join(chunks) if chunks is not None else body


async def resolve(ctx: InvocationContext) -> None:
    """API id and stage → the compiled deployment; unknown → 403 Forbidden."""
    stages = ctx.gateway.deployments.get(ctx.api_id or "")
    deployment = stages.get(ctx.stage_name or "") if stages else None
    if deployment is None:
        raise forbidden()
    ctx.deployment = deployment


async def route(ctx: InvocationContext) -> None:
    """Dot segments resolved (``paths.py``), then the compiled router; no resource or method → 403 Missing
    Authentication Token."""
    assert ctx.deployment is not None
    raw_path = resolve_dot_segments(ctx.raw_path)
    if raw_path != ctx.raw_path:
        ctx.raw_path, ctx.path = raw_path, unquote(raw_path)
    found = ctx.deployment.router.match(ctx.method, raw_path)
    if found is None:
        auth = ctx.header("authorization")
        if auth is not None:  # AWS reads it as SigV4 even here: `Bearer x` gets the key=value complaint
            try:
                sigv4.authorization_fields(auth)
            except sigv4.SignatureError as err:
                raise GatewayError("MISSING_AUTHENTICATION_TOKEN", 403, err.message, err.code) from None
        raise missing_authentication_token()
    ctx.route, ctx.path_params = found


_POLICY_ONLY = frozenset({"NONE", "COGNITO_USER_POOLS"})


async def authorize(ctx: InvocationContext) -> None:
    """The method's authorizer plug-in, if any, fills ``ctx.authorizer`` or raises 401/403; then, for NONE and
    Cognito, the API's resource policy must allow (Lambda and IAM plug-ins apply it themselves)."""
    route = ctx.route
    assert route is not None
    if route.auth is not None:
        await route.auth.authorize(ctx, route.auth_state)
    policy = ctx.deployment.resource_policy  # type: ignore[union-attr]
    if policy is not None and route.method.authorization_type in _POLICY_ONLY:
        enforce_resource_policy(ctx, policy)


async def integrate(ctx: InvocationContext) -> None:
    """The integration plug-in calls the backend (timeouts → 504, malformed results → 502)."""
    route = ctx.route
    assert route is not None
    ctx.result = await route.integration.invoke(ctx, route.integration_state)


Stage = Callable[[InvocationContext], Awaitable[None]]
PIPELINE: list[Stage] = [receive, resolve, route, authorize, meter, integrate]
"""The stages in order (``meter``: API keys, usage plans and throttling, in ``metering.py``)."""


def _split_target(scope: Scope) -> tuple[str, str, str, str, str] | None:
    """(api id, stage, decoded path, raw path, host) when the request is for execute-api, else None."""
    host = ""
    for name, value in scope["headers"]:
        if name == b"host":
            host = value.decode("latin-1")
            break
    path: str = scope["path"]
    raw = scope.get("raw_path")
    index = host.find(_EXECUTE_API)
    if index > 0:  # Host: {api}.execute-api… → /{stage}/{path}
        if not path.startswith("/"):  # ``OPTIONS *`` and other request targets that name no stage
            return host[:index], "", "/", "/", host
        raw_path = raw.decode("latin-1") if raw else path
        _, stage, rest = (path + "/" if path.count("/") == 1 else path).split("/", 2)
        _, _, raw_rest = (raw_path + "/" if raw_path.count("/") == 1 else raw_path).split("/", 2)
        return host[:index], stage, "/" + rest, "/" + raw_rest, host
    if not path.startswith("/restapis/"):
        return None
    parts = path.split("/", 5)  # "", "restapis", api, stage, "_user_request_", path
    if len(parts) < 5 or parts[4] != _USER_REQUEST:
        return None
    rest = "/" + parts[5] if len(parts) > 5 else "/"
    if raw:
        raw_parts = raw.decode("latin-1").split("/", 5)
        raw_rest = "/" + raw_parts[5] if len(raw_parts) > 5 else "/"
    else:
        raw_rest = rest
    return parts[2], parts[3], rest, raw_rest, host


_T = TypeVar("_T")


class _Shared(Generic[_T]):
    """A ``DataPlane`` attribute held by its ``GatewayServices`` (read and assigned through the plane)."""

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    @overload
    def __get__(self, plane: None, owner: type) -> _Shared[_T]: ...
    @overload
    def __get__(self, plane: DataPlane, owner: type) -> _T: ...
    def __get__(self, plane: DataPlane | None, owner: type) -> Any:
        return self if plane is None else getattr(plane.gateway, self.name)

    def __set__(self, plane: DataPlane, value: _T) -> None:
        setattr(plane.gateway, self.name, value)


class DataPlane:
    """Serves every deployed stage of every API on the server's port (plain ASGI). Its stages are handed
    ``self.gateway`` (``ctx.gateway``), not the plane."""

    functions: _Shared[FunctionRuntime] = _Shared()
    upstream: _Shared[Upstream] = _Shared()
    verifier: _Shared[TokenVerifier] = _Shared()
    revoked: _Shared[RevokedOrigins] = _Shared()
    deployments: _Shared[dict[str, dict[str, Deployment]]] = _Shared()
    metering: _Shared[Metering] = _Shared()
    """API keys and usage plans (``build_dataplane`` installs the configured ones)."""
    counters: _Shared[Counters] = _Shared()
    lambda_authorizers: _Shared[LambdaAuthorizerCache] = _Shared()
    iam: _Shared[IamDirectory] = _Shared()

    def __init__(self, services: Services, functions: FunctionRuntime) -> None:
        self.services = services
        upstream = Upstream()
        self.gateway = GatewayServices(services, functions, upstream, TokenVerifier(services, upstream.get_json),
                                       RevokedOrigins(services), MemoryCounters(), Metering(UsagePlans()))
        self.pipeline = PIPELINE
        self.access_log = AccessLog()
        self.stored: StoredDeployments | None = None
        """The stages stored in the database (``stored.py``); when set, they replace ``deployments`` at start."""
        self._started = False

    def install(self, deployment: Deployment) -> None:
        """Serve ``deployment`` (replacing what its stage served before)."""
        self.deployments.setdefault(deployment.api.id, {})[deployment.stage.name] = deployment

    def claims(self, scope: Scope) -> bool:
        """Whether the request is for an invoke URL (the parsed target is kept in the scope)."""
        target = _split_target(scope)
        if target is None:
            return False
        scope[_TARGET] = target
        return True

    async def reload(self) -> None:
        """Serve what the database's stages say now (after a write of this process's control plane)."""
        if self.stored is not None:
            await self.stored.reload()

    async def startup(self) -> None:
        if self._started:
            return
        self._started = True
        await refuse_missing_pools([d for stages in self.deployments.values() for d in stages.values()],
                                   self.services)
        if self.stored is not None:  # after the check: it is poolgate.yaml's (AWS refuses no stored deployment)
            await self.stored.start()
        if self.functions.functions:
            output.install()
        if any(d.reject_revoked for stages in self.deployments.values() for d in stages.values()):
            self.services.on_revoke = self.revoked.on_revoke
            await self.revoked.start()

    async def shutdown(self) -> None:
        if self.stored is not None:
            await self.stored.stop()
        self.access_log.flush()
        await self.revoked.stop()
        await self.upstream.close()
        self.functions.close()
        await self.counters.close()

    async def reset(self) -> None:
        self.verifier.clear()
        self.revoked.clear()
        self.gateway.lambda_authorizers.clear()
        await self.counters.clear()
        await self.reload()
        if self._started and self.services.on_revoke is not None:
            await self.revoked.refresh()

    def invoke_urls(self) -> list[str]:
        settings = self.services.settings
        lines = []
        for api_id, stages in self.deployments.items():
            for name, deployment in stages.items():
                lines.append(f"api {api_id} ({deployment.api.name}) stage {name}: "
                             f"{settings.base_url}/restapis/{api_id}/{name}/_user_request_/  "
                             f"http://{api_id}.execute-api.localhost:{settings.port}/{name}/")
        return lines

    async def __call__(self, scope: Scope, receive_: Receive, send: Send) -> None:
        target = scope.get(_TARGET) or _split_target(scope)
        if target is None:  # not for us: only reachable when mounted without ``claims``
            target = ("", "", scope["path"], scope["path"], "")
        api_id, stage, path, raw_path, host = target
        services = self.services
        client = scope.get("client")
        headers = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in scope["headers"]]
        ctx = InvocationContext(self.gateway, scope, receive_, services.ids.uuid(), services.clock.now(),
                                scope["method"], host, client[0] if client else "127.0.0.1", headers, api_id=api_id,
                                stage_name=stage, path=path, raw_path=raw_path)
        try:
            for stage_fn in self.pipeline:
                await stage_fn(ctx)
            result = ctx.result
            if result is None:
                raise configuration_error()
        except GatewayError as err:
            result = render_gateway_error(ctx, err)
        except ClientDisconnected:  # no one to answer
            log.info("%s\tthe client left before its request body was complete", ctx.request_id)
            return
        except Exception:
            log.exception("%s\tunhandled error in the data plane", ctx.request_id)
            result = render_gateway_error(ctx, configuration_error())
        await respond(ctx, result, send)
        self.access_log.record(ctx)


async def respond(ctx: InvocationContext, result: IntegrationResult, send: Send) -> None:
    """Headers (request id, default Content-Type, CORS for non-proxy answers), then the body."""
    raw: list[tuple[bytes, bytes]] = [(b"x-amzn-requestid", ctx.request_id.encode()),
                                      (b"x-amz-apigw-id", ctx.extended_request_id.encode())]
    has_type = has_origin = False
    for name, value in result.headers:
        lower = name.lower()
        if lower == "content-type":
            has_type = True
        elif lower == "access-control-allow-origin":
            has_origin = True
        raw.append((name.encode("latin-1"), value.encode("latin-1", "replace")))
    if not has_type and result.content_type is not None:
        raw.append((b"content-type", result.content_type.encode("latin-1")))
    deployment, route_ = ctx.deployment, ctx.route
    if (not has_origin and deployment is not None and deployment.cors_origin is not None and route_ is not None
            and not route_.proxy):
        raw.append((b"access-control-allow-origin", deployment.cors_origin.encode("latin-1")))
    body = result.body
    raw.append((b"content-length", str(len(body)).encode()))
    ctx.status = result.status
    ctx.response_length = len(body)
    await send({"type": "http.response.start", "status": result.status, "headers": raw})
    await send({"type": "http.response.body", "body": body})
