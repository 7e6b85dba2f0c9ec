"""In-process Python functions' versions and aliases through the gateway: each version runs its own code
(before: the runtime cached a Python handler by the function's name, so ``name:alias`` answered KeyError →
502 on its first request, or ran another version's code)."""

from __future__ import annotations

from pathlib import Path

import boto3
import requests

from tests.lambdas.helpers import lambda_client
from tests.lambdas.test_lambda_api import ROLE
from tests.support import start_server, stop_server, zip_files


def _code(n: int) -> dict[str, str]:
    return {"app.py": f"""import json
def handler(event, context):
    return {{"statusCode": 200, "body": json.dumps({{"v": {n}, "version": context.function_version}})}}
"""}


def test_python_versions_and_aliases_behind_the_gateway(tmp_path: Path) -> None:
    server = start_server("--no-demo", data_dir=tmp_path)
    try:
        client = lambda_client(server)
        client.create_function(FunctionName="py-ver", Runtime="python3.12", Role=ROLE, Handler="app.handler",
                               Code={"ZipFile": zip_files(_code(1))})
        client.publish_version(FunctionName="py-ver")
        client.update_function_code(FunctionName="py-ver", ZipFile=zip_files(_code(2)))
        client.publish_version(FunctionName="py-ver")
        client.update_function_code(FunctionName="py-ver", ZipFile=zip_files(_code(3)))
        client.create_alias(FunctionName="py-ver", Name="live", FunctionVersion="1")
        apigw = boto3.client("apigateway", endpoint_url=server.url, region_name="us-east-1",
                             aws_access_key_id="AKIDTEST", aws_secret_access_key="secretsecretsecret")
        api = apigw.create_rest_api(name="py-versions")["id"]
        root = apigw.get_resources(restApiId=api)["items"][0]["id"]
        for part, qualifier in (("live", ":live"), ("two", ":2"), ("latest", "")):
            resource = apigw.create_resource(restApiId=api, parentId=root, pathPart=part)["id"]
            apigw.put_method(restApiId=api, resourceId=resource, httpMethod="GET", authorizationType="NONE")
            apigw.put_integration(
                restApiId=api, resourceId=resource, httpMethod="GET", type="AWS_PROXY", integrationHttpMethod="POST",
                uri="arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/"
                    f"arn:aws:lambda:us-east-1:000000000000:function:py-ver{qualifier}/invocations")
        apigw.create_deployment(restApiId=api, stageName="prod")

        def through(part: str) -> object:
            response = requests.get(f"{server.url}/restapis/{api}/prod/_user_request_/{part}", timeout=30)
            assert response.status_code == 200, response.text
            return response.json()

        assert through("live") == {"v": 1, "version": "1"}
        assert through("two") == {"v": 2, "version": "2"}
        assert through("latest") == {"v": 3, "version": "$LATEST"}
        assert through("live") == {"v": 1, "version": "1"}
    finally:
        stop_server(server)
