"""The API Gateway + Cognito tutorial walked in the console in Debian's chromium, by roles and labels only (the
AWS console's words): Create user pool → Create app client → Create user → Create API → Create resource /users →
Create method GET with a Lambda function picked from the list → Test → Deploy API to a new stage → the Invoke URL
answers 200 → Create authorizer (Cognito, the pool picked from the list) → Test it with a pasted ID token and with
a bad one → attach it in Method request → Deploy API to the existing stage → 401 without a token, 200 with one.
boto3 checks that what the console made is what a script sees."""

from __future__ import annotations

import re
from typing import Any

import boto3
import requests
from botocore.config import Config

from ..support import Server, zip_files

HANDLER = '''import json

def handler(event, context):
    claims = (event["requestContext"].get("authorizer") or {}).get("claims") or {}
    return {"statusCode": 200, "headers": {"Content-Type": "application/json"},
            "body": json.dumps({"users": ["alice"], "caller": claims.get("cognito:username")})}
'''
ECHO = '''def handler(event, context):
    if event.get("fail"):
        raise ValueError("asked to fail")
    print("got", event.get("path"), flush=True)
    return {"n": event["n"] + 1}
'''
PASSWORD = "Tutorial-Passw0rd!"


def _client(server: Server, service: str) -> Any:
    return boto3.client(service, endpoint_url=server.url, region_name="us-east-1", aws_access_key_id="AKIDTEST",
                        aws_secret_access_key="secretsecretsecret",
                        config=Config(retries={"max_attempts": 0}, read_timeout=60))


def test_tutorial_through_the_console(server: Server, browser: Any) -> None:
    from playwright.sync_api import expect

    _client(server, "lambda").create_function(
        FunctionName="list-users", Runtime="python3.12", Role="arn:aws:iam::000000000000:role/lambda-role",
        Handler="app.handler", Code={"ZipFile": zip_files({"app.py": HANDLER})})
    context = browser.new_context()
    page = context.new_page()
    outside: list[str] = []  # nothing is fetched from anywhere else (no CDN)
    page.on("request", lambda r: outside.append(r.url) if not r.url.startswith(server.url) else None)

    page.goto(f"{server.url}/_console/")
    services = page.get_by_role("navigation", name="Services")
    services.get_by_role("link", name="User pools").click()
    page.get_by_role("link", name="Create user pool").click()
    page.get_by_label("User pool name").fill("tutorial-pool")
    page.get_by_role("button", name="Create user pool").click()
    expect(page.get_by_role("heading", name="tutorial-pool", level=1)).to_be_visible()

    page.get_by_role("link", name="Create app client").click()
    page.get_by_label("App client name").fill("web")
    page.get_by_label("Sign in with username and password: ALLOW_USER_PASSWORD_AUTH").check()
    page.get_by_role("button", name="Create app client").click()
    expect(page.get_by_role("cell", name="web", exact=True)).to_be_visible()

    page.get_by_role("link", name="Create user").click()
    page.get_by_label("User name").fill("alice")
    page.get_by_label("Email address").fill("alice@example.com")
    page.get_by_label("Temporary password").fill(PASSWORD)
    page.get_by_label("Make the password permanent").check()
    page.get_by_role("button", name="Create user").click()
    expect(page.get_by_role("cell", name="alice", exact=True)).to_be_visible()

    idp = _client(server, "cognito-idp")
    pool_id = next(p["Id"] for p in idp.list_user_pools(MaxResults=60)["UserPools"] if p["Name"] == "tutorial-pool")
    client_id = idp.list_user_pool_clients(UserPoolId=pool_id)["UserPoolClients"][0]["ClientId"]
    id_token = idp.initiate_auth(ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH", AuthParameters={
        "USERNAME": "alice", "PASSWORD": PASSWORD})["AuthenticationResult"]["IdToken"]

    services.get_by_role("link", name="APIs").click()
    page.get_by_role("link", name="Create API").click()
    page.get_by_label("API name").fill("Tutorial")
    page.get_by_role("button", name="Create API").click()
    expect(page.get_by_role("heading", name="Tutorial", level=1)).to_be_visible()
    page.get_by_role("link", name="Create resource").click()
    page.get_by_label("Resource name").fill("users")
    page.get_by_role("button", name="Create resource").click()
    expect(page.get_by_role("link", name="/users", exact=True)).to_be_visible()
    page.get_by_role("link", name="Create method").click()
    page.get_by_label("Method type").select_option("GET")
    page.get_by_role("radio", name="Lambda function").check()
    page.get_by_role("combobox", name="Lambda function").select_option(label="list-users")
    page.get_by_role("button", name="Create method").click()
    expect(page.get_by_role("heading", name="GET method")).to_be_visible()

    page.get_by_role("link", name="Test", exact=True).click()
    page.get_by_role("button", name="Test", exact=True).click()
    expect(page.get_by_role("row", name="Status 200")).to_be_visible()
    expect(page.get_by_role("region", name="Response body")).to_contain_text('"alice"')
    expect(page.get_by_role("region", name="Log")).to_contain_text("Execution log")

    page.get_by_role("link", name="Deploy API").click()
    page.get_by_label("Stage", exact=True).select_option(label="*New stage*")
    page.get_by_label("Stage name").fill("prod")
    page.get_by_role("button", name="Deploy").click()
    expect(page.get_by_role("status")).to_contain_text("Successfully deployed to stage prod")
    invoke_url = page.get_by_role("row", name=re.compile(r"^Invoke URL http")).get_by_role("link").get_attribute(
        "href")
    assert invoke_url
    answer = requests.get(invoke_url + "users", timeout=30)
    assert answer.status_code == 200, answer.text
    assert answer.json() == {"users": ["alice"], "caller": None}

    page.get_by_role("navigation", name="API").get_by_role("link", name="Authorizers").click()
    page.get_by_role("link", name="Create authorizer").click()
    page.get_by_label("Authorizer name").fill("tutorial-authorizer")
    page.get_by_role("radio", name="Cognito").check()
    page.get_by_label("Cognito user pool").select_option(label=f"tutorial-pool ({pool_id})")
    page.get_by_role("button", name="Create authorizer").click()
    expect(page.get_by_role("heading", name="tutorial-authorizer")).to_be_visible()

    page.get_by_label("Token value").fill("not-a-token")
    page.get_by_role("button", name="Test authorizer").click()
    expect(page.get_by_role("status")).to_contain_text("Refused (401)")
    page.get_by_label("Token value").fill(id_token)
    page.get_by_role("button", name="Test authorizer").click()
    expect(page.get_by_role("status")).to_contain_text("Allowed")
    expect(page.get_by_role("region", name="Claims")).to_contain_text('"cognito:username": "alice"')

    page.get_by_role("navigation", name="API").get_by_role("link", name="Resources").click()
    page.get_by_role("link", name="GET /users").click()
    page.get_by_label("Authorization", exact=True).select_option(label="tutorial-authorizer (Cognito)")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_contain_text("Method request saved")
    assert requests.get(invoke_url + "users", timeout=30).status_code == 200  # not deployed yet
    page.get_by_role("link", name="Deploy API").click()
    page.get_by_label("Stage", exact=True).select_option(label="prod")
    page.get_by_role("button", name="Deploy").click()
    expect(page.get_by_role("status")).to_contain_text("Successfully deployed to stage prod")

    refused = requests.get(invoke_url + "users", timeout=30)
    assert (refused.status_code, refused.json()) == (401, {"message": "Unauthorized"})
    allowed = requests.get(invoke_url + "users", headers={"Authorization": id_token}, timeout=30)
    assert (allowed.status_code, allowed.json()) == (200, {"users": ["alice"], "caller": "alice"})
    assert outside == []

    apigw = _client(server, "apigateway")
    api = next(a for a in apigw.get_rest_apis()["items"] if a["name"] == "Tutorial")
    assert [s["stageName"] for s in apigw.get_stages(restApiId=api["id"])["item"]] == ["prod"]
    context.close()


