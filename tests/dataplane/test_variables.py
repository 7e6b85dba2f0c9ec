"""The one ``$context`` table (dataplane/variables.py) against AWS's list of ``$context`` variables.

AWS's list: "API Gateway Mapping Template and Access Logging Variable Reference", the tables "$context Variables
for Data Models, Authorizers, Mapping Templates, and CloudWatch Access Logging" and "$context Variables for
CloudWatch Access Logging Only" (awsdocs/amazon-api-gateway-developer-guide,
doc_source/api-gateway-mapping-template-reference.md); plus the current access-logging page's
``$context.authorizer.error`` (https://docs.aws.amazon.com/apigateway/latest/developerguide/
api-gateway-variables-for-access-logging.html).
"""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from poolgate.dataplane.accesslog import compile_format
from poolgate.dataplane.context import InvocationContext
from poolgate.dataplane.variables import CONTEXT_VARIABLES, context_text, context_value
from poolgate.errors import GatewayError

AWS_CONTEXT_VARIABLES = [
    "accountId", "apiId", "authorizer.principalId", "awsEndpointRequestId", "domainName", "domainPrefix",
    "error.message", "error.messageString", "error.responseType", "error.validationErrorString",
    "extendedRequestId", "httpMethod", "identity.accountId", "identity.apiKey", "identity.apiKeyId",
    "identity.caller", "identity.cognitoAuthenticationProvider", "identity.cognitoAuthenticationType",
    "identity.cognitoIdentityId", "identity.cognitoIdentityPoolId", "identity.principalOrgId", "identity.sourceIp",
    "identity.user", "identity.userAgent", "identity.userArn", "path", "protocol", "requestId", "requestTime",
    "requestTimeEpoch", "resourceId", "resourcePath", "stage", "wafResponseCode", "webaclArn", "xrayTraceId",
    # access logging only
    "authorizer.integrationLatency", "integrationLatency", "integrationStatus", "responseLatency",
    "responseLength", "status", "authorizer.error",
]
AWS_FAMILIES = ["authorizer.claims.email", "authorizer.someKey", "requestOverride.header.X",
                "requestOverride.path.p", "requestOverride.querystring.q", "responseOverride.header.X",
                "responseOverride.status"]


@pytest.mark.parametrize("name", AWS_CONTEXT_VARIABLES)
def test_every_aws_variable_has_a_getter(name: str) -> None:
    assert name in CONTEXT_VARIABLES


def _ctx() -> InvocationContext:
    route = SimpleNamespace(resource_path="/items/{id}", resource_id="abc123")
    deployment = SimpleNamespace(api=SimpleNamespace(account="123456789012"), deployment_id="dep1")
    ctx = InvocationContext(SimpleNamespace(), {"http_version": "1.1"}, None, "11111111-2222-3333-4444-555555555555",  # type: ignore[arg-type]
                            1_700_000_000.5, "GET", "api1.execute-api.localhost:8788", "10.0.0.1",
                            [("user-agent", "ua/1")], api_id="api1", stage_name="prod", path="/items/a b",
                            raw_path="/items/a%20b")
    ctx.route = route  # type: ignore[assignment]
    ctx.deployment = deployment  # type: ignore[assignment]
    ctx.authorizer = {"claims": {"email": "a@x.io"}, "someKey": "v", "principalId": "p1"}
    return ctx


@pytest.mark.parametrize("name", AWS_CONTEXT_VARIABLES + AWS_FAMILIES)
def test_every_aws_variable_reads_without_error(name: str) -> None:
    ctx = _ctx()
    ctx.error = GatewayError("UNAUTHORIZED", 401, "Unauthorized", "UnauthorizedException")
    context_text(ctx, name)


def test_values_as_aws_documents_them() -> None:
    ctx = _ctx()
    ctx.error = GatewayError("UNAUTHORIZED", 401, "Unauthorized", "UnauthorizedException")
    assert context_value(ctx, "path") == "/prod/items/a%20b"  # with the stage, as sent (the doc: /{stage}/root/child)
    assert context_value(ctx, "resourcePath") == "/items/{id}"
    assert context_value(ctx, "domainPrefix") == "api1"
    assert context_value(ctx, "domainName") == "api1.execute-api.localhost"
    assert context_value(ctx, "requestTime") == "14/Nov/2023:22:13:20 +0000"
    assert context_value(ctx, "requestTimeEpoch") == 1_700_000_000_500
    assert context_value(ctx, "protocol") == "HTTP/1.1"
    assert context_value(ctx, "error.messageString") == '"Unauthorized"'
    assert context_value(ctx, "authorizer.claims.email") == "a@x.io"
    assert context_value(ctx, "authorizer.principalId") == "p1"
    assert context_text(ctx, "wafResponseCode") == ""


def test_the_access_log_format_is_made_of_table_variables() -> None:
    with pytest.raises(ValueError, match=r"\$context.nope"):
        compile_format("$context.requestId $context.nope")
