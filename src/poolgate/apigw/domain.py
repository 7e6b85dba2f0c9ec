"""REST API model, mirroring API Gateway's resources (RestApi, Resource, Method, Integration, Authorizer,
Stage, GatewayResponse). Field names follow the apigateway service model in snake_case.

A ``RestApi`` is what the YAML and OpenAPI loaders produce; a deployment is an immutable snapshot of it
that the data plane compiles once (router, authorizers, integrations).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

HTTP_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS")
ANY = "ANY"


@dataclass(slots=True)
class Authorizer:
    """An API's authorizer (https://docs.aws.amazon.com/apigateway/latest/api/API_Authorizer.html)."""

    id: str
    name: str
    type: str  # COGNITO_USER_POOLS | TOKEN | REQUEST
    provider_arns: list[str] = field(default_factory=list)
    """COGNITO_USER_POOLS: pool ARNs, pool ids, or issuer URLs of pools in another poolgate."""
    identity_source: str = "method.request.header.Authorization"
    identity_validation_expression: str | None = None
    authorizer_result_ttl_in_seconds: int = 300
    authorizer_uri: str | None = None
    """TOKEN/REQUEST: the Lambda function (ARN in an apigateway invocation URI, or a plain function name)."""
    reject_revoked_tokens: bool = False
    """poolgate extension: refuse tokens revoked by GlobalSignOut/RevokeToken (AWS accepts them until exp)."""


@dataclass(slots=True)
class MockResponse:
    status_code: int = 200
    body: str = ""
    headers: dict[str, str] = field(default_factory=dict)


@dataclass(slots=True)
class Integration:
    """https://docs.aws.amazon.com/apigateway/latest/api/API_Integration.html"""

    type: str  # AWS_PROXY | HTTP_PROXY | HTTP | MOCK
    uri: str | None = None
    http_method: str | None = None
    timeout_in_millis: int = 29000
    request_parameters: dict[str, str] = field(default_factory=dict)
    """e.g. ``integration.request.path.id`` ← ``method.request.path.petId``"""
    mock: MockResponse | None = None


@dataclass(slots=True)
class Method:
    http_method: str  # GET … or ANY
    authorization_type: str = "NONE"  # NONE | COGNITO_USER_POOLS | CUSTOM | AWS_IAM
    authorizer_id: str | None = None
    authorization_scopes: list[str] = field(default_factory=list)
    api_key_required: bool = False
    integration: Integration | None = None
    request_parameters: dict[str, bool] = field(default_factory=dict)
    """``method.request.{path|querystring|header}.NAME`` → required; every path variable is listed."""


@dataclass(slots=True)
class Resource:
    id: str
    path: str  # "/", "/pets", "/pets/{petId}", "/files/{proxy+}"
    methods: dict[str, Method] = field(default_factory=dict)

    @property
    def path_part(self) -> str:
        return self.path.rsplit("/", 1)[-1]


@dataclass(slots=True)
class GatewayResponse:
    """https://docs.aws.amazon.com/apigateway/latest/developerguide/supported-gateway-response-types.html"""

    response_type: str
    status_code: int | None = None
    response_parameters: dict[str, str] = field(default_factory=dict)
    response_templates: dict[str, str] = field(default_factory=dict)


@dataclass(slots=True)
class Cors:
    """What the console's "Enable CORS" sets up, applied to every resource."""

    allow_origin: str = "*"
    allow_headers: str = "Content-Type,X-Amz-Date,Authorization,X-Api-Key,X-Amz-Security-Token"
    allow_methods: str | None = None  # default: the resource's methods plus OPTIONS
    allow_credentials: bool = False
    max_age: int | None = None


@dataclass(slots=True)
class Stage:
    name: str
    variables: dict[str, str] = field(default_factory=dict)
    method_settings: dict[str, dict[str, Any]] = field(default_factory=dict)


@dataclass(slots=True)
class RestApi:
    id: str
    name: str
    region: str
    account: str
    resources: dict[str, Resource] = field(default_factory=dict)  # by path
    authorizers: dict[str, Authorizer] = field(default_factory=dict)  # by id
    gateway_responses: dict[str, GatewayResponse] = field(default_factory=dict)  # by type
    stages: dict[str, Stage] = field(default_factory=dict)
    cors: Cors | None = None
    api_key_source: str = "HEADER"
    binary_media_types: list[str] = field(default_factory=list)
    policy: dict[str, Any] | None = None
    source: str = ""
    """Where it was declared (file name), for error messages."""

    def authorizer_by_name(self, name: str) -> Authorizer | None:
        for authorizer in self.authorizers.values():
            if authorizer.name == name:
                return authorizer
        return None


@dataclass(slots=True)
class Function:
    """A Lambda function: its code directory, handler (as SAM names it) and runtime."""

    name: str
    handler: str
    code: str
    timeout: float | None = None
    environment: dict[str, str] = field(default_factory=dict)
    memory_size: int = 128
    inline: bool = False
    """Run the sync handler on the event loop (only for handlers that never block: saves the thread hand-off)."""
    runtime: str = "python3.12"
    """Lambda's runtime identifier (``python3.x`` in process; ``nodejs*.x`` / ``provided.*``: ``lambdas/``)."""
    reserved_concurrency: int | None = None
    """At most this many instances at once (``ReservedConcurrentExecutions``); None: no limit of its own."""
    version: str = "$LATEST"
    """A published version's number (the runtime knows it as ``name:version`` or ``name:alias``)."""
