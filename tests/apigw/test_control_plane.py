"""The apigateway control plane over poolgate.yaml's APIs, driven by boto3's ``apigateway`` client (and once by
the AWS CLI) against a real server: shapes checked against botocore's model on the wire, ids equal to the data
plane's, AWS's errors, and what a write to a declared API means (the API's own tests: tests/apigw_control/)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import botocore
import pytest
import requests
import yaml
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials
from botocore.model import ListShape, MapShape, Shape, StructureShape

from ..cognito.helpers import error_of
from ..support import Server, start_server, stop_server

API = "ctlapi0001"
CORS_API = "ctlapi0002"
ACCOUNT = "000000000000"
POOL = "us-east-1_CtlPlane1"
POOL_ARN = f"arn:aws:cognito-idp:us-east-1:{ACCOUNT}:userpool/{POOL}"
LAMBDA_URI = ("arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/"
              f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:echo/invocations")
UPSTREAM = "http://127.0.0.1:9/${stageVariables.version}/{proxy}"
MODEL = botocore.session.get_session().get_service_model("apigateway")

HANDLER = '''
import json

def echo(event, context):
    return {"statusCode": 200, "body": json.dumps(event)}
'''


def _config(tmp: Path) -> Path:
    (tmp / "functions").mkdir()
    (tmp / "functions" / "handlers.py").write_text(HANDLER)
    echo = {"type": "AWS_PROXY", "function": "echo"}
    config = {
        "userPools": [{"id": POOL, "name": "CtlPlane1",
                       "clients": [{"id": "ctlplaneclient00000000001", "name": "web"}]}],
        "functions": {"echo": {"handler": "handlers.echo", "code": "./functions"}},
        "apis": [{
            "id": API, "name": "Control plane tests",
            "authorizers": {"Pool": {"type": "COGNITO_USER_POOLS", "providerARNs": [POOL_ARN],
                                     "authorizerResultTtlInSeconds": 60}},
            "resources": {
                "/pets": {"GET": {"authorizer": "Pool", "authorizationScopes": ["pets/read"], "integration": echo},
                          "POST": {"authorizer": "Pool", "apiKeyRequired": True, "integration": echo}},
                "/pets/{petId}": {"GET": {"requestParameters": {"method.request.querystring.verbose": False},
                                          "integration": echo}},
                "/pets/{petId}/toys/{proxy+}": {"ANY": {"integration": {"type": "HTTP_PROXY", "uri": UPSTREAM,
                                                                        "timeoutInMillis": 5000}}},
                "/health": {"GET": {"integration": {"type": "MOCK", "statusCode": 200, "body": '{"ok":true}',
                                                    "headers": {"X-Served-By": "mock"}}}},
            },
            "stages": {"prod": {"variables": {"version": "v1"},
                                "methodSettings": {"*/*": {"throttlingRateLimit": 100}}},
                       "beta": {"variables": {"version": "v2"}}},
        }, {
            "id": CORS_API, "name": "With CORS", "cors": True,
            "policy": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*",
                                                               "Action": "execute-api:Invoke",
                                                               "Resource": "execute-api:/*"}]},
            "resources": {"/ping": {"GET": {"integration": {"type": "MOCK"}}}},
        }],
    }
    path = tmp / "poolgate.yaml"
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    return path


@pytest.fixture(scope="module")
def config_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _config(tmp_path_factory.mktemp("control"))


@pytest.fixture(scope="module")
def server(config_file: Path) -> Iterator[Server]:
    srv = start_server("--config", str(config_file))
    try:
        yield srv
    finally:
        stop_server(srv)


class Wire:
    """The raw JSON of each response, to check it against botocore's output shape (the parser drops what
    the model does not know)."""

    def __init__(self) -> None:
        self.bodies: list[Any] = []

    def record(self, http_response: Any, **_: Any) -> None:
        self.bodies.append(json.loads(http_response.content or b"null"))


def _client(url: str, region: str = "us-east-1", key: str = "AKIDCTLTEST", secret: str = "secret",
            **config: Any) -> Any:
    return boto3.client("apigateway", endpoint_url=url, region_name=region, aws_access_key_id=key,
                        aws_secret_access_key=secret, config=Config(retries={"max_attempts": 0}, **config))


@pytest.fixture
def wire() -> Wire:
    return Wire()


@pytest.fixture
def apigw(server: Server, wire: Wire) -> Any:
    client = _client(server.url)
    client.meta.events.register("after-call.apigateway", wire.record)
    return client


def _conforms(shape: Shape, value: Any, where: str = "$") -> None:
    """``value`` is what ``shape`` allows on the wire: known members only, JSON types as the model says."""
    if isinstance(shape, StructureShape):
        assert isinstance(value, dict), where
        unknown = set(value) - {m.serialization.get("name", name) for name, m in shape.members.items()}
        assert not unknown, f"{where}: not in {shape.name}: {unknown}"
        for name, member in shape.members.items():
            key = member.serialization.get("name", name)
            if key in value and member.serialization.get("location") is None:
                _conforms(member, value[key], f"{where}.{key}")
    elif isinstance(shape, ListShape):
        assert isinstance(value, list), where
        for index, item in enumerate(value):
            _conforms(shape.member, item, f"{where}[{index}]")
    elif isinstance(shape, MapShape):
        assert isinstance(value, dict), where
        for key, item in value.items():
            _conforms(shape.value, item, f"{where}.{key}")
    else:
        expected = {"string": str, "boolean": bool, "integer": int, "long": int, "double": float,
                    "timestamp": int}[shape.type_name]
        assert isinstance(value, expected) and (expected is bool or not isinstance(value, bool)), (where, value)


def _check_wire(wire: Wire, operation: str) -> Any:
    body = wire.bodies[-1]
    _conforms(MODEL.operation_model(operation).output_shape, body)
    return body


def _by_path(apigw: Any, **kwargs: Any) -> dict[str, Any]:
    return {item["path"]: item for item in apigw.get_resources(restApiId=API, **kwargs)["items"]}


def test_get_rest_apis_lists_the_declared_apis(apigw: Any, wire: Wire) -> None:
    listed = apigw.get_rest_apis()
    body = _check_wire(wire, "GetRestApis")
    assert "item" in body and "position" not in body
    apis = {api["id"]: api for api in listed["items"]}
    assert set(apis) == {API, CORS_API}
    api = apis[API]
    assert api["name"] == "Control plane tests" and api["apiKeySource"] == "HEADER"
    assert api["endpointConfiguration"] == {"types": ["EDGE"], "ipAddressType": "ipv4"}
    assert api["disableExecuteApiEndpoint"] is False and "policy" not in api
    assert api["rootResourceId"] == _by_path(apigw)["/"]["id"]
    assert apigw.get_rest_api(restApiId=API) | {"ResponseMetadata": None} == api | {"ResponseMetadata": None}
    _check_wire(wire, "GetRestApi")
    policy = json.loads(apis[CORS_API]["policy"].replace('\\"', '"'))  # AWS sends the quotes escaped
    assert policy["Statement"][0]["Resource"] == f"arn:aws:execute-api:us-east-1:{ACCOUNT}:{CORS_API}/*"

    first = apigw.get_rest_apis(limit=1)
    assert len(first["items"]) == 1 and first["position"]
    second = apigw.get_rest_apis(limit=1, position=first["position"])
    assert "position" not in second
    assert {first["items"][0]["id"], second["items"][0]["id"]} == {API, CORS_API}


def test_resources_walk_with_embedded_methods(apigw: Any, wire: Wire) -> None:
    plain = _by_path(apigw)
    assert list(plain) == ["/", "/health", "/pets", "/pets/{petId}", "/pets/{petId}/toys",
                           "/pets/{petId}/toys/{proxy+}"]
    assert set(plain["/"]) == {"id", "path"}  # the root has neither parentId nor pathPart
    assert plain["/pets"]["resourceMethods"] == {"GET": {}, "POST": {}}
    assert "resourceMethods" not in plain["/pets/{petId}/toys"]
    for path, item in plain.items():
        if path != "/":
            parent = path.rsplit("/", 1)[0] or "/"
            assert item["parentId"] == plain[parent]["id"] and item["pathPart"] == path.rsplit("/", 1)[1]

    embedded = _by_path(apigw, embed=["methods"])
    _check_wire(wire, "GetResources")
    authorizer_id = apigw.get_authorizers(restApiId=API)["items"][0]["id"]
    pets_get = embedded["/pets"]["resourceMethods"]["GET"]
    assert pets_get["authorizationType"] == "COGNITO_USER_POOLS" and pets_get["authorizerId"] == authorizer_id
    assert pets_get["authorizationScopes"] == ["pets/read"] and pets_get["apiKeyRequired"] is False
    assert pets_get["methodIntegration"] == {
        "type": "AWS_PROXY", "httpMethod": "POST", "uri": LAMBDA_URI, "passthroughBehavior": "WHEN_NO_MATCH",
        "timeoutInMillis": 29000, "cacheNamespace": embedded["/pets"]["id"], "cacheKeyParameters": []}
    assert embedded["/pets"]["resourceMethods"]["POST"]["apiKeyRequired"] is True
    assert embedded["/pets/{petId}"]["resourceMethods"]["GET"]["requestParameters"] == {
        "method.request.path.petId": True, "method.request.querystring.verbose": False}
    proxy = embedded["/pets/{petId}/toys/{proxy+}"]["resourceMethods"]["ANY"]
    assert proxy["authorizationType"] == "NONE"
    assert proxy["methodIntegration"]["type"] == "HTTP_PROXY" and proxy["methodIntegration"]["httpMethod"] == "ANY"
    assert proxy["methodIntegration"]["connectionType"] == "INTERNET"
    assert proxy["methodIntegration"]["requestParameters"] == {
        "integration.request.path.proxy": "method.request.path.proxy"}

    one = apigw.get_resource(restApiId=API, resourceId=embedded["/pets"]["id"], embed=["methods"])
    _check_wire(wire, "GetResource")
    assert one["resourceMethods"]["GET"] == pets_get

    pages = list(apigw.get_paginator("get_resources").paginate(restApiId=API, PaginationConfig={"PageSize": 4}))
    assert [len(page["items"]) for page in pages] == [4, 2]
    assert [item["path"] for page in pages for item in page["items"]] == list(plain)


def test_method_integration_and_mock_responses(apigw: Any, wire: Wire) -> None:
    paths = _by_path(apigw)
    proxy_id = paths["/pets/{petId}/toys/{proxy+}"]["id"]
    integration = apigw.get_integration(restApiId=API, resourceId=proxy_id, httpMethod="ANY")
    _check_wire(wire, "GetIntegration")
    assert (integration["uri"], integration["timeoutInMillis"]) == (UPSTREAM, 5000)

    health = paths["/health"]["id"]
    method = apigw.get_method(restApiId=API, resourceId=health, httpMethod="GET")
    _check_wire(wire, "GetMethod")
    assert method["methodResponses"] == {"200": {"statusCode": "200",
                                                 "responseParameters": {"method.response.header.X-Served-By": False}}}
    mock = method["methodIntegration"]
    assert mock["type"] == "MOCK" and "uri" not in mock and "httpMethod" not in mock
    assert mock["requestTemplates"] == {"application/json": '{"statusCode": 200}'}
    expected = {"statusCode": "200", "responseParameters": {"method.response.header.X-Served-By": "'mock'"},
                "responseTemplates": {"application/json": '{"ok":true}'}}
    assert mock["integrationResponses"] == {"200": expected}
    response = apigw.get_integration_response(restApiId=API, resourceId=health, httpMethod="GET", statusCode="200")
    _check_wire(wire, "GetIntegrationResponse")
    assert response | {"ResponseMetadata": None} == expected | {"ResponseMetadata": None}
    assert apigw.get_method_response(restApiId=API, resourceId=health, httpMethod="GET",
                                     statusCode="200")["statusCode"] == "200"

    # cors: true serves OPTIONS preflights, which AWS's "Enable CORS" models as MOCK methods: listed too
    cors = {item["path"]: item for item in apigw.get_resources(restApiId=CORS_API)["items"]}
    assert cors["/ping"]["resourceMethods"] == {"GET": {}, "OPTIONS": {}}


def test_stages_deployments_and_authorizers(apigw: Any, wire: Wire) -> None:
    stages = {stage["stageName"]: stage for stage in apigw.get_stages(restApiId=API)["item"]}
    _check_wire(wire, "GetStages")
    assert set(stages) == {"beta", "prod"}
    prod = apigw.get_stage(restApiId=API, stageName="prod")
    _check_wire(wire, "GetStage")
    assert prod["variables"] == {"version": "v1"} and stages["beta"]["variables"] == {"version": "v2"}
    # poolgate.yaml's stages are deployed together: one deployment (a snapshot of the file's API), two stages
    assert prod["deploymentId"] == stages["prod"]["deploymentId"] == stages["beta"]["deploymentId"]
    assert prod["methodSettings"]["*/*"]["throttlingRateLimit"] == 100.0
    assert prod["methodSettings"]["*/*"]["throttlingBurstLimit"] == 5000
    assert prod["cacheClusterEnabled"] is False and prod["createdDate"] == prod["lastUpdatedDate"]
    both = apigw.get_stages(restApiId=API, deploymentId=stages["beta"]["deploymentId"])["item"]
    assert [stage["stageName"] for stage in both] == ["beta", "prod"]
    assert apigw.get_stages(restApiId=API, deploymentId="zzzzzz")["item"] == []

    deployments = apigw.get_deployments(restApiId=API)["items"]
    _check_wire(wire, "GetDeployments")
    assert [d["id"] for d in deployments] == [stages["prod"]["deploymentId"]]
    summary = apigw.get_deployment(restApiId=API, deploymentId=prod["deploymentId"], embed=["apisummary"])
    _check_wire(wire, "GetDeployment")
    assert summary["apiSummary"]["/pets"]["GET"] == {"authorizationType": "COGNITO_USER_POOLS",
                                                     "apiKeyRequired": False}
    assert "/pets/{petId}/toys" not in summary["apiSummary"]

    (authorizer,) = apigw.get_authorizers(restApiId=API)["items"]
    _check_wire(wire, "GetAuthorizers")
    assert authorizer == {"id": authorizer["id"], "name": "Pool", "type": "COGNITO_USER_POOLS",
                          "providerARNs": [POOL_ARN], "identitySource": "method.request.header.Authorization",
                          "authorizerResultTtlInSeconds": 60}
    again = apigw.get_authorizer(restApiId=API, authorizerId=authorizer["id"])
    _check_wire(wire, "GetAuthorizer")
    assert again | {"ResponseMetadata": None} == authorizer | {"ResponseMetadata": None}


def test_ids_are_the_data_planes(server: Server, apigw: Any) -> None:
    resource_id = _by_path(apigw)["/pets/{petId}"]["id"]
    beta = apigw.get_stage(restApiId=API, stageName="beta")
    response = requests.get(f"{server.url}/restapis/{API}/beta/_user_request_/pets/42", timeout=15)
    assert response.status_code == 200, response.text
    context = response.json()["requestContext"]
    assert (context["resourceId"], context["deploymentId"], context["apiId"], context["stage"]) == (
        resource_id, beta["deploymentId"], API, "beta")
    assert response.json()["stageVariables"] == {"version": "v2"}
    mock = requests.get(f"{server.url}/restapis/{API}/prod/_user_request_/health", timeout=15)
    assert (mock.status_code, mock.text, mock.headers["X-Served-By"]) == (200, '{"ok":true}', "mock")


def test_errors_are_awss(apigw: Any) -> None:
    paths = _by_path(apigw)
    pets = paths["/pets"]["id"]
    cases = [
        (apigw.get_rest_api, {"restApiId": "nope"}, "Invalid API identifier specified 000000000000:nope"),
        (apigw.get_resources, {"restApiId": "nope"}, "Invalid API identifier specified 000000000000:nope"),
        (apigw.get_stages, {"restApiId": "nope"}, "Invalid API identifier specified 000000000000:nope"),
        (apigw.get_resource, {"restApiId": API, "resourceId": "zzzzzz"}, "Invalid Resource identifier specified"),
        (apigw.get_method, {"restApiId": "nope", "resourceId": pets, "httpMethod": "GET"},
         "Invalid Resource identifier specified"),
        (apigw.get_method, {"restApiId": API, "resourceId": pets, "httpMethod": "DELETE"},
         "Invalid Method identifier specified"),
        (apigw.get_integration, {"restApiId": API, "resourceId": pets, "httpMethod": "PUT"},
         "Invalid Method identifier specified"),
        (apigw.get_method_response, {"restApiId": API, "resourceId": pets, "httpMethod": "GET", "statusCode": "200"},
         "Invalid Response status code specified"),
        (apigw.get_stage, {"restApiId": API, "stageName": "gamma"}, "Invalid stage identifier specified"),
        (apigw.get_deployment, {"restApiId": API, "deploymentId": "zzzzzz"}, "Invalid Deployment identifier specified"),
        (apigw.get_authorizer, {"restApiId": API, "authorizerId": "zzzzzz"}, "Invalid Authorizer identifier specified"),
    ]
    for call, kwargs, message in cases:
        err = error_of(call, **kwargs)
        assert (err.status, err.code, err.message) == (404, "NotFoundException", message), (call, kwargs)

    bad_status = error_of(apigw.get_integration_response, restApiId=API, resourceId=pets, httpMethod="GET",
                          statusCode="abc")
    assert (bad_status.status, bad_status.code, bad_status.message) == (
        400, "ValidationException", "1 validation error detected: Value 'abc' at 'statusCode' failed to satisfy "
        "constraint: Member must satisfy regular expression pattern: [1-5]\\d\\d")
    bad_limit = error_of(apigw.get_rest_apis, limit=501)
    assert (bad_limit.status, bad_limit.code) == (400, "BadRequestException")
    bad_position = error_of(apigw.get_resources, restApiId=API, position="not-a-position")
    assert (bad_position.status, bad_position.code) == (400, "BadRequestException")


def test_writes_to_a_declared_api_last_until_the_file_changes(config_file: Path, tmp_path: Path) -> None:
    """A file-declared API is an API like any other: writes work and survive restarts while poolgate.yaml is
    unchanged; a changed declaration replaces the API (working copy, deployments, stages) at the next start."""
    database = f"sqlite+aiosqlite:///{tmp_path / 'declared.db'}"
    srv = start_server("--config", str(config_file), "--database-url", database)
    try:
        apigw = _client(srv.url)
        pets = _by_path_of(apigw, API)["/pets"]["id"]
        apigw.put_method(restApiId=API, resourceId=pets, httpMethod="PATCH", authorizationType="NONE")
        apigw.put_integration(restApiId=API, resourceId=pets, httpMethod="PATCH", type="MOCK",
                              requestTemplates={"application/json": '{"statusCode": 200}'})
        apigw.put_integration_response(restApiId=API, resourceId=pets, httpMethod="PATCH", statusCode="200",
                                       responseTemplates={"application/json": '{"patched":true}'})
        url = f"{srv.url}/restapis/{API}/prod/_user_request_/pets"
        assert requests.patch(url, timeout=15).status_code == 403  # not deployed yet
        apigw.create_deployment(restApiId=API, stageName="prod")
        assert requests.patch(url, timeout=15).json() == {"patched": True}
        unserved = error_of(apigw.get_sdk_types)
        assert (unserved.status, unserved.code) == (400, "BadRequestException")
        assert unserved.message.startswith("GetSdkTypes is not supported by poolgate yet")
    finally:
        stop_server(srv)
    srv = start_server("--config", str(config_file), "--database-url", database)
    try:  # the same file: the API as the apigateway API left it
        assert requests.patch(f"{srv.url}/restapis/{API}/prod/_user_request_/pets", timeout=15).status_code == 200
        assert "PATCH" in _by_path_of(_client(srv.url), API)["/pets"]["resourceMethods"]
    finally:
        stop_server(srv)
    changed = yaml.safe_load(config_file.read_text())
    changed["apis"][0]["name"] = "Control plane tests, changed"
    changed_file = tmp_path / "poolgate.yaml"
    changed_file.write_text(yaml.safe_dump(changed, sort_keys=False))
    (tmp_path / "functions").mkdir()
    (tmp_path / "functions" / "handlers.py").write_text(HANDLER)
    srv = start_server("--config", str(changed_file), "--database-url", database)
    try:  # a changed declaration replaces the API
        apigw = _client(srv.url)
        assert apigw.get_rest_api(restApiId=API)["name"] == "Control plane tests, changed"
        assert "PATCH" not in _by_path_of(apigw, API)["/pets"]["resourceMethods"]
        assert requests.patch(f"{srv.url}/restapis/{API}/prod/_user_request_/pets", timeout=15).status_code == 403
    finally:
        stop_server(srv)
    srv = start_server("--config", str(changed_file), "--database-url", database)
    try:  # deleted through the API: gone until the next start, which declares it again
        _client(srv.url).delete_rest_api(restApiId=API)
        assert requests.get(f"{srv.url}/restapis/{API}/prod/_user_request_/health", timeout=15).status_code == 403
    finally:
        stop_server(srv)
    srv = start_server("--config", str(changed_file), "--database-url", database)
    try:
        assert requests.get(f"{srv.url}/restapis/{API}/prod/_user_request_/health", timeout=15).status_code == 200
    finally:
        stop_server(srv)


def _by_path_of(apigw: Any, api_id: str) -> dict[str, Any]:
    return {item["path"]: item for item in apigw.get_resources(restApiId=api_id)["items"]}


def _signed(url: str, path: str, service: str = "apigateway", method: str = "GET") -> requests.Response:
    request = AWSRequest(method=method, url=f"{url}{path}")
    SigV4Auth(Credentials("AKIDCTLTEST", "secret"), service, "us-east-1").add_auth(request)
    return requests.request(method, request.url, headers=dict(request.headers), timeout=15)


def test_who_may_call_and_what_they_see(server: Server) -> None:
    elsewhere = _client(server.url, region="eu-west-1")
    assert elsewhere.get_rest_apis()["items"] == []
    err = error_of(elsewhere.get_rest_api, restApiId=API)
    assert (err.status, err.message) == (404, f"Invalid API identifier specified {ACCOUNT}:{API}")

    unsigned = boto3.client(
        "apigateway", endpoint_url=server.url, region_name="us-east-1",
        config=Config(signature_version=botocore.UNSIGNED, retries={"max_attempts": 0}))
    err = error_of(unsigned.get_rest_apis)
    assert (err.status, err.code, err.message) == (403, "MissingAuthenticationTokenException",
                                                     "Missing Authentication Token")

    wrong_service = _signed(server.url, "/restapis", service="execute-api")
    assert wrong_service.status_code == 403
    assert wrong_service.headers["x-amzn-ErrorType"] == "InvalidSignatureException"
    assert wrong_service.json() == {"message": "Credential should be scoped to correct service: 'apigateway'. "}

    raw = _signed(server.url, f"/restapis/{API}/resources?limit=abc")
    assert (raw.status_code, raw.headers["x-amzn-ErrorType"]) == (400, "BadRequestException")
    unknown = _signed(server.url, f"/restapis/{API}/nonsense")
    assert (unknown.status_code, unknown.headers["x-amzn-ErrorType"]) == (404, "UnknownOperationException")
    assert _signed(server.url, "/restapis").json()["item"]


def test_signed_mode_accepts_only_configured_keys(config_file: Path) -> None:
    srv = start_server("--config", str(config_file), "--credentials", "AKIDKNOWN0000001:known-secret-0000001",
                       "--credentials", "AKIDOTHER0000001:other-secret-0000001:444455556666", allow_reset=False)
    try:
        known = _client(srv.url, key="AKIDKNOWN0000001", secret="known-secret-0000001")
        assert {api["id"] for api in known.get_rest_apis()["items"]} == {API, CORS_API}
        wrong = error_of(_client(srv.url, key="AKIDKNOWN0000001", secret="wrong").get_rest_apis)
        assert (wrong.status, wrong.code) == (403, "InvalidSignatureException")
        stranger = error_of(_client(srv.url, key="AKIDSTRANGER", secret="x").get_rest_apis)
        assert (stranger.status, stranger.code) == (403, "UnrecognizedClientException")
        other_account = _client(srv.url, key="AKIDOTHER0000001", secret="other-secret-0000001")
        assert other_account.get_rest_apis()["items"] == []
        err = error_of(other_account.get_stage, restApiId=API, stageName="prod")
        assert err.message == f"Invalid API identifier specified 444455556666:{API}"
    finally:
        stop_server(srv)


def test_aws_cli_lists_the_apis(server: Server, tmp_path: Path) -> None:
    env = {**os.environ, "AWS_ACCESS_KEY_ID": "AKIDCLITEST", "AWS_SECRET_ACCESS_KEY": "secret",
           "AWS_DEFAULT_REGION": "us-east-1", "AWS_CONFIG_FILE": str(tmp_path / "config"),
           "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "credentials"), "AWS_PAGER": "", "AWS_MAX_ATTEMPTS": "1"}
    done = subprocess.run([sys.executable, "-m", "awscli", "apigateway", "get-rest-apis", "--endpoint-url",
                           server.url, "--output", "json"], env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert {api["id"] for api in json.loads(done.stdout)["items"]} == {API, CORS_API}
    refused = subprocess.run([sys.executable, "-m", "awscli", "apigateway", "get-sdk-types",
                              "--endpoint-url", server.url], env=env, capture_output=True, text=True, timeout=60)
    assert refused.returncode == 255
    assert "An error occurred (BadRequestException) when calling the GetSdkTypes operation: GetSdkTypes is " \
           "not supported" in refused.stderr
