"""``GatewayServices``: what the pipeline's stages may use, one set per data plane (``ctx.gateway``).

A stage is handed this, not the ``DataPlane``: the deployments it resolves against, the function runtime, the
HTTP client, the token verifier and revocation set, the shared counters, the usage plans, and the caches that
belong to one gateway (the Lambda authorizers' in-process results and parsed policies). Two planes in one
process (two apps, or a test's) share nothing through this module: every cache is a field of its gateway.

The module imports nothing of the data plane at run time (annotations only), so every stage may import it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..iam.principals import IamDirectory

if TYPE_CHECKING:
    from ..iam.policy import Policy
    from ..services import Services
    from ..store.counters import Counters
    from .deployment import Deployment
    from .functions import FunctionRuntime
    from .metering import Metering
    from .revocation import RevokedOrigins
    from .tokens import TokenVerifier
    from .upstream import Upstream


@dataclass(slots=True, eq=False)
class LambdaAuthorizerCache:
    """The in-process front of the Lambda authorizers' result cache (the shared one is in ``counters``)."""

    results: dict[str, tuple[float, dict[str, Any], Policy]] = field(default_factory=dict)
    """Cache key → (expiry, the function's output, its parsed policy): saves decoding per request."""
    policies: dict[str, Policy] = field(default_factory=dict)
    """Policy JSON text → parsed policy: hits read from Redis are parsed once per gateway."""

    def clear(self) -> None:
        self.results.clear()
        self.policies.clear()


@dataclass(slots=True, eq=False)
class GatewayServices:
    services: Services
    functions: FunctionRuntime
    upstream: Upstream
    verifier: TokenVerifier
    revoked: RevokedOrigins
    counters: Counters
    """Throttle buckets, quotas and the Lambda authorizer cache (Redis with ``--redis-url``)."""
    metering: Metering
    """API keys and usage plans."""
    deployments: dict[str, dict[str, Deployment]] = field(default_factory=dict)
    """API id → stage name → what it serves."""
    lambda_authorizers: LambdaAuthorizerCache = field(default_factory=LambdaAuthorizerCache)
    iam: IamDirectory = field(default_factory=lambda: IamDirectory.parse(None))
    """poolgate.yaml's ``iam:`` accounts, users and roles (the AWS_IAM authorizer; empty when none is declared)."""
