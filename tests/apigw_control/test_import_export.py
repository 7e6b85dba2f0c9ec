"""ImportRestApi, PutRestApi and GetExport with boto3 over HTTP: import → deploy → invoke → delete; an API
built with boto3, exported (OpenAPI 3 and Swagger 2, JSON and YAML, with API Gateway's extensions) and
re-imported serves the same answers."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
import requests
import yaml

from ..cognito.helpers import error_of
from ..support import Server, start_server, stop_server
from .test_tutorial import apigateway, function_uri, write_config

PETSTORE = {
    "openapi": "3.0.1",
    "info": {"title": "Imported", "version": "1"},
    "paths": {
        "/hello": {"get": {"x-amazon-apigateway-integration": {
            "type": "aws_proxy", "httpMethod": "POST", "uri": function_uri("hello")}}},
        "/health": {"get": {"responses": {"200": {"description": "ok"}}, "x-amazon-apigateway-integration": {
            "type": "mock", "requestTemplates": {"application/json": '{"statusCode": 200}'},
            "responses": {"default": {"statusCode": "200",
                                      "responseParameters": {"method.response.header.X-Mock": "'yes'"},
                                      "responseTemplates": {"application/json": '{"ok":true}'}}}}}},
    },
}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    srv = start_server("--no-demo", "--config", str(write_config(tmp_path_factory.mktemp("imports"))))
    try:
        yield srv
    finally:
        stop_server(srv)


def _get(server: Server, api_id: str, path: str, stage: str = "prod") -> requests.Response:
    return requests.get(f"{server.url}/restapis/{api_id}/{stage}/_user_request_{path}", timeout=15)


def test_import_deploy_invoke_delete(server: Server) -> None:
    apigw = apigateway(server.url)
    imported = apigw.import_rest_api(body=json.dumps(PETSTORE).encode())
    assert imported["ResponseMetadata"]["HTTPStatusCode"] == 201
    api_id = imported["id"]
    assert imported["name"] == "Imported" and len(api_id) == 10
    paths = {item["path"] for item in apigw.get_resources(restApiId=api_id)["items"]}
    assert paths == {"/", "/hello", "/health"}
    assert _get(server, api_id, "/hello").status_code == 403  # imported, not deployed
    apigw.create_deployment(restApiId=api_id, stageName="prod")
    assert _get(server, api_id, "/hello").json()["hello"] == "world"
    health = _get(server, api_id, "/health")
    assert (health.status_code, health.json(), health.headers["X-Mock"]) == (200, {"ok": True}, "yes")
    apigw.delete_rest_api(restApiId=api_id)
    assert _get(server, api_id, "/hello").status_code == 403


def test_import_refuses_bad_documents(server: Server) -> None:
    apigw = apigateway(server.url)
    # Recorded: localstack test_apigateway_import.snapshot.json, test_import_api_bad_file
    err = error_of(apigw.import_rest_api, body=b"not: [valid")
    assert (err.status, err.code, err.message) == (400, "BadRequestException", "Invalid OpenAPI input.")
    broken = {**PETSTORE, "paths": {"/x": {"get": {}}}}
    err = error_of(apigw.import_rest_api, body=json.dumps(broken).encode())
    assert (err.status, err.code) == (400, "BadRequestException")
    assert err.message.startswith("Errors found during import:")


def test_put_rest_api_merge_and_overwrite(server: Server) -> None:
    apigw = apigateway(server.url)
    api = apigw.create_rest_api(name="Target")
    api_id = api["id"]
    own = apigw.create_resource(restApiId=api_id, parentId=api["rootResourceId"], pathPart="own")
    merged = apigw.put_rest_api(restApiId=api_id, mode="merge", body=json.dumps(PETSTORE).encode())
    assert merged["name"] == "Target"
    paths = {item["path"] for item in apigw.get_resources(restApiId=api_id)["items"]}
    assert paths == {"/", "/own", "/hello", "/health"}
    overwritten = apigw.put_rest_api(restApiId=api_id, mode="overwrite", body=json.dumps(PETSTORE).encode())
    assert overwritten["name"] == "Imported" and overwritten["rootResourceId"] == api["rootResourceId"]
    paths = {item["path"] for item in apigw.get_resources(restApiId=api_id)["items"]}
    assert paths == {"/", "/hello", "/health"}
    assert own["id"] not in {item["id"] for item in apigw.get_resources(restApiId=api_id)["items"]}


def _built(apigw: Any) -> str:
    """An API built step by step: a Lambda proxy GET, a MOCK with a header, a variable path."""
    api = apigw.create_rest_api(name="Built")
    api_id, root = api["id"], api["rootResourceId"]
    hello = apigw.create_resource(restApiId=api_id, parentId=root, pathPart="hello")["id"]
    apigw.put_method(restApiId=api_id, resourceId=hello, httpMethod="GET", authorizationType="NONE",
                     apiKeyRequired=False, requestParameters={"method.request.querystring.q": False})
    apigw.put_integration(restApiId=api_id, resourceId=hello, httpMethod="GET", type="AWS_PROXY",
                          integrationHttpMethod="POST", uri=function_uri("hello"))
    item = apigw.create_resource(restApiId=api_id, parentId=hello, pathPart="{id}")["id"]
    apigw.put_method(restApiId=api_id, resourceId=item, httpMethod="ANY", authorizationType="NONE")
    apigw.put_integration(restApiId=api_id, resourceId=item, httpMethod="ANY", type="MOCK",
                          requestTemplates={"application/json": '{"statusCode": 202}'})
    apigw.put_method_response(restApiId=api_id, resourceId=item, httpMethod="ANY", statusCode="202",
                              responseParameters={"method.response.header.X-Kind": False})
    apigw.put_integration_response(restApiId=api_id, resourceId=item, httpMethod="ANY", statusCode="202",
                                   responseParameters={"method.response.header.X-Kind": "'mock'"},
                                   responseTemplates={"application/json": '{"accepted":true}'})
    apigw.create_deployment(restApiId=api_id, stageName="prod")
    return str(api_id)


def _answers(server: Server, api_id: str) -> list[tuple[int, str, str | None]]:
    out = []
    for path in ("/hello", "/hello/7", "/nope"):
        answer = _get(server, api_id, path)
        body = answer.json().get("hello") if path == "/hello" else answer.text
        out.append((answer.status_code, str(body), answer.headers.get("X-Kind")))
    return out


@pytest.mark.parametrize(("export_type", "accepts"), [("oas30", "application/json"), ("oas30", "application/yaml"),
                                                      ("swagger", "application/json")])
def test_export_reimport_serves_the_same(server: Server, export_type: str, accepts: str) -> None:
    apigw = apigateway(server.url)
    api_id = _built(apigw)
    exported = apigw.get_export(restApiId=api_id, stageName="prod", exportType=export_type,
                                parameters={"extensions": "apigateway"}, accepts=accepts)
    assert exported["contentType"] == accepts
    text = exported["body"].read()
    document = yaml.safe_load(text)
    assert ("openapi" in document) == (export_type == "oas30") and document["info"]["title"] == "Built"
    assert set(document["paths"]) == {"/hello", "/hello/{id}"}
    assert "x-amazon-apigateway-any-method" in document["paths"]["/hello/{id}"]
    again = apigw.import_rest_api(body=text)["id"]
    apigw.create_deployment(restApiId=again, stageName="prod")
    assert _answers(server, again) == _answers(server, api_id)
    assert _answers(server, api_id)[1] == (202, '{"accepted":true}', "mock")

    plain = yaml.safe_load(apigw.get_export(restApiId=api_id, stageName="prod", exportType=export_type)["body"].read())
    assert "x-amazon-apigateway-integration" not in json.dumps(plain)
    err = error_of(apigw.get_export, restApiId=api_id, stageName="nope", exportType=export_type)
    assert (err.status, err.message) == (404, "Invalid stage identifier specified")
