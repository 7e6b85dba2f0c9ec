"""A deployment's snapshot: the API's working copy frozen as JSON in apigateway's own shapes, and back.

The snapshot is what ``CreateDeployment`` stores and what every process compiles (``dataplane/stored.py``)::

    {"api": {"id", "name", "apiKeySource", "binaryMediaTypes", "policy", …, "x-poolgate-cors": {…}},
     "resources": [{"id", "parentId", "pathPart", "path",
                    "methods": {"GET": {"method": {…Method…}, "responses": {status: MethodResponse},
                                        "integration": {…Integration…} | null,
                                        "integrationResponses": {status: IntegrationResponse}}}}],
     "authorizers": [{"id", "name", "type", "providerARNs", …}]}

Members are named as the apigateway service model names them; ``x-poolgate-…`` members carry what only
poolgate.yaml can say (``cors``, gateway responses, ``rejectRevokedTokens``).
"""

from __future__ import annotations

import json
import re
from typing import Any

from .domain import (
    Authorizer,
    Cors,
    GatewayResponse,
    Integration,
    Method,
    MockResponse,
    Resource,
    RestApi,
    Stage,
)

Snapshot = dict[str, Any]

CORS = "x-poolgate-cors"
GATEWAY_RESPONSES = "x-poolgate-gatewayResponses"
REJECT_REVOKED = "x-poolgate-rejectRevokedTokens"
_STATUS_TEMPLATE = re.compile(r'"statusCode"\s*:\s*"?(\d{3})')
_RESPONSE_HEADER = "method.response.header."


def rest_api(snapshot: Snapshot, region: str, account: str, source: str = "") -> RestApi:
    """The model ``compile_deployment`` takes, from a snapshot."""
    config = snapshot["api"]
    api = RestApi(id=config["id"], name=config.get("name", ""), region=region, account=account, source=source)
    api.api_key_source = config.get("apiKeySource", "HEADER")
    api.binary_media_types = list(config.get("binaryMediaTypes", []))
    policy = config.get("policy")
    api.policy = json.loads(policy) if isinstance(policy, str) else policy
    cors = config.get(CORS)
    api.cors = Cors(**cors) if cors is not None else None
    api.gateway_responses = {
        kind: GatewayResponse(kind, spec.get("statusCode"), dict(spec.get("responseParameters", {})),
                              dict(spec.get("responseTemplates", {})))
        for kind, spec in config.get(GATEWAY_RESPONSES, {}).items()}
    for item in snapshot["authorizers"]:
        authorizer = _authorizer(item)
        api.authorizers[authorizer.id] = authorizer
    for item in snapshot["resources"]:
        resource = Resource(id=item["id"], path=item["path"])
        for verb, spec in item.get("methods", {}).items():
            resource.methods[verb] = _method(verb, spec)
        api.resources[resource.path] = resource
    return api


def _authorizer(item: dict[str, Any]) -> Authorizer:
    return Authorizer(
        id=item["id"], name=item["name"], type=item["type"], provider_arns=list(item.get("providerARNs", [])),
        identity_source=item.get("identitySource", ""),
        identity_validation_expression=item.get("identityValidationExpression"),
        authorizer_result_ttl_in_seconds=int(item.get("authorizerResultTtlInSeconds", 300)),
        authorizer_uri=item.get("authorizerUri"), reject_revoked_tokens=bool(item.get(REJECT_REVOKED, False)))


def _method(verb: str, spec: dict[str, Any]) -> Method:
    config = spec["method"]
    method = Method(http_method=verb, authorization_type=config.get("authorizationType", "NONE"),
                    authorizer_id=config.get("authorizerId"),
                    authorization_scopes=list(config.get("authorizationScopes", [])),
                    api_key_required=bool(config.get("apiKeyRequired", False)),
                    request_parameters=dict(config.get("requestParameters", {})))
    integration = spec.get("integration")
    if integration is not None:
        method.integration = _integration(integration, spec.get("integrationResponses", {}))
    return method


def _integration(config: dict[str, Any], responses: dict[str, Any]) -> Integration:
    integration = Integration(type=config["type"], uri=config.get("uri"), http_method=config.get("httpMethod"),
                              timeout_in_millis=int(config.get("timeoutInMillis", 29000)),
                              request_parameters=dict(config.get("requestParameters", {})))
    if integration.type == "MOCK":
        integration.mock = mock_answer(config, responses)
    return integration


def mock_answer(config: dict[str, Any], responses: dict[str, Any]) -> MockResponse:
    """What a MOCK integration answers: the status its request template names (200 without one), and the
    integration response of that status (or the default one, without a selectionPattern): its first response
    template as the body, its quoted ``method.response.header.*`` values as headers.

    Simplification (poolgate runs no VTL): templates are sent as written, not evaluated."""
    template = next(iter(config.get("requestTemplates", {}).values()), "") or ""
    found = _STATUS_TEMPLATE.search(template)
    status = int(found.group(1)) if found else 200
    response = responses.get(str(status))
    if response is None:
        response = next((item for item in responses.values() if not item.get("selectionPattern")), None)
    if response is None:
        return MockResponse(status, "", {})
    headers: dict[str, str] = {}
    for name, value in response.get("responseParameters", {}).items():
        if name.startswith(_RESPONSE_HEADER) and isinstance(value, str) and len(value) >= 2 and value[0] == "'" \
                and value[-1] == "'":
            headers[name[len(_RESPONSE_HEADER):]] = value[1:-1]
    body = ""
    templates = response.get("responseTemplates", {})
    if templates:
        content_type, body = next(iter(templates.items()))
        if content_type != "application/json":
            headers.setdefault("Content-Type", content_type)
    return MockResponse(int(response.get("statusCode", status)), body or "", headers)


def stage(name: str, config: dict[str, Any]) -> Stage:
    """A stored stage's settings as the model the compiler takes."""
    return Stage(name=name, variables=dict(config.get("variables", {})),
                 method_settings={key: dict(value) for key, value in config.get("methodSettings", {}).items()})
