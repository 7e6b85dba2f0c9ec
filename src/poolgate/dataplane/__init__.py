"""The data plane (API Gateway REST ``execute-api``): ``build_dataplane`` wires it from poolgate.yaml.

Layout: ``gateway.py`` (the ASGI entry and the ordered pipeline), ``context.py``, ``router.py``,
``deployment.py`` (compiling), ``plugins.py`` (the authorizer / integration contract) with
``authorizers/`` and ``integrations/`` (one module per type), ``events.py`` (proxy events),
``responses.py`` (gateway responses), ``tokens.py`` + ``revocation.py`` (Cognito token checks),
``functions.py`` + ``output.py`` (local Lambda handlers), ``upstream.py`` (HTTP backends),
``config.py`` (the ``functions:`` / ``apis:`` sections), ``stored.py`` (the stages stored in the database,
which every process serves).
"""

from __future__ import annotations

from ..config import Config
from ..iam import IamDirectory
from ..services import Services
from ..store.counters import make_counters
from .authorizers import cognito, iam, lambda_auth
from .config import Gateway, load_gateway
from .functions import FunctionRuntime
from .gateway import DataPlane
from .integrations import aws_proxy, http, http_proxy, mock
from .metering import Metering
from .plugins import register_authorizer, register_integration
from .stored import StoredDeployments

for _authorizer in (cognito, iam, lambda_auth.TOKEN, lambda_auth.REQUEST):
    register_authorizer(_authorizer)
for _module in (aws_proxy, http, http_proxy, mock):
    register_integration(_module)

__all__ = ["DataPlane", "build_dataplane", "keep_api_keys"]


async def keep_api_keys(services: Services, plane: DataPlane) -> None:
    """At start and after a reset: API keys declared without a value get theirs from the database (generated
    on the first start), and the banner names them."""
    metering = plane.metering
    lines = await metering.plans.keep_generated(services.db, services.clock, lambda: services.ids.short_id(40))
    metering.index_keys()
    services.extras.setdefault("banner", []).extend(lines)


def build_dataplane(services: Services, config: Config) -> DataPlane:
    """Parse ``functions:`` / ``apis:`` / ``apiKeys:`` / ``usagePlans:`` / ``iam:``, compile every stage and
    return the plane serving them (with the shared counters: Redis when ``--redis-url`` is given)."""
    settings = services.settings
    gateway = config.parsed.get("apis")  # compiled when the file was read (server.config_sections)
    if not isinstance(gateway, Gateway):
        gateway = load_gateway(config, settings.region, settings.account, lambda: services.ids.short_id(6))
    plane = DataPlane(services, FunctionRuntime(gateway.functions, settings.region, settings.account))
    for deployment in gateway.deployments:
        plane.install(deployment)
    plane.stored = StoredDeployments(plane, gateway)
    services.extras["function_runtime"] = plane.functions
    plane.gateway.iam = IamDirectory.parse(config.raw.get("iam"))
    plane.counters = make_counters(settings.redis_url, prefix=settings.redis_prefix)
    plane.metering = Metering(gateway.usage_plans)  # generated key values: keep_api_keys, at start
    return plane
