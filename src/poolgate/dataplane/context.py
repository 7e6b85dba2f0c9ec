"""``InvocationContext``: what one data-plane request has gathered so far, filled stage by stage.

Mirrors the ``$context`` of API Gateway (https://docs.aws.amazon.com/apigateway/latest/developerguide/
api-gateway-mapping-template-reference.html#context-variable-reference); each pipeline stage in
``gateway.py`` fills its part and the next stage reads it.
"""

from __future__ import annotations

from base64 import b64encode
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..errors import GatewayError
from ..http import Receive, Scope

if TYPE_CHECKING:
    from .deployment import Deployment, Route
    from .gateway_services import GatewayServices


@dataclass(slots=True)
class IntegrationResult:
    """What an integration answered: the status, the headers (in order, repeatable) and the body bytes."""

    status: int
    headers: list[tuple[str, str]]
    body: bytes
    content_type: str | None = "application/json"
    """Added when ``headers`` carry no Content-Type (API Gateway's default for proxy results)."""


@dataclass(slots=True)
class InvocationContext:
    """One request's journey through the pipeline (API Gateway's ``$context`` plus the raw request)."""

    gateway: GatewayServices
    """What the stages may use: deployments, functions, HTTP client, verifier, counters, this gateway's caches."""
    scope: Scope
    receive: Receive
    request_id: str
    request_time: float
    """Epoch seconds from ``services.clock`` (``$context.requestTimeEpoch`` / 1000)."""
    method: str
    host: str
    client_ip: str
    headers: list[tuple[str, str]]
    """Request headers as (lowercase name, value), in arrival order, repeats kept."""
    body: bytes = b""
    # resolve
    api_id: str | None = None
    stage_name: str | None = None
    path: str = "/"
    """The resource path the client asked for, without the stage (``$context.path`` minus the stage)."""
    raw_path: str = "/"
    deployment: Deployment | None = None
    # route
    route: Route | None = None
    path_params: dict[str, str] | None = None
    # authorize
    authorizer: dict[str, Any] | None = None
    """``requestContext.authorizer`` as the backend sees it (``{"claims": {...}}`` for Cognito)."""
    identity: dict[str, Any] = field(default_factory=dict)
    """Extra ``requestContext.identity`` fields an authorizer learned (``apiKey``, ``userArn`` …)."""
    usage_identifier_key: str | None = None
    authorizer_error: str | None = None
    """Why the authorizer refused the request (``authorizer name: reason``), for the INFO access log only."""
    """A Lambda authorizer's ``usageIdentifierKey``: the API key when the API's apiKeySource is AUTHORIZER."""
    # integrate / respond
    result: IntegrationResult | None = None
    integration_latency: int | None = None
    status: int = 0
    response_length: int = 0
    error_message: str | None = None
    error: GatewayError | None = None
    """The error being rendered (``$context.error.*``)."""
    _lower: dict[str, str] | None = None
    _extended_id: str | None = None

    def header(self, name: str) -> str | None:
        """The value of a request header by lowercase name; repeated headers joined with ``,``."""
        lower = self._lower
        if lower is None:
            lower = {}
            for k, v in self.headers:
                lower[k] = f"{lower[k]},{v}" if k in lower else v
            self._lower = lower
        return lower.get(name)

    @property
    def query_string(self) -> str:
        return self.scope.get("query_string", b"").decode("latin-1")

    @property
    def extended_request_id(self) -> str:
        """``$context.extendedRequestId``: 16 base64 characters, derived from the request id."""
        found = self._extended_id
        if found is None:
            found = self._extended_id = b64encode(bytes.fromhex(self.request_id.replace("-", ""))[:11]).decode()
        return found
