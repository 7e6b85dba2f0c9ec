"""poolgate's REST API model (``apigw/domain.py``, what poolgate.yaml declares) as apigateway's shapes (Method,
Integration, Authorizer), named and filled as AWS returns them: how a declared API is written to the database
(``declared.py``).

Members AWS leaves out when unset are left out here too; values AWS fills with defaults poolgate has no
setting for (passthroughBehavior, cacheNamespace, endpointConfiguration …) carry AWS's defaults
(https://docs.aws.amazon.com/apigateway/latest/api/API_Integration.html and the pages next to it).
"""

from __future__ import annotations

from ..apigw.domain import Authorizer, Integration, Method, MockResponse
from .registry import Shape

_HTTP_TYPES = frozenset({"HTTP", "HTTP_PROXY"})


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
