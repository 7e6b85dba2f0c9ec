"""The ``meter`` stage: API keys, usage-plan throttling and quotas, and stage method throttling (reference §7).

Runs after ``authorize`` (a bad token is a 401 whatever the key). For a method with ``apiKeyRequired``:
the key (``x-api-key``, any case, or the Lambda authorizer's ``usageIdentifierKey`` with apiKeySource
AUTHORIZER) must exist, be enabled and be in a usage plan of this API stage, else 403 ``Forbidden``; then the
plan's per-method or per-key throttle (429 ``Too Many Requests``) and quota (429 ``Limit Exceeded``). Then,
for every caller, the stage's ``methodSettings`` throttle (``*/*`` or ``/path/METHOD``), one bucket per
method. Buckets and quotas live in the shared counters (``ctx.gateway.counters``: memory, or Redis
shared by every node). (https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-request-throttling.html)
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ..errors import GatewayError
from ..store.counters import Bucket
from ..store.counters import Quota as CounterQuota
from .usage_plans import ApiKey, Throttle, UsagePlans, quota_counter

if TYPE_CHECKING:
    from .context import InvocationContext
    from .deployment import Deployment, Route

ACCOUNT_RATE = 10000.0
ACCOUNT_BURST = 5000
"""AWS's default account-level limits, used when a stage method setting gives only one of the two."""


def invalid_api_key() -> GatewayError:
    return GatewayError("INVALID_API_KEY", 403, "Forbidden", "ForbiddenException")


def throttled() -> GatewayError:
    return GatewayError("THROTTLED", 429, "Too Many Requests", "TooManyRequestsException")


def quota_exceeded() -> GatewayError:
    return GatewayError("QUOTA_EXCEEDED", 429, "Limit Exceeded", "LimitExceededException")


@dataclass(frozen=True, slots=True)
class KeyLimits:
    """What a key's usage plan imposes on one method, as the steps of one ``Counters.admit`` call:
    the plan's bucket (if any), its quota (if any), then the stage's method bucket (if any)."""

    steps: tuple[Bucket | CounterQuota, ...]


@dataclass(slots=True)
class RouteMeter:
    key_required: bool
    key_from_authorizer: bool
    stage_bucket: Bucket | None
    plans: dict[str, KeyLimits] = field(default_factory=dict)
    """API key reference (``UsagePlans.keys``'s key) → its plan's limits for this method (keys in no plan of this
    stage are absent)."""


def _stage_bucket(deployment: Deployment, route: Route) -> Bucket | None:
    settings = deployment.stage.method_settings
    if not settings:
        return None
    merged = {**settings.get("*/*", {}), **settings.get(f"{route.resource_path.replace('/', '~1')}/{route.http_method}",
                                                        {})}
    rate, burst = merged.get("throttlingRateLimit"), merged.get("throttlingBurstLimit")
    if rate is None and burst is None:
        return None
    key = f"stage:{deployment.api.id}:{deployment.stage.name}:{route.resource_path}:{route.http_method}"
    return Bucket(key, float(rate if rate is not None else ACCOUNT_RATE),
                  int(burst if burst is not None else ACCOUNT_BURST))


class Metering:
    """The declared keys and plans, and each route's limits compiled on first use."""

    def __init__(self, plans: UsagePlans) -> None:
        self.plans = plans
        self.by_value: dict[str, tuple[str, ApiKey]] = {}
        self._routes: dict[int, tuple[Route, RouteMeter | None]] = {}
        self.index_keys()

    def index_keys(self) -> None:
        self.by_value = {key.value: (ref, key) for ref, key in self.plans.keys.items() if key.value is not None}

    def replace(self, plans: UsagePlans) -> None:
        """Serve other keys and plans (the declared ones plus those stored through the apigateway API)."""
        self.plans = plans
        self.index_keys()
        self._routes = {}

    def compile(self, deployment: Deployment, route: Route) -> RouteMeter | None:
        """None when nothing meters this method (the hot path then skips the stage)."""
        api, stage = deployment.api, deployment.stage.name
        bucket = _stage_bucket(deployment, route)
        if not route.method.api_key_required:
            return RouteMeter(False, False, bucket) if bucket is not None else None
        meter = RouteMeter(True, api.api_key_source == "AUTHORIZER", bucket)
        for plan in self.plans.plans:
            for plan_stage in plan.stages:
                if plan_stage.api_id != api.id or plan_stage.stage != stage:
                    continue
                method_throttle = (plan_stage.methods.get((route.resource_path, route.http_method))
                                   or plan_stage.methods.get((route.resource_path, "*")))
                for key in plan.keys:
                    throttle: Throttle | None
                    if method_throttle is not None:
                        throttle_key: str | None = (f"plan:{plan.token}:{key}:{api.id}:{stage}:"
                                                    f"{route.resource_path}:{route.http_method}")
                        throttle = method_throttle
                    else:
                        throttle_key = f"plan:{plan.token}:{key}" if plan.throttle is not None else None
                        throttle = plan.throttle
                    steps: list[Bucket | CounterQuota] = []
                    if throttle is not None and throttle_key is not None:
                        steps.append(Bucket(throttle_key, throttle.rate, throttle.burst))
                    if plan.quota is not None:
                        quota = plan.quota
                        steps.append(CounterQuota(quota_counter(plan, key), quota.limit, quota.period,
                                                  quota.offset, plan.created))
                    if bucket is not None:
                        steps.append(bucket)
                    meter.plans[key] = KeyLimits(tuple(steps))
        return meter

    def forget_except(self, live: Iterable[Route]) -> None:
        """Drop the compiled limits of routes no longer served (a stage moved to another deployment)."""
        keep = {id(route) for route in live}
        self._routes = {key: value for key, value in self._routes.items() if key in keep}

    def route(self, deployment: Deployment, route: Route) -> RouteMeter | None:
        found = self._routes.get(id(route))
        if found is None or found[0] is not route:
            found = (route, self.compile(deployment, route))
            self._routes[id(route)] = found
        return found[1]


async def meter(ctx: InvocationContext) -> None:
    """The pipeline stage (between ``authorize`` and ``integrate``)."""
    route, deployment = ctx.route, ctx.deployment
    assert route is not None and deployment is not None
    metering: Metering = ctx.gateway.metering
    settings = metering.route(deployment, route)
    if settings is None:
        return
    counters = ctx.gateway.counters
    now = ctx.request_time
    if settings.key_required:
        value = ctx.usage_identifier_key if settings.key_from_authorizer else ctx.header("x-api-key")
        found = metering.by_value.get(value) if value else None
        if found is None or not found[1].enabled:
            raise invalid_api_key()
        ref, key = found
        limits = settings.plans.get(ref)
        if limits is None:
            raise invalid_api_key()
        ctx.identity["apiKey"] = key.value
        ctx.identity["apiKeyId"] = key.id
        refused = await counters.admit(limits.steps, now)
        if refused >= 0:
            raise quota_exceeded() if isinstance(limits.steps[refused], CounterQuota) else throttled()
        return
    bucket = settings.stage_bucket
    if bucket is not None and not await counters.take(bucket.key, bucket.rate, bucket.burst, now):
        raise throttled()
