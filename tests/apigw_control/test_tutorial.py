"""The tutorial every API Gateway user follows, with boto3 over real HTTP against one poolgate: a user pool, a
client and a user; an API built step by step (resource, GET method, Lambda proxy integration to a local
function), deployed and called; then a Cognito authorizer attached with UpdateMethod, which the stage serves
only after a redeployment; stage variables live; restart keeps everything. On SQLite and PostgreSQL."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
import requests
import yaml
from botocore.config import Config

from ..cognito.helpers import admin_user, error_of, new_client, new_pool, sign_in
from ..conftest import cognito_client
from ..support import Server, start_server, stop_server, temporary_postgres_database, zip_files

HANDLER = '''
import json

def hello(event, context):
    return {"statusCode": 200, "headers": {"Content-Type": "application/json"},
            "body": json.dumps({"hello": "world", "resourceId": event["requestContext"]["resourceId"],
                                "deploymentId": event["requestContext"]["deploymentId"],
                                "stageVariables": event["stageVariables"],
                                "claims": (event["requestContext"].get("authorizer") or {}).get("claims")})}
'''


def function_uri(name: str, region: str = "us-east-1", account: str = "000000000000") -> str:
    return (f"arn:aws:apigateway:{region}:lambda:path/2015-03-31/functions/"
            f"arn:aws:lambda:{region}:{account}:function:{name}/invocations")


def write_config(tmp: Path) -> Path:
    (tmp / "functions").mkdir(exist_ok=True)
    (tmp / "functions" / "app.py").write_text(HANDLER)
    path = tmp / "poolgate.yaml"
    path.write_text(yaml.safe_dump({"functions": {"hello": {"handler": "app.hello", "code": "./functions"}}}))
    return path


def apigateway(url: str, region: str = "us-east-1", key: str = "AKIDTUTORIAL", secret: str = "secret") -> Any:
    return boto3.client("apigateway", endpoint_url=url, region_name=region, aws_access_key_id=key,
                        aws_secret_access_key=secret, config=Config(retries={"max_attempts": 0}))


@pytest.fixture(params=["sqlite", "postgres"])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'tutorial.db'}"
        return
    from ..conftest import _require_postgres

    _require_postgres()
    with temporary_postgres_database() as url:
        yield url


def invoke(server: Server, api_id: str, stage: str, path: str, **kwargs: Any) -> requests.Response:
    return requests.get(f"{server.url}/restapis/{api_id}/{stage}/_user_request_{path}", timeout=15, **kwargs)


def test_tutorial(database: str, tmp_path: Path) -> None:
    config = write_config(tmp_path)
    server = start_server("--no-demo", "--config", str(config), database_url=database)
    try:
        idp = cognito_client(server.url)
        pool_id = new_pool(idp)
        pool_arn = idp.describe_user_pool(UserPoolId=pool_id)["UserPool"]["Arn"]
        client_id = new_client(idp, pool_id, ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"])["ClientId"]
        admin_user(idp, pool_id, "alice")
        id_token = sign_in(idp, client_id, "alice")["IdToken"]

        apigw = apigateway(server.url)
        api = apigw.create_rest_api(name="Tutorial")
        api_id, root_id = api["id"], api["rootResourceId"]
        assert len(api_id) == 10 and len(root_id) == 6 and api["createdDate"]
        hello = apigw.create_resource(restApiId=api_id, parentId=root_id, pathPart="hello")
        assert (hello["path"], hello["parentId"], len(hello["id"])) == ("/hello", root_id, 6)
        apigw.put_method(restApiId=api_id, resourceId=hello["id"], httpMethod="GET", authorizationType="NONE")
        apigw.put_integration(restApiId=api_id, resourceId=hello["id"], httpMethod="GET", type="AWS_PROXY",
                              integrationHttpMethod="POST", uri=function_uri("hello"))
        assert invoke(server, api_id, "prod", "/hello").status_code == 403  # nothing deployed yet
        first = apigw.create_deployment(restApiId=api_id, stageName="prod")
        answer = invoke(server, api_id, "prod", "/hello")
        assert answer.status_code == 200, answer.text
        assert answer.json()["hello"] == "world"
        assert (answer.json()["resourceId"], answer.json()["deploymentId"]) == (hello["id"], first["id"])

        authorizer = apigw.create_authorizer(restApiId=api_id, name="Pool", type="COGNITO_USER_POOLS",
                                             providerARNs=[pool_arn],
                                             identitySource="method.request.header.Authorization")
        apigw.update_method(restApiId=api_id, resourceId=hello["id"], httpMethod="GET", patchOperations=[
            {"op": "replace", "path": "/authorizationType", "value": "COGNITO_USER_POOLS"},
            {"op": "replace", "path": "/authorizerId", "value": authorizer["id"]}])
        method = apigw.get_method(restApiId=api_id, resourceId=hello["id"], httpMethod="GET")
        assert (method["authorizationType"], method["authorizerId"]) == ("COGNITO_USER_POOLS", authorizer["id"])
        # the stage still serves the first deployment: no authorizer yet
        assert invoke(server, api_id, "prod", "/hello").status_code == 200
        second = apigw.create_deployment(restApiId=api_id, stageName="prod")
        refused = invoke(server, api_id, "prod", "/hello")
        assert (refused.status_code, refused.json()) == (401, {"message": "Unauthorized"})
        allowed = invoke(server, api_id, "prod", "/hello", headers={"Authorization": id_token})
        assert allowed.status_code == 200, allowed.text
        assert allowed.json()["claims"]["cognito:username"] == "alice"
        assert allowed.json()["deploymentId"] == second["id"]

        # a stage pointing at the older deployment serves it; stage variables take effect at once
        apigw.create_stage(restApiId=api_id, stageName="old", deploymentId=first["id"], variables={"v": "1"})
        old = invoke(server, api_id, "old", "/hello")
        assert old.status_code == 200 and old.json()["stageVariables"] == {"v": "1"}
        apigw.update_stage(restApiId=api_id, stageName="old",
                           patchOperations=[{"op": "replace", "path": "/variables/v", "value": "2"}])
        assert invoke(server, api_id, "old", "/hello").json()["stageVariables"] == {"v": "2"}
        apigw.update_stage(restApiId=api_id, stageName="old",
                           patchOperations=[{"op": "replace", "path": "/deploymentId", "value": second["id"]}])
        assert invoke(server, api_id, "old", "/hello").status_code == 401
    finally:
        stop_server(server)

    # the same port: tokens name their issuer by the server's address
    server = start_server("--no-demo", "--config", str(config), database_url=database, port=server.port)
    try:  # a restart keeps the API, its deployments and stages
        apigw = apigateway(server.url)
        assert apigw.get_rest_api(restApiId=api_id)["name"] == "Tutorial"
        assert {stage["stageName"] for stage in apigw.get_stages(restApiId=api_id)["item"]} == {"old", "prod"}
        assert invoke(server, api_id, "prod", "/hello").status_code == 401
        again = invoke(server, api_id, "prod", "/hello", headers={"Authorization": id_token})
        assert again.status_code == 200, again.text
        apigw.delete_stage(restApiId=api_id, stageName="old")
        assert invoke(server, api_id, "old", "/hello").status_code == 403
        apigw.delete_rest_api(restApiId=api_id)
        assert invoke(server, api_id, "prod", "/hello").status_code == 403
        err = error_of(apigw.get_rest_api, restApiId=api_id)
        assert (err.status, err.message) == (404, f"Invalid API identifier specified 000000000000:{api_id}")
    finally:
        stop_server(server)


def test_apis_belong_to_the_callers_account_and_region(tmp_path: Path) -> None:
    server = start_server("--no-demo", "--credentials", "AKIAONEONEONEONE1:wJalrXUtnFEMIK7MDENG1:111122223333",
                          "--credentials", "AKIATWOTWOTWOTWO2:wJalrXUtnFEMIK7MDENG2:444455556666", allow_reset=False)
    try:
        one = apigateway(server.url, key="AKIAONEONEONEONE1", secret="wJalrXUtnFEMIK7MDENG1")
        two = apigateway(server.url, key="AKIATWOTWOTWOTWO2", secret="wJalrXUtnFEMIK7MDENG2")
        one_elsewhere = apigateway(server.url, region="eu-west-1", key="AKIAONEONEONEONE1",
                                   secret="wJalrXUtnFEMIK7MDENG1")
        api_id = one.create_rest_api(name="Mine")["id"]
        assert [api["id"] for api in one.get_rest_apis()["items"]] == [api_id]
        assert two.get_rest_apis()["items"] == []
        assert one_elsewhere.get_rest_apis()["items"] == []
        err = error_of(two.get_rest_api, restApiId=api_id)
        assert (err.status, err.message) == (404, f"Invalid API identifier specified 444455556666:{api_id}")
        err = error_of(two.delete_rest_api, restApiId=api_id)
        assert err.status == 404
        assert one.get_rest_api(restApiId=api_id)["name"] == "Mine"
    finally:
        stop_server(server)


def _deployed_root_proxy(apigw: Any, name: str, function: str) -> dict[str, Any]:
    """A new API whose GET / is an AWS_PROXY integration with `function`, deployed to stage prod."""
    api: dict[str, Any] = apigw.create_rest_api(name=name)
    apigw.put_method(restApiId=api["id"], resourceId=api["rootResourceId"], httpMethod="GET",
                     authorizationType="NONE")
    apigw.put_integration(restApiId=api["id"], resourceId=api["rootResourceId"], httpMethod="GET",
                          type="AWS_PROXY", integrationHttpMethod="POST", uri=function_uri(function))
    apigw.create_deployment(restApiId=api["id"], stageName="prod")
    return api


def test_invalid_function_answers_500_and_logs(tmp_path: Path) -> None:
    """AWS accepts an integration naming a function that does not exist; calls answer 500 and the reason is
    logged (poolgate logs it to its own log)."""
    config = write_config(tmp_path)
    server = start_server("--no-demo", "--config", str(config))
    try:
        apigw = apigateway(server.url)
        api = _deployed_root_proxy(apigw, "Broken", "nosuchfunction")
        answer = invoke(server, api["id"], "prod", "/")
        assert (answer.status_code, answer.json()) == (500, {"message": "Internal server error"})
        deadline = time.monotonic() + 5
        while "nosuchfunction" not in server.log_path.read_text() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert "names function 'nosuchfunction', which is not declared" in server.log_path.read_text()
    finally:
        stop_server(server)


NODE_HELLO = """export const handler = async () => ({ statusCode: 200, body: 'made later' });
"""


def test_a_function_made_after_the_deployment_is_served_after_the_next_change() -> None:
    """AWS resolves a Lambda integration's function when it is called; poolgate binds it when a stage
    compiles, so a method naming a function the lambda API creates later answers 500 until any later change
    (here: another API's deployment) makes every process compile it again."""
    server = start_server("--no-demo")
    try:
        apigw = apigateway(server.url)
        api = _deployed_root_proxy(apigw, "Later", "later-fn")
        assert invoke(server, api["id"], "prod", "/").status_code == 500
        lambdas = boto3.client("lambda", endpoint_url=server.url, region_name="us-east-1",
                               aws_access_key_id="AKIDTUTORIAL", aws_secret_access_key="secret",
                               config=Config(retries={"max_attempts": 0}, read_timeout=60))
        lambdas.create_function(FunctionName="later-fn", Runtime="nodejs20.x", Handler="index.handler",
                                Role="arn:aws:iam::000000000000:role/lambda-role",
                                Code={"ZipFile": zip_files({"index.mjs": NODE_HELLO})})
        other = apigw.create_rest_api(name="Other")
        apigw.put_method(restApiId=other["id"], resourceId=other["rootResourceId"], httpMethod="GET",
                         authorizationType="NONE")
        apigw.put_integration(restApiId=other["id"], resourceId=other["rootResourceId"], httpMethod="GET",
                              type="MOCK")
        apigw.create_deployment(restApiId=other["id"], stageName="prod")
        answer = invoke(server, api["id"], "prod", "/")
        assert (answer.status_code, answer.text) == (200, "made later")
    finally:
        stop_server(server)
