"""The console's forms that the browser walks do not cover, posted as a browser posts them (form fields, the
session's token): Import API from an OpenAPI definition, a {proxy+} resource with CORS, Mock and HTTP methods and
their Test, a Lambda (TOKEN) authorizer; boto3 sees what each made."""

from __future__ import annotations

import json
import re
from typing import Any

import boto3
import requests
from botocore.config import Config

from ..support import Server

TOKEN = re.compile(r'name="_token" value="([^"]+)"')
OPENAPI = {"openapi": "3.0.1", "info": {"title": "Imported", "version": "1"}, "paths": {"/pets": {"get": {
    "responses": {"200": {"description": "ok"}},
    "x-amazon-apigateway-integration": {"type": "mock", "requestTemplates": {"application/json": '{"statusCode": 200}'},
                                        "responses": {"default": {"statusCode": "200"}}}}}}}


def _apigw(server: Server) -> Any:
    return boto3.client("apigateway", endpoint_url=server.url, region_name="us-east-1", aws_access_key_id="AKIDTEST",
                        aws_secret_access_key="secretsecretsecret", config=Config(retries={"max_attempts": 0}))


class Browser:
    def __init__(self, server: Server) -> None:
        self.server, self.session = server, requests.Session()
        page = self.session.get(f"{server.url}/_console/apis/create", timeout=10)
        match = TOKEN.search(page.text)
        assert match
        self.token = match.group(1)

    def post(self, path: str, form: dict[str, str]) -> requests.Response:
        return self.session.post(f"{self.server.url}/_console{path}", data={"_token": self.token, **form},
                                 timeout=30, allow_redirects=False)

    def get(self, path: str) -> requests.Response:
        return self.session.get(f"{self.server.url}/_console{path}", timeout=30)


def test_import_proxy_resource_cors_mock_http_and_lambda_authorizer(server: Server) -> None:
    browser = Browser(server)
    apigw = _apigw(server)
    imported = browser.post("/apis/create", {"kind": "import", "definition": json.dumps(OPENAPI)})
    assert imported.status_code == 303, imported.text
    api_id = imported.headers["location"].rsplit("/", 1)[-1]
    assert apigw.get_rest_api(restApiId=api_id)["name"] == "Imported"
    paths = {r["path"]: r for r in apigw.get_resources(restApiId=api_id)["items"]}
    assert set(paths) == {"/", "/pets"}
    bad = browser.post("/apis/create", {"kind": "import", "definition": "{not openapi"})
    assert bad.status_code == 400 and 'role="alert"' in bad.text

    proxy = browser.post(f"/apis/{api_id}/resources/create", {"parent": paths["/"]["id"], "name": "anything",
                                                               "proxy": "yes", "cors": "yes"})
    assert proxy.status_code == 303, proxy.text
    resource = next(r for r in apigw.get_resources(restApiId=api_id)["items"] if r["path"] == "/{anything+}")
    options = apigw.get_method(restApiId=api_id, resourceId=resource["id"], httpMethod="OPTIONS")
    assert options["methodIntegration"]["type"] == "MOCK"
    cors = browser.post(f"/apis/{api_id}/resources/{resource['id']}/methods/OPTIONS/test", {})
    assert cors.status_code == 200 and "access-control-allow-origin: *" in cors.text.lower()

    mock = browser.post(f"/apis/{api_id}/resources/{resource['id']}/methods/create", {"verb": "GET", "kind": "MOCK"})
    assert mock.status_code == 303, mock.text
    tested = browser.post(f"/apis/{api_id}/resources/{resource['id']}/methods/GET/test", {"path": "/a/b"})
    assert tested.status_code == 200 and re.search(r"<th scope=\"row\">Status</th><td>200</td>", tested.text)

    http = browser.post(f"/apis/{api_id}/resources/{paths['/pets']['id']}/methods/create", {
        "verb": "POST", "kind": "HTTP", "proxy": "yes", "endpoint": "http://127.0.0.1:9/pets"})
    assert http.status_code == 303, http.text
    integration = apigw.get_integration(restApiId=api_id, resourceId=paths["/pets"]["id"], httpMethod="POST")
    assert (integration["type"], integration["uri"], integration["httpMethod"]) == (
        "HTTP_PROXY", "http://127.0.0.1:9/pets", "POST")
    missing = browser.post(f"/apis/{api_id}/resources/{paths['/pets']['id']}/methods/create", {
        "verb": "PUT", "kind": "HTTP"})
    assert missing.status_code == 400 and "Enter an Endpoint URL." in missing.text

    authorizer = browser.post(f"/apis/{api_id}/authorizers/create", {
        "name": "token-auth", "type": "TOKEN", "function": "arn:aws:lambda:us-east-1:000000000000:function:auth",
        "token_source": "X-Token"})
    assert authorizer.status_code == 303, authorizer.text
    made = apigw.get_authorizers(restApiId=api_id)["items"]
    assert [(a["name"], a["type"], a["identitySource"]) for a in made] == [
        ("token-auth", "TOKEN", "method.request.header.X-Token")]
    assert made[0]["authorizerUri"].endswith("function:auth/invocations")
    page = browser.get(f"/apis/{api_id}/authorizers/{made[0]['id']}")
    assert page.status_code == 200 and "(X-Token header)" in page.text
