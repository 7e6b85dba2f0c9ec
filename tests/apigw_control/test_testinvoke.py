"""TestInvokeMethod and TestInvokeAuthorizer run the working copy (no deployment needed), with boto3 over HTTP:
the method's answer without authorization, as the console's test gives it; a Cognito authorizer's claims for a
good token and 401 otherwise; a Lambda authorizer's principal and policy."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from ..cognito.helpers import admin_user, error_of, new_client, new_pool, sign_in
from ..conftest import cognito_client
from ..support import Server, start_server, stop_server
from .test_tutorial import HANDLER, apigateway, function_uri

AUTHORIZER = '''
def token(event, context):
    if event["authorizationToken"] != "allow":
        raise Exception("Unauthorized")
    return {"principalId": "user-1", "context": {"tier": "gold"},
            "policyDocument": {"Version": "2012-10-17", "Statement": [
                {"Action": "execute-api:Invoke", "Effect": "Allow", "Resource": event["methodArn"]}]}}
'''


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    tmp = tmp_path_factory.mktemp("testinvoke")
    (tmp / "functions").mkdir()
    (tmp / "functions" / "app.py").write_text(HANDLER)
    (tmp / "functions" / "auth.py").write_text(AUTHORIZER)
    config = {"functions": {"hello": {"handler": "app.hello", "code": "./functions"},
                            "tokens": {"handler": "auth.token", "code": "./functions"}}}
    (tmp / "poolgate.yaml").write_text(yaml.safe_dump(config))
    srv = start_server("--no-demo", "--config", str(tmp / "poolgate.yaml"))
    try:
        yield srv
    finally:
        stop_server(srv)


@pytest.fixture
def api(server: Server) -> tuple[Any, dict[str, Any], str]:
    apigw = apigateway(server.url)
    api = apigw.create_rest_api(name="Tested")
    hello = apigw.create_resource(restApiId=api["id"], parentId=api["rootResourceId"], pathPart="hello")["id"]
    apigw.put_method(restApiId=api["id"], resourceId=hello, httpMethod="GET", authorizationType="NONE")
    apigw.put_integration(restApiId=api["id"], resourceId=hello, httpMethod="GET", type="AWS_PROXY",
                          integrationHttpMethod="POST", uri=function_uri("hello"))
    return apigw, api, hello


def test_invoke_method_runs_the_working_copy(api: tuple[Any, dict[str, Any], str]) -> None:
    apigw, created, hello = api
    answer = apigw.test_invoke_method(restApiId=created["id"], resourceId=hello, httpMethod="GET",
                                      pathWithQueryString="/hello?x=1", stageVariables={"v": "1"},
                                      headers={"X-Test": "yes"})
    assert answer["status"] == 200, answer
    body = json.loads(answer["body"])
    assert (body["hello"], body["resourceId"], body["stageVariables"]) == ("world", hello, {"v": "1"})
    assert answer["headers"]["Content-Type"] == "application/json"
    assert answer["multiValueHeaders"]["Content-Type"] == ["application/json"]
    assert "Method completed with status: 200" in answer["log"] and answer["latency"] >= 0
    assert apigw.get_stages(restApiId=created["id"])["item"] == []  # nothing was deployed

    err = error_of(apigw.test_invoke_method, restApiId=created["id"], resourceId=hello, httpMethod="POST")
    assert (err.status, err.message) == (404, "Invalid Method identifier specified")
    err = error_of(apigw.test_invoke_method, restApiId=created["id"], resourceId="nope00", httpMethod="GET")
    assert (err.status, err.message) == (404, "Invalid Resource identifier specified")


def test_invoke_method_skips_authorization(api: tuple[Any, dict[str, Any], str], server: Server) -> None:
    apigw, created, hello = api
    authorizer = apigw.create_authorizer(restApiId=created["id"], name="L", type="TOKEN",
                                         authorizerUri=function_uri("tokens"),
                                         identitySource="method.request.header.Authorization")
    apigw.update_method(restApiId=created["id"], resourceId=hello, httpMethod="GET", patchOperations=[
        {"op": "replace", "path": "/authorizationType", "value": "CUSTOM"},
        {"op": "replace", "path": "/authorizerId", "value": authorizer["id"]}])
    answer = apigw.test_invoke_method(restApiId=created["id"], resourceId=hello, httpMethod="GET")
    assert answer["status"] == 200


def test_invoke_cognito_authorizer(api: tuple[Any, dict[str, Any], str], server: Server) -> None:
    apigw, created, _ = api
    idp = cognito_client(server.url)
    pool_id = new_pool(idp)
    client_id = new_client(idp, pool_id)["ClientId"]
    admin_user(idp, pool_id, "bob")
    token = sign_in(idp, client_id, "bob")["IdToken"]
    arn = idp.describe_user_pool(UserPoolId=pool_id)["UserPool"]["Arn"]
    authorizer = apigw.create_authorizer(restApiId=created["id"], name="Pool", type="COGNITO_USER_POOLS",
                                         providerARNs=[arn], identitySource="method.request.header.Authorization")
    good = apigw.test_invoke_authorizer(restApiId=created["id"], authorizerId=authorizer["id"],
                                        headers={"Authorization": token})
    assert good["clientStatus"] == 0, good["log"]
    assert good["claims"]["cognito:username"] == "bob" and good["claims"]["aud"] == client_id
    for headers in ({}, {"Authorization": "not-a-token"}):
        bad = apigw.test_invoke_authorizer(restApiId=created["id"], authorizerId=authorizer["id"], headers=headers)
        assert bad["clientStatus"] == 401 and "claims" not in bad
    err = error_of(apigw.test_invoke_authorizer, restApiId=created["id"], authorizerId="nope00")
    assert (err.status, err.message) == (404, "Invalid Authorizer identifier specified")


def test_invoke_lambda_authorizer(api: tuple[Any, dict[str, Any], str], tmp_path: Path) -> None:
    apigw, created, _ = api
    authorizer = apigw.create_authorizer(restApiId=created["id"], name="Tokens", type="TOKEN",
                                         authorizerUri=function_uri("tokens"),
                                         identitySource="method.request.header.Authorization")
    allowed = apigw.test_invoke_authorizer(restApiId=created["id"], authorizerId=authorizer["id"],
                                           headers={"Authorization": "allow"})
    assert allowed["clientStatus"] == 0, allowed["log"]
    assert allowed["principalId"] == "user-1"
    assert json.loads(allowed["policy"])["Statement"][0]["Effect"] == "Allow"
    refused = apigw.test_invoke_authorizer(restApiId=created["id"], authorizerId=authorizer["id"],
                                           headers={"Authorization": "deny"})
    assert refused["clientStatus"] == 401
    missing = apigw.test_invoke_authorizer(restApiId=created["id"], authorizerId=authorizer["id"])
    assert missing["clientStatus"] == 401
