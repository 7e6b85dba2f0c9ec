"""poolgate's REST API model as apigateway's output shapes (RestApi, Resource, Method, Integration, Stage,
Deployment, Authorizer …), named and filled as AWS returns them.

Members AWS leaves out when unset are left out here too; values AWS fills with defaults poolgate has no
setting for (passthroughBehavior, cacheNamespace, endpointConfiguration …) carry AWS's defaults
(https://docs.aws.amazon.com/apigateway/latest/api/API_Integration.html and the pages next to it).
"""

from __future__ import annotations

import json
from typing import Any

from ..apigw.domain import Authorizer, Integration, Method, MockResponse, Resource, RestApi
from ..dataplane.deployment import Deployment

Shape = dict[str, Any]

# What GetStage reports for a method setting poolgate.yaml leaves unset: the account-level throttling
# defaults and the MethodSetting defaults (https://docs.aws.amazon.com/apigateway/latest/api/API_MethodSetting.html).
_METHOD_SETTING_DEFAULTS: Shape = {
    "metricsEnabled": False, "dataTraceEnabled": False, "throttlingBurstLimit": 5000,
    "throttlingRateLimit": 10000.0, "cachingEnabled": False, "cacheTtlInSeconds": 300,
    "cacheDataEncrypted": False, "requireAuthorizationForCacheControl": True,
    "unauthorizedCacheControlHeaderStrategy": "SUCCEED_WITH_RESPONSE_HEADER",
}
_HTTP_TYPES = frozenset({"HTTP", "HTTP_PROXY"})


def _epoch(when: float) -> int:
    """Dates as AWS's REST-JSON sends them: whole seconds since the epoch."""
    return int(when)


def rest_api(api: RestApi, created: float) -> Shape:
    shape: Shape = {
        "id": api.id, "name": api.name, "createdDate": _epoch(created), "apiKeySource": api.api_key_source,
        # poolgate serves every API on its own port; EDGE/ipv4 is what AWS reports for an API declared
        # without an endpointConfiguration (CreateRestApi and ImportRestApi).
        "endpointConfiguration": {"types": ["EDGE"], "ipAddressType": "ipv4"},
        "disableExecuteApiEndpoint": False, "rootResourceId": api.resources["/"].id,
    }
    if api.binary_media_types:
        shape["binaryMediaTypes"] = list(api.binary_media_types)
    if api.policy is not None:
        # AWS quirk: the policy comes back as JSON text with its quotes escaped once more, which
        # localstack reproduces for Terraform (localstack-core/localstack/services/apigateway/patches.py).
        shape["policy"] = json.dumps(json.dumps(api.policy, separators=(",", ":")))[1:-1]
    return shape


def resource(resource: Resource, parent_id: str | None, methods: dict[str, Method], embed: bool) -> Shape:
    """Without ``embed=methods`` each method is listed as ``{}``, as GetResources does."""
    shape: Shape = {"id": resource.id}
    if parent_id is not None:  # the root resource has neither parentId nor pathPart
        shape["parentId"] = parent_id
        shape["pathPart"] = resource.path_part
    shape["path"] = resource.path
    if methods:
        shape["resourceMethods"] = {verb: method_shape(resource.id, method) if embed else {}
                                    for verb, method in sorted(methods.items())}
    return shape


def method_shape(resource_id: str, method: Method) -> Shape:
    shape: Shape = {"httpMethod": method.http_method, "authorizationType": method.authorization_type}
    if method.authorizer_id is not None:
        shape["authorizerId"] = method.authorizer_id
    shape["apiKeyRequired"] = method.api_key_required
    if method.request_parameters:
        shape["requestParameters"] = dict(method.request_parameters)
    if method.authorization_scopes:
        shape["authorizationScopes"] = list(method.authorization_scopes)
    mock = method.integration.mock if method.integration is not None else None
    if mock is not None:
        shape["methodResponses"] = {str(mock.status_code): method_response(mock)}
    if method.integration is not None:
        shape["methodIntegration"] = integration(resource_id, method.integration)
    return shape


