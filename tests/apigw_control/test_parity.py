"""The same API declared in poolgate.yaml and built step by step with boto3 answers a table of requests
identically (status, the headers a client reads, and what the Lambda function was given)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import requests
import yaml

from ..cognito.helpers import admin_user, new_client, sign_in
from ..conftest import cognito_client
from ..support import Server, start_server, stop_server
from .test_tutorial import apigateway, function_uri

POOL = "us-east-1_ParityPool1"
POOL_ARN = f"arn:aws:cognito-idp:us-east-1:000000000000:userpool/{POOL}"
ECHO = '''
import json

def echo(event, context):
    return {"statusCode": 200, "headers": {"X-Echo": "1"}, "body": json.dumps(event)}
'''
YAML_API = "parityyaml"


def _config(tmp: Path) -> Path:
    (tmp / "functions").mkdir()
    (tmp / "functions" / "app.py").write_text(ECHO)
    config = {
        "userPools": [{"id": POOL, "name": "Parity"}],
        "functions": {"echo": {"handler": "app.echo", "code": "./functions"}},
        "apis": [{
            "id": YAML_API, "name": "Parity",
            "authorizers": {"Pool": {"type": "COGNITO_USER_POOLS", "providerARNs": [POOL_ARN]}},
            "resources": {
                "/pets": {"GET": {"authorizer": "Pool", "integration": {"type": "AWS_PROXY", "function": "echo"}},
                          "POST": {"integration": {"type": "AWS_PROXY", "function": "echo"}}},
                "/pets/{petId}": {"GET": {"integration": {"type": "AWS_PROXY", "function": "echo"}}},
                "/health": {"GET": {"integration": {"type": "MOCK", "statusCode": 200, "body": '{"ok":true}',
                                                    "headers": {"X-Mock": "yes"}}}},
            },
            "stages": {"prod": {"variables": {"version": "v1"}}},
        }],
    }
    path = tmp / "poolgate.yaml"
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    return path


def _built(apigw: Any) -> str:
    api = apigw.create_rest_api(name="Parity")
    api_id, root = api["id"], api["rootResourceId"]
    authorizer = apigw.create_authorizer(restApiId=api_id, name="Pool", type="COGNITO_USER_POOLS",
                                         providerARNs=[POOL_ARN], identitySource="method.request.header.Authorization")
    pets = apigw.create_resource(restApiId=api_id, parentId=root, pathPart="pets")["id"]
    pet = apigw.create_resource(restApiId=api_id, parentId=pets, pathPart="{petId}")["id"]
    health = apigw.create_resource(restApiId=api_id, parentId=root, pathPart="health")["id"]
    for resource, verb, auth in ((pets, "GET", True), (pets, "POST", False), (pet, "GET", False)):
        apigw.put_method(restApiId=api_id, resourceId=resource, httpMethod=verb,
                         authorizationType="COGNITO_USER_POOLS" if auth else "NONE",
                         **({"authorizerId": authorizer["id"]} if auth else {}))
        apigw.put_integration(restApiId=api_id, resourceId=resource, httpMethod=verb, type="AWS_PROXY",
                              integrationHttpMethod="POST", uri=function_uri("echo"))
    apigw.put_method(restApiId=api_id, resourceId=health, httpMethod="GET", authorizationType="NONE")
    apigw.put_integration(restApiId=api_id, resourceId=health, httpMethod="GET", type="MOCK",
                          requestTemplates={"application/json": '{"statusCode": 200}'})
    apigw.put_method_response(restApiId=api_id, resourceId=health, httpMethod="GET", statusCode="200",
                              responseParameters={"method.response.header.X-Mock": False})
    apigw.put_integration_response(restApiId=api_id, resourceId=health, httpMethod="GET", statusCode="200",
                                   responseParameters={"method.response.header.X-Mock": "'yes'"},
                                   responseTemplates={"application/json": '{"ok":true}'})
    apigw.create_deployment(restApiId=api_id, stageName="prod", variables={"version": "v1"})
    return str(api_id)


def _seen(server: Server, api_id: str, method: str, path: str, headers: dict[str, str],
          body: str | None) -> tuple[Any, ...]:
    answer = requests.request(method, f"{server.url}/restapis/{api_id}/prod/_user_request_{path}", headers=headers,
                              data=body, timeout=15)
    event: Any = answer.text
    if answer.headers.get("X-Echo") == "1":
        given = answer.json()
        context = given["requestContext"]
        event = (given["resource"], given["path"], given["httpMethod"], given["pathParameters"],
                 given["queryStringParameters"], given["stageVariables"], given["body"], context["resourcePath"],
                 context["stage"], ((context.get("authorizer") or {}).get("claims") or {}).get("cognito:username"))
    return (answer.status_code, answer.headers.get("Content-Type"), answer.headers.get("X-Mock"),
            answer.headers.get("x-amzn-ErrorType"), json.dumps(event))


def test_file_and_api_answer_alike(tmp_path: Path) -> None:
    server = start_server("--no-demo", "--config", str(_config(tmp_path)))
    try:
        idp = cognito_client(server.url)
        client_id = new_client(idp, POOL)["ClientId"]
        admin_user(idp, POOL, "carol")
        token = sign_in(idp, client_id, "carol")["IdToken"]
        built = _built(apigateway(server.url))
        table = [
            ("GET", "/pets", {}, None),
            ("GET", "/pets", {"Authorization": "garbage"}, None),
            ("GET", "/pets?limit=2&limit=3", {"Authorization": token}, None),
            ("POST", "/pets", {"Content-Type": "application/json"}, '{"name":"rex"}'),
            ("GET", "/pets/42", {}, None),
            ("GET", "/pets/a%20b", {}, None),
            ("DELETE", "/pets/42", {}, None),
            ("GET", "/health", {}, None),
            ("GET", "/nothing", {}, None),
            ("GET", "/pets/42/toys", {}, None),
        ]
        for method, path, headers, body in table:
            declared = _seen(server, YAML_API, method, path, headers, body)
            made = _seen(server, built, method, path, headers, body)
            assert declared == made, (method, path)
        assert _seen(server, built, "GET", "/pets", {"Authorization": token}, None)[0] == 200
    finally:
        stop_server(server)
