"""Building an API through the apigateway API (issue 12): 300 resources x 2 methods (GET MOCK, POST Lambda proxy)
created with boto3 against a real server, then deployed; prints the seconds to build, the CreateDeployment
call, and the seconds from the start to the first 200 on the invoke URL (goals: under 15 s to the first 200,
under 0.5 s for the deployment).

    python bench/apigw_build.py [--resources 300] [--database-url postgresql+asyncpg://…]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import boto3
import urllib3
from _server import start_poolgate, stop
from botocore.config import Config

HANDLER = "def hello(event, context):\n    return {'statusCode': 200, 'body': 'hi'}\n"
URI = ("arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/"
       "arn:aws:lambda:us-east-1:000000000000:function:hello/invocations")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--resources", type=int, default=300)
    parser.add_argument("--database-url")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="poolgate-bench-apigw-"))
    (folder / "functions").mkdir()
    (folder / "functions" / "app.py").write_text(HANDLER)
    (folder / "poolgate.yaml").write_text("functions: {hello: {handler: app.hello, code: ./functions}}\n")
    extra = ["--database-url", args.database_url] if args.database_url else []
    process, url = start_poolgate("--no-demo", "--config", str(folder / "poolgate.yaml"), *extra)
    try:
        apigw = boto3.client("apigateway", endpoint_url=url, region_name="us-east-1", aws_access_key_id="AKIDBENCH",
                             aws_secret_access_key="secret", config=Config(retries={"max_attempts": 0}))
        start = time.perf_counter()
        api = apigw.create_rest_api(name="bench")
        api_id, parent = api["id"], api["rootResourceId"]
        for index in range(args.resources):
            resource = apigw.create_resource(restApiId=api_id, parentId=parent, pathPart=f"r{index}")["id"]
            for verb in ("GET", "POST"):
                apigw.put_method(restApiId=api_id, resourceId=resource, httpMethod=verb, authorizationType="NONE")
            apigw.put_integration(restApiId=api_id, resourceId=resource, httpMethod="GET", type="MOCK",
                                  requestTemplates={"application/json": '{"statusCode": 200}'})
            apigw.put_integration_response(restApiId=api_id, resourceId=resource, httpMethod="GET",
                                           statusCode="200")
            apigw.put_integration(restApiId=api_id, resourceId=resource, httpMethod="POST", type="AWS_PROXY",
                                  integrationHttpMethod="POST", uri=URI)
        built = time.perf_counter()
        apigw.create_deployment(restApiId=api_id, stageName="prod")
        deployed = time.perf_counter()
        http = urllib3.PoolManager()
        last = f"{url}/restapis/{api_id}/prod/_user_request_/r{args.resources - 1}"
        while http.request("POST", last).status != 200:
            time.sleep(0.005)
        served = time.perf_counter()
        calls = 1 + args.resources * 6
        print(f"build {args.resources} resources x 2 methods ({calls} calls): {built - start:.2f} s "
              f"({(built - start) / calls * 1000:.1f} ms per call)")
        print(f"CreateDeployment: {deployed - built:.3f} s (goal < 0.5 s)")
        print(f"start to first 200 on the invoke URL: {served - start:.2f} s (goal < 15 s); "
              f"deployment to first 200: {served - built:.3f} s")
    finally:
        stop(process)


if __name__ == "__main__":
    main()