def integration(resource_id: str, integration: Integration) -> Shape:
    shape: Shape = {"type": integration.type}
    if integration.http_method is not None:
        shape["httpMethod"] = integration.http_method
    if integration.uri is not None:
        shape["uri"] = integration.uri
    if integration.type in _HTTP_TYPES:
        shape["connectionType"] = "INTERNET"
    if integration.request_parameters:
        shape["requestParameters"] = dict(integration.request_parameters)
    mock = integration.mock
    if mock is not None:
        shape["requestTemplates"] = {"application/json": f'{{"statusCode": {mock.status_code}}}'}
    shape.update(passthroughBehavior="WHEN_NO_MATCH", timeoutInMillis=integration.timeout_in_millis,
                 cacheNamespace=resource_id, cacheKeyParameters=[])
    if mock is not None:
        shape["integrationResponses"] = {str(mock.status_code): integration_response(mock)}
    return shape


def _content_type(mock: MockResponse) -> tuple[str, dict[str, str]]:
    """The answer's Content-Type (a response template's key in AWS's model) and its other headers."""
    content_type = "application/json"
    others: dict[str, str] = {}
    for name, value in mock.headers.items():
        if name.lower() == "content-type":
            content_type = value
        else:
            others[name] = value
    return content_type, others


def method_response(mock: MockResponse) -> Shape:
    """A MOCK's answer as its method response (the headers it may carry)."""
    _, headers = _content_type(mock)
    shape: Shape = {"statusCode": str(mock.status_code)}
    if headers:
        shape["responseParameters"] = {f"method.response.header.{name}": False for name in headers}
    return shape


def integration_response(mock: MockResponse) -> Shape:
    """A MOCK's answer as API Gateway models it: static header values in quotes, the body as a template."""
    content_type, headers = _content_type(mock)
    shape: Shape = {"statusCode": str(mock.status_code)}
    if headers:
        shape["responseParameters"] = {f"method.response.header.{name}": f"'{value}'"
                                       for name, value in headers.items()}
    if mock.body:
        shape["responseTemplates"] = {content_type: mock.body}
    return shape


def stage(deployment: Deployment, created: float) -> Shape:
    settings = {key: {**_METHOD_SETTING_DEFAULTS, **value}
                for key, value in deployment.stage.method_settings.items()}
    shape: Shape = {
        "deploymentId": deployment.deployment_id, "stageName": deployment.stage.name,
        "cacheClusterEnabled": False, "cacheClusterStatus": "NOT_AVAILABLE", "methodSettings": settings,
    }
    if deployment.stage.variables:
        shape["variables"] = dict(deployment.stage.variables)
    shape.update(tracingEnabled=False, createdDate=_epoch(created), lastUpdatedDate=_epoch(created))
    return shape


def deployment(deployment: Deployment, created: float, summary: dict[str, dict[str, Method]] | None) -> Shape:
    """``summary`` (GetDeployment's ``embed=apisummary``): resource path → verb → method."""
    shape: Shape = {"id": deployment.deployment_id, "createdDate": _epoch(created)}
    if summary is not None:
        shape["apiSummary"] = {
            path: {verb: {"authorizationType": method.authorization_type, "apiKeyRequired": method.api_key_required}
                   for verb, method in sorted(methods.items())}
            for path, methods in sorted(summary.items()) if methods}
    return shape


def authorizer(authorizer: Authorizer) -> Shape:
    shape: Shape = {"id": authorizer.id, "name": authorizer.name, "type": authorizer.type}
    if authorizer.provider_arns:
        shape["providerARNs"] = list(authorizer.provider_arns)
    if authorizer.authorizer_uri is not None:
        shape["authorizerUri"] = authorizer.authorizer_uri
    if authorizer.identity_source:
        shape["identitySource"] = authorizer.identity_source
    if authorizer.identity_validation_expression is not None:
        shape["identityValidationExpression"] = authorizer.identity_validation_expression
    shape["authorizerResultTtlInSeconds"] = authorizer.authorizer_result_ttl_in_seconds
    return shape
