"""The apigateway API's answers against AWS-recorded ones: each case names the localstack snapshot file
(tests/aws/services/apigateway/*.snapshot.json, responses recorded from real AWS) and the test that recorded
it. Facts carried over; volatile ids are compared by shape."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from ..cognito.helpers import AwsError, error_of
from ..support import Server, start_server, stop_server
from .test_tutorial import apigateway

API_SNAPSHOT = "test_apigateway_api.snapshot.json"
COMMON_SNAPSHOT = "test_apigateway_common.snapshot.json"
INTEGRATIONS_SNAPSHOT = "test_apigateway_integrations.snapshot.json"
LAMBDA_SNAPSHOT = "test_apigateway_lambda.snapshot.json"
LAMBDA_URI = ("arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/"
              "arn:aws:lambda:us-east-1:000000000000:function:MyLambda/invocations")


@pytest.fixture(scope="module")
def server() -> Iterator[Server]:
    srv = start_server("--no-demo")
    try:
        yield srv
    finally:
        stop_server(srv)


@pytest.fixture
def apigw(server: Server) -> Any:
    return apigateway(server.url)


@pytest.fixture
def api(apigw: Any) -> dict[str, Any]:
    created: dict[str, Any] = apigw.create_rest_api(name="golden")
    return created


def expect(err: AwsError, status: int, code: str, message: str) -> None:
    assert (err.status, err.code, err.message) == (status, code, message)


def test_create_rest_api_shape(apigw: Any) -> None:
    # test_apigateway_api.snapshot.json: TestApiGatewayApiRestApi::test_create_rest_api_with_optional_params
    created = apigw.create_rest_api(name="only-name")
    assert created["ResponseMetadata"]["HTTPStatusCode"] == 201
    del created["ResponseMetadata"]
    assert set(created) == {"apiKeySource", "createdDate", "disableExecuteApiEndpoint", "endpointConfiguration", "id",
                            "name", "rootResourceId"}
    assert created["endpointConfiguration"] == {"ipAddressType": "ipv4", "types": ["EDGE"]}
    assert (created["apiKeySource"], created["disableExecuteApiEndpoint"]) == ("HEADER", False)
    assert apigw.create_rest_api(name="v", version="v1")["version"] == "v1"
    assert "binaryMediaTypes" not in apigw.create_rest_api(name="b", binaryMediaTypes=[])
    expect(error_of(apigw.create_rest_api, name="d", description=""), 400, "BadRequestException",
           "Description cannot be an empty string")
    expect(error_of(apigw.create_rest_api, name="c", minimumCompressionSize=-1), 400, "BadRequestException",
           "Invalid minimum compression size, must be between 0 and 10485760")
    # test_create_rest_api_with_endpoint_configuration (same file)
    expect(error_of(apigw.create_rest_api, name="t", endpointConfiguration={"types": ["EDGE", "REGIONAL"]}), 400,
           "BadRequestException", "Cannot create an api with multiple Endpoint Types.")


def test_get_api_unknown(apigw: Any) -> None:
    # test_apigateway_api.snapshot.json: test_get_api_case_insensitive, test_update_rest_api_invalid_api_id
    expect(error_of(apigw.get_rest_api, restApiId="api_id"), 404, "NotFoundException",
           "Invalid API identifier specified 000000000000:api_id")
    expect(error_of(apigw.update_rest_api, restApiId="api_id", patchOperations=[]), 404, "NotFoundException",
           "Invalid API identifier specified 000000000000:api_id")


def test_update_resource_behaviour(apigw: Any, api: dict[str, Any]) -> None:
    # test_apigateway_api.snapshot.json: TestApiGatewayApiResource::test_update_resource_behaviour
    api_id, root = api["id"], api["rootResourceId"]
    pets = apigw.create_resource(restApiId=api_id, parentId=root, pathPart="pets")
    expect(error_of(apigw.update_resource, restApiId=api_id, resourceId="nonexistent",
                    patchOperations=[{"op": "replace", "path": "/pathPart", "value": "x"}]),
           404, "NotFoundException", "Invalid Resource identifier specified")
    expect(error_of(apigw.update_resource, restApiId=api_id, resourceId=pets["id"],
                    patchOperations=[{"op": "replace", "path": "/invalid", "value": "x"}]),
           400, "BadRequestException",
           "Invalid patch path  '/invalid' specified for op 'replace'. Must be one of: [/parentId, /pathPart]")
    expect(error_of(apigw.update_resource, restApiId=api_id, resourceId=pets["id"],
                    patchOperations=[{"op": "replace", "path": "/parentId", "value": "pwrong"}]),
           404, "NotFoundException", "Invalid Resource identifier specified")
    sub = apigw.create_resource(restApiId=api_id, parentId=pets["id"], pathPart="subpets")
    assert (sub["path"], sub["pathPart"], sub["parentId"]) == ("/pets/subpets", "subpets", pets["id"])
    child = apigw.create_resource(restApiId=api_id, parentId=sub["id"], pathPart="pets")
    assert child["path"] == "/pets/subpets/pets"
    expect(error_of(apigw.create_resource, restApiId=api_id, parentId=sub["id"], pathPart="pets"),
           409, "ConflictException", "Another resource with the same parent already has this name: pets")
    expect(error_of(apigw.update_resource, restApiId=api_id, resourceId=pets["id"],
                    patchOperations=[{"op": "replace", "path": "/parentId", "value": sub["id"]}]),
           400, "BadRequestException", "Resources cannot be cyclical.")
    moved = apigw.update_resource(restApiId=api_id, resourceId=sub["id"],
                                  patchOperations=[{"op": "replace", "path": "/parentId", "value": root}])
    assert (moved["path"], moved["parentId"]) == ("/subpets", root)
    paths = {item["path"] for item in apigw.get_resources(restApiId=api_id)["items"]}
    assert paths == {"/", "/pets", "/subpets", "/subpets/pets"}  # the subtree moved with it
    expect(error_of(apigw.update_resource, restApiId=api_id, resourceId=sub["id"],
                    patchOperations=[{"op": "replace", "path": "/pathPart", "value": "pets"}]),
           409, "ConflictException", "Another resource with the same parent already has this name: pets")
    for op in ("remove", "add"):
        expect(error_of(apigw.update_resource, restApiId=api_id, resourceId=sub["id"],
                        patchOperations=[{"op": op, "path": "/pathPart", "value": "x"}]),
               400, "BadRequestException",
               f"Invalid patch path  '/pathPart' specified for op '{op}'. Please choose supported operations")
    # test_update_resource_on_root
    expect(error_of(apigw.update_resource, restApiId=api_id, resourceId=root,
                    patchOperations=[{"op": "replace", "path": "/pathPart", "value": "x"}]),
           400, "BadRequestException", "Root resource cannot update its pathPart.")
    # test_delete_resource: deleting a parent deletes its children
    assert apigw.delete_resource(restApiId=api_id, resourceId=pets["id"])["ResponseMetadata"]["HTTPStatusCode"] == 202
    apigw.delete_resource(restApiId=api_id, resourceId=sub["id"])
    assert [item["path"] for item in apigw.get_resources(restApiId=api_id)["items"]] == ["/"]
    expect(error_of(apigw.delete_resource, restApiId=api_id, resourceId=child["id"]), 404, "NotFoundException",
           "Invalid Resource identifier specified")
    # test_create_resource_parent_invalid
    expect(error_of(apigw.create_resource, restApiId=api_id, parentId="nope", pathPart="x"),
           404, "NotFoundException", "Invalid Resource identifier specified")


def test_create_proxy_resource_validation(apigw: Any, api: dict[str, Any]) -> None:
    # test_apigateway_api.snapshot.json: TestApiGatewayApiResource::test_create_proxy_resource_validation
    api_id, root = api["id"], api["rootResourceId"]
    proxy = apigw.create_resource(restApiId=api_id, parentId=root, pathPart="{proxy+}")
    assert (proxy["path"], proxy["pathPart"]) == ("/{proxy+}", "{proxy+}")
    expect(error_of(apigw.create_resource, restApiId=api_id, parentId=root, pathPart="{dynamic}"),
           400, "BadRequestException",
           "A sibling ({proxy+}) of this resource already has a variable path part -- only one is allowed")
    for part in ("static", "{dynamic}"):
        expect(error_of(apigw.create_resource, restApiId=api_id, parentId=proxy["id"], pathPart=part),
               400, "BadRequestException", "Cannot create a child of a resource with a greedy path variable: {proxy+}")
    parent = apigw.create_resource(restApiId=api_id, parentId=root, pathPart="parent")
    greedy = apigw.create_resource(restApiId=api_id, parentId=parent["id"], pathPart="{child+}")
    assert greedy["path"] == "/parent/{child+}"


def test_put_method_validation(apigw: Any, api: dict[str, Any]) -> None:
    # test_apigateway_api.snapshot.json: TestApiGatewayApiMethod::test_put_method_validation
    api_id, root = api["id"], api["rootResourceId"]
    expect(error_of(apigw.put_method, restApiId="wrong", resourceId=root, httpMethod="GET",
                    authorizationType="NONE"), 404, "NotFoundException", "Invalid Resource identifier specified")
    expect(error_of(apigw.put_method, restApiId=api_id, resourceId="wrong", httpMethod="GET",
                    authorizationType="NONE"), 404, "NotFoundException", "Invalid Resource identifier specified")
    expect(error_of(apigw.put_method, restApiId=api_id, resourceId=root, httpMethod="WRONG",
                    authorizationType="NONE"), 400, "BadRequestException",
           "Invalid HttpMethod specified. Valid options are GET,PUT,POST,DELETE,PATCH,OPTIONS,HEAD,ANY")
    expect(error_of(apigw.put_method, restApiId=api_id, resourceId=root, httpMethod="GET",
                    authorizationType="CUSTOM"), 400, "BadRequestException",
           "Invalid authorizer ID specified. Setting the authorization type to CUSTOM or COGNITO_USER_POOLS requires "
           "a valid authorizer.")
    expect(error_of(apigw.put_method, restApiId=api_id, resourceId=root, httpMethod="GET",
                    authorizationType="NONE", requestValidatorId="fake"), 400, "BadRequestException",
           "Invalid Request Validator identifier specified")
    expect(error_of(apigw.put_method, restApiId=api_id, resourceId=root, httpMethod="GET",
                    authorizationType="NONE", requestModels={"application/json": "petModel"}),
           400, "BadRequestException", "Invalid model identifier specified: petModel")


def test_update_method_validation(apigw: Any, api: dict[str, Any]) -> None:
    # test_apigateway_api.snapshot.json: TestApiGatewayApiMethod::test_update_method_validation
    api_id, root = api["id"], api["rootResourceId"]
    apigw.put_method(restApiId=api_id, resourceId=root, httpMethod="ANY", authorizationType="NONE")
    expect(error_of(apigw.update_method, restApiId="wrong-rest-api", resourceId=root, httpMethod="ANY",
                    patchOperations=[]), 404, "NotFoundException", "Invalid Resource identifier specified")
    expect(error_of(apigw.update_method, restApiId=api_id, resourceId=root, httpMethod="GET", patchOperations=[]),
           404, "NotFoundException", "Invalid Method identifier specified")
    expect(error_of(apigw.update_method, restApiId=api_id, resourceId=root, httpMethod="ANY",
                    patchOperations=[{"op": "replace", "path": "/httpMethod", "value": "GET"}]),
           400, "BadRequestException", "Invalid patch path /httpMethod")
    expect(error_of(apigw.update_method, restApiId=api_id, resourceId=root, httpMethod="ANY",
                    patchOperations=[{"op": "add", "path": "/requestParameters", "value": "x"}]),
           400, "BadRequestException", "Invalid patch path /requestParameters")
    updated = apigw.update_method(restApiId=api_id, resourceId=root, httpMethod="ANY",
                                  patchOperations=[{"op": "replace", "path": "/apiKeyRequired", "value": "true"}])
    assert updated["apiKeyRequired"] is True
    # test_method_lifecycle: a deleted method is gone
    apigw.delete_method(restApiId=api_id, resourceId=root, httpMethod="ANY")
    expect(error_of(apigw.get_method, restApiId=api_id, resourceId=root, httpMethod="ANY"),
           404, "NotFoundException", "Invalid Method identifier specified")


def test_put_integration_validation(apigw: Any, api: dict[str, Any]) -> None:
    # test_apigateway_integrations.snapshot.json: test_put_integration_validation
    api_id, root = api["id"], api["rootResourceId"]
    apigw.put_method(restApiId=api_id, resourceId=root, httpMethod="GET", authorizationType="NONE")
    put = {"restApiId": api_id, "resourceId": root, "httpMethod": "GET"}
    for kind in ("HTTP", "HTTP_PROXY", "AWS"):
        expect(error_of(apigw.put_integration, **put, type=kind, uri="http://example.com"), 400,
               "BadRequestException", "Enumeration value for HttpMethod must be non-empty")
    mock = apigw.put_integration(**put, type="MOCK", uri="http://example.com")
    del mock["ResponseMetadata"]
    assert mock == {"cacheKeyParameters": [], "cacheNamespace": root, "passthroughBehavior": "WHEN_NO_MATCH",
                    "timeoutInMillis": 29000, "type": "MOCK"}
    http = apigw.put_integration(**put, type="HTTP", uri="http://example.com", integrationHttpMethod="POST")
    del http["ResponseMetadata"]
    assert http == {"cacheKeyParameters": [], "cacheNamespace": root, "connectionType": "INTERNET",
                    "httpMethod": "POST", "passthroughBehavior": "WHEN_NO_MATCH", "timeoutInMillis": 29000,
                    "type": "HTTP", "uri": "http://example.com"}
    proxy = apigw.put_integration(**put, type="AWS_PROXY", uri=LAMBDA_URI, integrationHttpMethod="POST")
    assert "connectionType" not in proxy and proxy["uri"] == LAMBDA_URI
    expect(error_of(apigw.put_integration, **put, type="AWS_PROXY", integrationHttpMethod="POST",
                    uri="arn:aws:apigateway:us-east-1:s3:path/b/k"), 400, "BadRequestException",
           "Integrations of type 'AWS_PROXY' currently only supports Lambda function and Firehose stream invocations.")
    for kind in ("HTTP", "HTTP_PROXY"):
        expect(error_of(apigw.put_integration, **put, type=kind, uri="non-valid-http", integrationHttpMethod="POST"),
               400, "BadRequestException", "Invalid HTTP endpoint specified for URI")
    expect(error_of(apigw.put_integration, **put, type="AWS", uri="non-valid-arn", integrationHttpMethod="POST"),
           400, "BadRequestException", "Invalid ARN specified in the request")
    expect(error_of(apigw.put_integration, **put, type="AWS", integrationHttpMethod="POST",
                    uri="arn:aws:iam::0000000000:role/service-role/asdf"),
           400, "BadRequestException", "AWS ARN for integration must contain path or action")
    # test_apigateway_lambda.snapshot.json: test_put_integration_aws_proxy_uri (a bare Lambda ARN)
    expect(error_of(apigw.put_integration, **put, type="AWS_PROXY", integrationHttpMethod="POST",
                    uri="arn:aws:lambda:us-east-1:000000000000:function:MyLambda"),
           400, "BadRequestException", "AWS ARN for integration must contain path or action")


def test_integration_responses(apigw: Any, api: dict[str, Any]) -> None:
    # test_apigateway_api.snapshot.json: test_integration_response_invalid_integration,
    # test_integration_response_wrong_status_code, test_integration_response_invalid_statuscode
    api_id, root = api["id"], api["rootResourceId"]
    apigw.put_method(restApiId=api_id, resourceId=root, httpMethod="GET", authorizationType="NONE")
    at = {"restApiId": api_id, "resourceId": root, "httpMethod": "GET"}
    expect(error_of(apigw.get_integration_response, **at, statusCode="200"), 404, "NotFoundException",
           "Invalid Integration identifier specified")
    apigw.put_integration(**at, type="MOCK")
    expect(error_of(apigw.get_integration_response, **at, statusCode="201"), 404, "NotFoundException",
           "Invalid Response status code specified")
    expect(error_of(apigw.put_integration_response, **at, statusCode="wrong"), 400, "ValidationException",
           "1 validation error detected: Value 'wrong' at 'statusCode' failed to satisfy constraint: Member must "
           "satisfy regular expression pattern: [1-5]\\d\\d")
    response = apigw.put_integration_response(**at, statusCode="200", selectionPattern="",
                                              responseTemplates={"application/json": "{}"})
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 201
    assert apigw.get_integration_response(**at, statusCode="200")["responseTemplates"] == {"application/json": "{}"}


def test_authorizer_crud_no_api(apigw: Any) -> None:
    # test_apigateway_api.snapshot.json: TestApiGatewayApiAuthorizer::test_authorizer_crud_no_api
    expect(error_of(apigw.create_authorizer, restApiId="test-fake-rest-id", name="a", type="TOKEN",
                    authorizerUri=LAMBDA_URI, identitySource="method.request.header.Authorization"),
           409, "ConflictException",
           "Unable to complete operation due to concurrent modification. Please try again later.")
    expect(error_of(apigw.get_authorizers, restApiId="test-fake-rest-id"), 404, "NotFoundException",
           "Invalid API identifier specified 000000000000:test-fake-rest-id")


def test_deployments_and_stages(apigw: Any, api: dict[str, Any]) -> None:
    # test_apigateway_common.snapshot.json: TestDeployments::test_create_delete_deployments,
    # TestStages::test_create_update_stages, TestStages::test_update_stage_remove_wildcard
    api_id, root = api["id"], api["rootResourceId"]
    apigw.put_method(restApiId=api_id, resourceId=root, httpMethod="GET", authorizationType="NONE")
    apigw.put_integration(restApiId=api_id, resourceId=root, httpMethod="GET", type="MOCK")
    deployment = apigw.create_deployment(restApiId=api_id)
    assert set(deployment) - {"ResponseMetadata"} == {"id", "createdDate"}
    stage = apigw.create_stage(restApiId=api_id, stageName="s1", deploymentId=deployment["id"],
                               description="my stage", documentationVersion="v123")
    assert stage["ResponseMetadata"]["HTTPStatusCode"] == 201
    del stage["ResponseMetadata"]
    assert {key: value for key, value in stage.items() if key not in ("createdDate", "lastUpdatedDate")} == {
        "cacheClusterEnabled": False, "cacheClusterStatus": "NOT_AVAILABLE", "deploymentId": deployment["id"],
        "description": "my stage", "documentationVersion": "v123", "methodSettings": {}, "stageName": "s1",
        "tracingEnabled": False}
    expect(error_of(apigw.delete_deployment, restApiId=api_id, deploymentId=deployment["id"]), 400,
           "BadRequestException", "Active stages pointing to this deployment must be moved or deleted")
    for path in ("/documentation_version", "/tags/tag1"):
        err = error_of(apigw.update_stage, restApiId=api_id, stageName="s1",
                       patchOperations=[{"op": "replace", "path": path, "value": "1"}])
        assert (err.status, err.code) == (400, "BadRequestException")
        assert err.message.startswith(f"Invalid method setting path: {path}. Must be one of: [/deploymentId, "
                                      "/description, /cacheClusterEnabled,")
    updated = apigw.update_stage(restApiId=api_id, stageName="s1", patchOperations=[
        {"op": "replace", "path": "/description", "value": "stage new"},
        {"op": "replace", "path": "/variables/var1", "value": "test"},
        {"op": "replace", "path": "/*/*/throttling/burstLimit", "value": "123"},
        {"op": "replace", "path": "/*/*/caching/enabled", "value": "true"},
        {"op": "replace", "path": "/tracingEnabled", "value": "true"}])
    assert updated["description"] == "stage new" and updated["variables"] == {"var1": "test"}
    assert updated["tracingEnabled"] is True
    assert updated["methodSettings"] == {"*/*": {
        "cacheDataEncrypted": False, "cacheTtlInSeconds": 300, "cachingEnabled": True, "dataTraceEnabled": False,
        "metricsEnabled": False, "requireAuthorizationForCacheControl": True, "throttlingBurstLimit": 123,
        "throttlingRateLimit": 10000.0, "unauthorizedCacheControlHeaderStrategy": "SUCCEED_WITH_RESPONSE_HEADER"}}
    reset = apigw.update_stage(restApiId=api_id, stageName="s1",
                               patchOperations=[{"op": "remove", "path": "/*/*"}])
    assert reset["methodSettings"] == {}
    expect(error_of(apigw.update_stage, restApiId=api_id, stageName="s1",
                    patchOperations=[{"op": "remove", "path": "/*/*"}]), 400, "BadRequestException",
           "Cannot remove method setting */* because there is no method setting for this method ")
    apigw.delete_stage(restApiId=api_id, stageName="s1")
    assert apigw.delete_deployment(restApiId=api_id, deploymentId=deployment["id"])[
        "ResponseMetadata"]["HTTPStatusCode"] == 202
    assert apigw.get_deployments(restApiId=api_id)["items"] == []
    expect(error_of(apigw.get_stage, restApiId=api_id, stageName="s1"), 404, "NotFoundException",
           "Invalid stage identifier specified")


def test_deployment_needs_methods_with_integrations(apigw: Any, api: dict[str, Any]) -> None:
    """Wording UNCONFIRMED (moto's NoMethodDefined / NoIntegrationDefined; no AWS recording found)."""
    api_id, root = api["id"], api["rootResourceId"]
    expect(error_of(apigw.create_deployment, restApiId=api_id, stageName="prod"), 400, "BadRequestException",
           "The REST API doesn't contain any methods")
    apigw.put_method(restApiId=api_id, resourceId=root, httpMethod="GET", authorizationType="NONE")
    expect(error_of(apigw.create_deployment, restApiId=api_id, stageName="prod"), 400, "BadRequestException",
           "No integration defined for method")
    assert apigw.get_stages(restApiId=api_id)["item"] == []


def test_bad_input_is_refused_and_changes_nothing(apigw: Any, api: dict[str, Any]) -> None:
    """Bad values in every write: a clear 4xx, never a 500, and the stored API is as before."""
    api_id, root = api["id"], api["rootResourceId"]
    item = apigw.create_resource(restApiId=api_id, parentId=root, pathPart="{id}")["id"]
    apigw.put_method(restApiId=api_id, resourceId=item, httpMethod="ANY", authorizationType="NONE")
    apigw.put_integration(restApiId=api_id, resourceId=item, httpMethod="ANY", type="MOCK")
    apigw.create_deployment(restApiId=api_id, stageName="s")
    before = (apigw.get_resources(restApiId=api_id, embed=["methods"])["items"],
              apigw.get_stage(restApiId=api_id, stageName="s"), apigw.get_rest_api(restApiId=api_id))
    stage_patches = [{"op": "replace", "path": "/"}, {"op": "replace", "path": "/variables/a b", "value": "x"},
                     {"op": "replace", "path": "/*/*/throttling/rateLimit", "value": "abc"},
                     {"op": "replace", "path": "/deploymentId"}]
    calls: list[tuple[Any, dict[str, Any]]] = [
        (apigw.update_stage, {"restApiId": api_id, "stageName": "s", "patchOperations": [patch]})
        for patch in stage_patches]
    calls += [
        (apigw.update_resource, {"restApiId": api_id, "resourceId": item,
                                 "patchOperations": [{"op": "replace", "path": "/pathPart"}]}),
        (apigw.update_rest_api, {"restApiId": api_id,
                                 "patchOperations": [{"op": "replace", "path": "/policy", "value": "{bad"}]}),
        (apigw.update_rest_api, {"restApiId": api_id, "patchOperations": [
            {"op": "replace", "path": "/minimumCompressionSize", "value": "x"}]}),
        (apigw.update_method, {"restApiId": api_id, "resourceId": item, "httpMethod": "ANY",
                               "patchOperations": [{"op": "add", "path": "/authorizationScopes"}]}),
        (apigw.update_integration, {"restApiId": api_id, "resourceId": item, "httpMethod": "ANY",
                                    "patchOperations": [{"op": "replace", "path": "/timeoutInMillis", "value": "1"}]}),
        (apigw.create_stage, {"restApiId": api_id, "stageName": "bad name", "deploymentId": "zzzzzz"}),
        (apigw.create_resource, {"restApiId": api_id, "parentId": item, "pathPart": "a/b"}),
        (apigw.delete_resource, {"restApiId": api_id, "resourceId": root}),
        (apigw.import_rest_api, {"body": b"[1, 2]"}),
    ]
    for call, kwargs in calls:
        err = error_of(call, **kwargs)
        assert 400 <= err.status < 500, (call, kwargs, err)
    after = (apigw.get_resources(restApiId=api_id, embed=["methods"])["items"],
             apigw.get_stage(restApiId=api_id, stageName="s"), apigw.get_rest_api(restApiId=api_id))
    for old, new in zip(before, after, strict=True):
        if isinstance(old, dict):
            old, new = ({k: v for k, v in shape.items() if k != "ResponseMetadata"} for shape in (old, new))
        assert old == new


def test_authorizer_id_may_be_set_before_the_type(apigw: Any, api: dict[str, Any]) -> None:
    """UpdateMethod with /authorizerId first and /authorizationType in a later call (order UNCONFIRMED on AWS)."""
    api_id, root = api["id"], api["rootResourceId"]
    authorizer = apigw.create_authorizer(restApiId=api_id, name="L", type="TOKEN", authorizerUri=LAMBDA_URI,
                                         identitySource="method.request.header.Authorization")
    apigw.put_method(restApiId=api_id, resourceId=root, httpMethod="GET", authorizationType="NONE")
    apigw.update_method(restApiId=api_id, resourceId=root, httpMethod="GET",
                        patchOperations=[{"op": "replace", "path": "/authorizerId", "value": authorizer["id"]}])
    method = apigw.update_method(restApiId=api_id, resourceId=root, httpMethod="GET", patchOperations=[
        {"op": "replace", "path": "/authorizationType", "value": "CUSTOM"}])
    assert (method["authorizationType"], method["authorizerId"]) == ("CUSTOM", authorizer["id"])
