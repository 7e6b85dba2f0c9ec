"""Functions: Recent invocations with their logs, per request id, read in Debian's chromium by roles and labels
only. A Python function's Test in the console shows START, its print, END and REPORT under Lambda's request id; an
API Gateway request to it shows the handler's output under the request id the client got (x-amzn-RequestId); a
Node.js function invoked by boto3 (out of process) shows its START, console.log line, END and REPORT."""

from __future__ import annotations

import json
import re
from typing import Any

import boto3
import requests
from botocore.config import Config

from ..support import Server, zip_files

PYTHON = '''import json

def handler(event, context):
    print("python saw", event.get("path"), flush=True)
    return {"statusCode": 200, "body": json.dumps({"ok": True})}
'''
NODE = """export const handler = async (event) => {
  console.log('node saw', event.n);
  return { n: event.n + 1 };
};
"""


def _client(server: Server, service: str) -> Any:
    return boto3.client(service, endpoint_url=server.url, region_name="us-east-1", aws_access_key_id="AKIDTEST",
                        aws_secret_access_key="secretsecretsecret",
                        config=Config(retries={"max_attempts": 0}, read_timeout=60))


def test_recent_invocations_with_their_logs(server: Server, browser: Any) -> None:
    from playwright.sync_api import expect

    lam = _client(server, "lambda")
    made = lam.create_function(FunctionName="recent-py", Runtime="python3.12", Handler="app.handler",
                               Role="arn:aws:iam::000000000000:role/lambda-role",
                               Code={"ZipFile": zip_files({"app.py": PYTHON})})
    lam.create_function(FunctionName="recent-node", Runtime="nodejs20.x", Handler="index.handler",
                        Role="arn:aws:iam::000000000000:role/lambda-role",
                        Code={"ZipFile": zip_files({"index.mjs": NODE})})

    page = browser.new_context().new_page()
    page.goto(f"{server.url}/_console/functions/recent-py")
    expect(page.get_by_role("region", name=re.compile("^Log events"))).to_have_count(0)
    page.get_by_label("Event JSON").fill('{"path": "/from-test"}')
    page.get_by_role("button", name="Test", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("Executing function: succeeded")
    log = page.get_by_role("region", name=re.compile("^Log events"))
    expect(log).to_have_count(1)
    text = log.inner_text()
    request_id = re.search(r"START RequestId: (\S+)", text)
    assert request_id, text
    assert re.search(rf"START RequestId: {request_id[1]}.*\npython saw /from-test\nEND RequestId: {request_id[1]}"
                     rf"\nREPORT RequestId: {request_id[1]}\tDuration", text), text
    expect(page.get_by_role("heading", name=re.compile(f"RequestId: {request_id[1]}$"))).to_be_visible()

    apigw = _client(server, "apigateway")
    api = apigw.create_rest_api(name="Recent")
    apigw.put_method(restApiId=api["id"], resourceId=api["rootResourceId"], httpMethod="GET",
                     authorizationType="NONE")
    apigw.put_integration(restApiId=api["id"], resourceId=api["rootResourceId"], httpMethod="GET",
                          type="AWS_PROXY", integrationHttpMethod="POST",
                          uri=f"arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/"
                              f"{made['FunctionArn']}/invocations")
    apigw.create_deployment(restApiId=api["id"], stageName="prod")
    answer = requests.get(f"{server.url}/restapis/{api['id']}/prod/_user_request_/", timeout=30)
    assert answer.status_code == 200, answer.text
    gateway_id = answer.headers["x-amzn-RequestId"]
    page.goto(f"{server.url}/_console/functions/recent-py")
    expect(page.get_by_role("region", name=re.compile("^Log events"))).to_have_count(2)
    newest = page.get_by_role("region", name=re.compile("^Log events")).first  # newest first
    expect(newest).to_have_accessible_name(f"Log events {gateway_id}")
    expect(newest).to_contain_text("python saw /")

    outcome = lam.invoke(FunctionName="recent-node", Payload=json.dumps({"n": 41}).encode())
    assert json.loads(outcome["Payload"].read()) == {"n": 42}
    page.goto(f"{server.url}/_console/functions/recent-node")
    node_log = page.get_by_role("region", name=re.compile("^Log events"))
    expect(node_log).to_have_count(1)
    node_text = node_log.inner_text()
    assert re.search(r"^START RequestId: (\S+) Version: \$LATEST\n.*\t\1\tINFO\tnode saw 41\nEND RequestId: \1\n"
                     r"REPORT RequestId: \1\tDuration", node_text, re.S | re.M), node_text
