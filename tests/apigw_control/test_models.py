"""Models and request validators against AWS-recorded answers (localstack
tests/aws/services/apigateway/test_apigateway_api.snapshot.json, each test named below)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from ..cognito.helpers import error_of
from ..support import Server, start_server, stop_server
from .test_golden import expect
from .test_tutorial import apigateway

SCHEMA = json.dumps({"title": "Pet", "type": "object", "properties": {"name": {"type": "string"}}})


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


def test_model_lifecycle_and_validation(apigw: Any) -> None:
    # test_model_lifecycle, test_model_validation, test_update_model
    api_id = apigw.create_rest_api(name="models")["id"]
    created = apigw.create_model(restApiId=api_id, name="Pet", schema=SCHEMA, contentType="application/json",
                                 description="a pet")
    assert created["ResponseMetadata"]["HTTPStatusCode"] == 201
    assert (created["name"], created["schema"], created["description"], len(created["id"])) == (
        "Pet", SCHEMA, "a pet", 6)
    names = [model["name"] for model in apigw.get_models(restApiId=api_id)["items"]]
    assert names == ["Empty", "Error", "Pet"]
    empty = apigw.get_model(restApiId=api_id, modelName="Empty")
    assert empty["description"] == "This is a default empty schema model"
    assert json.loads(empty["schema"]) == {"$schema": "http://json-schema.org/draft-04/schema#",
                                           "title": "Empty Schema", "type": "object"}
    expect(error_of(apigw.create_model, restApiId="abcde0", name="X", schema=SCHEMA, contentType="application/json"),
           404, "NotFoundException", "Invalid API identifier specified 000000000000:abcde0")
    expect(error_of(apigw.get_model, restApiId=api_id, modelName="MySchema"), 404, "NotFoundException",
           "Invalid model name specified: MySchema")
    expect(error_of(apigw.create_model, restApiId=api_id, name="Pet", schema=SCHEMA, contentType="application/json"),
           409, "ConflictException", "Model name already exists for this REST API")
    expect(error_of(apigw.create_model, restApiId=api_id, name="", schema=SCHEMA, contentType="application/json"),
           400, "BadRequestException", "Model name must be non-empty")
    expect(error_of(apigw.create_model, restApiId=api_id, name="E", schema="{}", contentType="application/json"),
           400, "BadRequestException", "Model schema must have at least 1 property or array items defined")
    updated = apigw.update_model(restApiId=api_id, modelName="Pet", patchOperations=[
        {"op": "replace", "path": "/schema", "value": '{"title": "Updated schema", "type": "object"}'}])
    assert json.loads(updated["schema"])["title"] == "Updated schema"
    expect(error_of(apigw.update_model, restApiId=api_id, modelName="Pet",
                    patchOperations=[{"op": "add", "path": "/wrong-path", "value": "x"}]), 400, "BadRequestException",
           "Invalid patch path  '/wrong-path' specified for op 'add'. Please choose supported operations")
    expect(error_of(apigw.update_model, restApiId=api_id, modelName="Pet",
                    patchOperations=[{"op": "replace", "path": "/name", "value": "x"}]), 400, "BadRequestException",
           "Invalid patch path  '/name' specified for op 'replace'. Must be one of: [/description, /schema]")


def test_put_method_model(apigw: Any) -> None:
    # test_put_method_model
    api = apigw.create_rest_api(name="method-models")
    api_id, root = api["id"], api["rootResourceId"]
    apigw.create_model(restApiId=api_id, name="Pet", schema=SCHEMA, contentType="application/json")
    method = apigw.put_method(restApiId=api_id, resourceId=root, httpMethod="ANY", authorizationType="NONE",
                              requestModels={"application/json": "Pet"})
    assert method["requestModels"] == {"application/json": "Pet"}
    expect(error_of(apigw.delete_model, restApiId=api_id, modelName="Pet"), 409, "ConflictException",
           "Cannot delete model 'Pet', is referenced in method request: //ANY")
    apigw.update_method(restApiId=api_id, resourceId=root, httpMethod="ANY", patchOperations=[
        {"op": "remove", "path": "/requestModels/application~1json"}])
    assert apigw.delete_model(restApiId=api_id, modelName="Pet")["ResponseMetadata"]["HTTPStatusCode"] == 202
    expect(error_of(apigw.delete_model, restApiId=api_id, modelName="Pet"), 404, "NotFoundException",
           "Invalid model name specified: Pet")


def test_request_validator_lifecycle(apigw: Any) -> None:
    # test_request_validator_lifecycle, test_validators_crud_no_api, test_invalid_update_request_validator_operations
    api = apigw.create_rest_api(name="validators")
    api_id = api["id"]
    expect(error_of(apigw.create_request_validator, restApiId="test-fake-rest-id", name="v"), 400,
           "BadRequestException", "Invalid REST API identifier specified")
    expect(error_of(apigw.get_request_validators, restApiId="test-fake-rest-id"), 404, "NotFoundException",
           "Invalid API identifier specified 000000000000:test-fake-rest-id")
    created = apigw.create_request_validator(restApiId=api_id, name="body")
    assert created["ResponseMetadata"]["HTTPStatusCode"] == 201
    del created["ResponseMetadata"]
    assert created == {"id": created["id"], "name": "body", "validateRequestBody": False,
                       "validateRequestParameters": False}
    assert apigw.get_request_validators(restApiId=api_id)["items"] == [created]
    updated = apigw.update_request_validator(restApiId=api_id, requestValidatorId=created["id"], patchOperations=[
        {"op": "replace", "path": "/validateRequestBody", "value": "true"}])
    assert updated["validateRequestBody"] is True
    reset = apigw.update_request_validator(restApiId=api_id, requestValidatorId=created["id"], patchOperations=[
        {"op": "replace", "path": "/validateRequestBody"}])
    assert reset["validateRequestBody"] is False
    expect(error_of(apigw.update_request_validator, restApiId=api_id, requestValidatorId=created["id"],
                    patchOperations=[{"op": "replace", "path": "/invalidPath", "value": "x"}]),
           400, "BadRequestException", "Invalid patch path  '/invalidPath' specified for op 'replace'. Must be one "
           "of: [/name, /validateRequestParameters, /validateRequestBody]")
    expect(error_of(apigw.update_request_validator, restApiId=api_id, requestValidatorId=created["id"],
                    patchOperations=[{"op": "add", "path": "/validateRequestBody", "value": "true"}]),
           400, "BadRequestException",
           "Invalid patch path  '/validateRequestBody' specified for op 'add'. Please choose supported operations")
    expect(error_of(apigw.update_request_validator, restApiId=api_id, requestValidatorId=created["id"],
                    patchOperations=[{"op": "replace", "path": "/name", "value": ""}]),
           400, "BadRequestException", "Request Validator name cannot be blank")
    method = apigw.put_method(restApiId=api_id, resourceId=api["rootResourceId"], httpMethod="GET",
                              authorizationType="NONE", requestValidatorId=created["id"])
    assert method["requestValidatorId"] == created["id"]
    apigw.delete_request_validator(restApiId=api_id, requestValidatorId=created["id"])
    expect(error_of(apigw.get_request_validator, restApiId=api_id, requestValidatorId=created["id"]),
           404, "NotFoundException", "Invalid Request Validator identifier specified")
    assert apigw.get_request_validators(restApiId=api_id)["items"] == []


def test_tags_of_apis_and_stages(apigw: Any) -> None:
    api = apigw.create_rest_api(name="tagged", tags={"team": "a"})
    api_id = api["id"]
    assert api["tags"] == {"team": "a"}
    arn = f"arn:aws:apigateway:us-east-1::/restapis/{api_id}"
    apigw.tag_resource(resourceArn=arn, tags={"env": "dev"})
    assert apigw.get_tags(resourceArn=arn)["tags"] == {"team": "a", "env": "dev"}
    apigw.untag_resource(resourceArn=arn, tagKeys=["team"])
    assert apigw.get_rest_api(restApiId=api_id)["tags"] == {"env": "dev"}
    apigw.put_method(restApiId=api_id, resourceId=api["rootResourceId"], httpMethod="GET", authorizationType="NONE")
    apigw.put_integration(restApiId=api_id, resourceId=api["rootResourceId"], httpMethod="GET", type="MOCK")
    apigw.create_deployment(restApiId=api_id, stageName="prod")
    apigw.tag_resource(resourceArn=f"{arn}/stages/prod", tags={"tier": "1"})
    assert apigw.get_stage(restApiId=api_id, stageName="prod")["tags"] == {"tier": "1"}
    err = error_of(apigw.get_tags, resourceArn=f"{arn}/stages/nope")
    assert (err.status, err.message) == (404, "Invalid stage identifier specified")
