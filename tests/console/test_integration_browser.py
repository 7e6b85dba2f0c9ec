"""Edit integration request in the console, in Debian's chromium by roles and labels only: a Mock method becomes
an HTTP integration to a local server, then a Lambda function with Lambda proxy integration, then a non-proxy
Lambda integration with an application/json mapping template, then Mock again whose integration response's template
is the body; Test answers what each integration answers, and boto3's GetIntegration sees each change."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import boto3
import pytest
from botocore.config import Config

from ..support import Server, zip_files

ECHO = '''import json

def handler(event, context):
    return {"statusCode": 200, "body": json.dumps({"proxy": event["path"]})}
'''


class _Upstream(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body = json.dumps({"from": "upstream", "path": self.path}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture()
def upstream() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Upstream)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def _client(server: Server, service: str) -> Any:
    return boto3.client(service, endpoint_url=server.url, region_name="us-east-1", aws_access_key_id="AKIDTEST",
                        aws_secret_access_key="secretsecretsecret",
                        config=Config(retries={"max_attempts": 0}, read_timeout=60))


def test_edit_integration_request(server: Server, browser: Any, upstream: str) -> None:
    from playwright.sync_api import expect

    _client(server, "lambda").create_function(
        FunctionName="integration-echo", Runtime="python3.12", Role="arn:aws:iam::000000000000:role/lambda-role",
        Handler="echo.handler", Code={"ZipFile": zip_files({"echo.py": ECHO})})
    apigw = _client(server, "apigateway")
    page = browser.new_context().new_page()
    page.goto(f"{server.url}/_console/apis/create")
    page.get_by_label("API name").fill("Integrations")
    page.get_by_role("button", name="Create API").click()
    page.get_by_role("link", name="Create resource").click()
    page.get_by_label("Resource name").fill("things")
    page.get_by_role("button", name="Create resource").click()
    page.get_by_role("link", name="Create method").click()
    page.get_by_label("Method type").select_option("GET")
    page.get_by_role("radio", name="Mock").check()
    page.get_by_role("button", name="Create method").click()
    expect(page.get_by_role("heading", name="GET method")).to_be_visible()
    api_id = next(a["id"] for a in apigw.get_rest_apis()["items"] if a["name"] == "Integrations")
    resource_id = next(r["id"] for r in apigw.get_resources(restApiId=api_id)["items"] if r["path"] == "/things")
    method_url = page.url

    def integration() -> dict[str, Any]:
        return apigw.get_integration(restApiId=api_id, resourceId=resource_id, httpMethod="GET")

    def test_answers(text: str) -> None:
        page.get_by_role("link", name="Test", exact=True).click()
        page.get_by_role("button", name="Test", exact=True).click()
        expect(page.get_by_role("row", name="Status 200")).to_be_visible()
        expect(page.get_by_role("region", name="Response body")).to_contain_text(text)
        page.goto(method_url)

    # Mock → HTTP (non-proxy), GET to the local server; a bad endpoint is the plane's refusal, shown
    page.get_by_role("link", name="Edit integration request").click()
    page.get_by_role("radio", name="HTTP", exact=True).check()
    page.get_by_label("Endpoint URL").fill("ftp://127.0.0.1/things")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("alert")).to_contain_text("Invalid HTTP endpoint specified for URI")
    page.get_by_label("Endpoint URL").fill(f"{upstream}/backend")
    page.get_by_label("HTTP method").select_option("GET")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_contain_text("Integration request saved")
    made = integration()
    assert (made["type"], made["httpMethod"], made["uri"]) == ("HTTP", "GET", f"{upstream}/backend")
    assert list(made["integrationResponses"]) == ["200"]  # put back after PutIntegration dropped it
    test_answers('"from": "upstream"')

    # HTTP → Lambda function, Lambda proxy integration
    page.get_by_role("link", name="Edit integration request").click()
    page.get_by_role("radio", name="Lambda function").check()
    page.get_by_label("Lambda proxy integration").check()
    page.get_by_role("combobox", name="Lambda function").select_option(label="integration-echo")
    page.get_by_role("button", name="Save").click()
    made = integration()
    assert made["type"] == "AWS_PROXY" and made["uri"].endswith("function:integration-echo/invocations")
    assert "integrationResponses" not in made
    test_answers('"proxy": "/things"')

    # proxy off (type AWS), and a mapping template; stored as made (the data plane does not serve type AWS yet)
    page.get_by_role("link", name="Edit integration request").click()
    expect(page.get_by_label("Lambda proxy integration")).to_be_checked()
    page.get_by_label("Lambda proxy integration").uncheck()
    page.get_by_label("Content type", exact=True).fill("application/json")
    page.get_by_label("Template body", exact=True).fill('{"n": 41}')
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("cell", name='{"n": 41}')).to_be_visible()
    made = integration()
    assert (made["type"], made["requestTemplates"]) == ("AWS", {"application/json": '{"n": 41}'})
    assert list(made["integrationResponses"]) == ["200"]

    # back to Mock: its template edited in place names the status; the integration response's template is the body
    page.get_by_role("link", name="Edit integration request").click()
    page.get_by_role("radio", name="Mock").check()
    page.get_by_label("Template body for application/json").fill('{"statusCode": 200}')
    page.get_by_role("button", name="Save").click()
    made = integration()
    assert (made["type"], made["requestTemplates"]) == ("MOCK", {"application/json": '{"statusCode": 200}'})
    assert "uri" not in made
    page.get_by_role("link", name="Edit integration response 200").click()
    page.get_by_label("Template body", exact=True).fill('{"mocked": "yes"}')
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_contain_text("Integration response saved")
    assert integration()["integrationResponses"]["200"]["responseTemplates"] == {
        "application/json": '{"mocked": "yes"}'}
    test_answers('"mocked": "yes"')