def test_function_code_and_test_with_an_event(server: Server, browser: Any) -> None:
    from playwright.sync_api import expect

    _client(server, "lambda").create_function(
        FunctionName="echo-fn", Runtime="python3.12", Role="arn:aws:iam::000000000000:role/lambda-role",
        Handler="echo.handler", Code={"ZipFile": zip_files({"echo.py": ECHO})})
    page = browser.new_context().new_page()
    page.goto(f"{server.url}/_console/")
    page.get_by_role("navigation", name="Services").get_by_role("link", name="Functions").click()
    page.get_by_role("link", name="echo-fn").click()
    expect(page.get_by_role("row", name="Handler echo.handler")).to_be_visible()
    expect(page.get_by_role("region", name="echo.py")).to_contain_text("def handler(event, context):")
    page.get_by_label("Event JSON").fill('{"path": "/users", "n": 41}')
    page.get_by_role("button", name="Test", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("Executing function: succeeded")
    expect(page.get_by_role("region", name="Response")).to_contain_text('"n": 42')
    expect(page.get_by_role("region", name="Log output")).to_contain_text("got /users")  # the handler's print
    expect(page.get_by_role("region", name="Log output")).to_contain_text("REPORT RequestId")
    page.get_by_label("Event JSON").fill('{"fail": true}')
    page.get_by_role("button", name="Test", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("Executing function: failed (Unhandled)")
    expect(page.get_by_role("region", name="Response")).to_contain_text("errorMessage")
    page.get_by_label("Event JSON").fill("{not json")
    page.get_by_role("button", name="Test", exact=True).click()
    expect(page.get_by_role("alert")).to_contain_text("The event is not JSON")
