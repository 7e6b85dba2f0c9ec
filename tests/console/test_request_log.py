"""'Why was this refused?': the console's request log shows an API's recent requests, newest first, with the
authorizer's reason for each refusal (no token, a malformed token, a token of another pool, an expired one) and
never the token; read in chromium by roles and labels only, filtered by stage and outcome."""

from __future__ import annotations

from typing import Any

import boto3
import requests
from botocore.config import Config

from ..support import Server


def _client(server: Server, service: str) -> Any:
    return boto3.client(service, endpoint_url=server.url, region_name="us-east-1", aws_access_key_id="AKIDTEST",
                        aws_secret_access_key="secretsecretsecret", config=Config(retries={"max_attempts": 0}))


def _pool_token(server: Server, name: str) -> tuple[str, str]:
    idp = _client(server, "cognito-idp")
    pool = idp.create_user_pool(PoolName=name)["UserPool"]
    client = idp.create_user_pool_client(UserPoolId=pool["Id"], ClientName="web",
                                         ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"])
    idp.admin_create_user(UserPoolId=pool["Id"], Username="alice", MessageAction="SUPPRESS")
    idp.admin_set_user_password(UserPoolId=pool["Id"], Username="alice", Password="Passw0rd!-log", Permanent=True)
    token = idp.initiate_auth(ClientId=client["UserPoolClient"]["ClientId"], AuthFlow="USER_PASSWORD_AUTH",
                              AuthParameters={"USERNAME": "alice", "PASSWORD": "Passw0rd!-log"}
                              )["AuthenticationResult"]["IdToken"]
    return pool["Arn"], token


def test_the_request_log_says_why_a_request_was_refused(server: Server, browser: Any) -> None:
    from playwright.sync_api import expect

    arn, token = _pool_token(server, "log-pool")
    _, other_token = _pool_token(server, "other-pool")
    apigw = _client(server, "apigateway")
    api = apigw.create_rest_api(name="Logged")
    pets = apigw.create_resource(restApiId=api["id"], parentId=api["rootResourceId"], pathPart="pets")
    authorizer = apigw.create_authorizer(restApiId=api["id"], name="pets-auth", type="COGNITO_USER_POOLS",
                                         providerARNs=[arn], identitySource="method.request.header.Authorization")
    apigw.put_method(restApiId=api["id"], resourceId=pets["id"], httpMethod="GET",
                     authorizationType="COGNITO_USER_POOLS", authorizerId=authorizer["id"])
    apigw.put_integration(restApiId=api["id"], resourceId=pets["id"], httpMethod="GET", type="MOCK",
                          requestTemplates={"application/json": '{"statusCode": 200}'})
    apigw.put_method_response(restApiId=api["id"], resourceId=pets["id"], httpMethod="GET", statusCode="200")
    apigw.put_integration_response(restApiId=api["id"], resourceId=pets["id"], httpMethod="GET", statusCode="200",
                                   responseTemplates={"application/json": '{"ok": true}'})
    apigw.create_deployment(restApiId=api["id"], stageName="prod")
    url = f"{server.url}/restapis/{api['id']}/prod/_user_request_/pets"
    assert requests.get(url, timeout=10).status_code == 401
    assert requests.get(url, headers={"Authorization": "not-a-jwt"}, timeout=10).status_code == 401
    assert requests.get(url, headers={"Authorization": other_token}, timeout=10).status_code == 401
    assert requests.get(url, headers={"Authorization": token}, timeout=10).status_code == 200

    page = browser.new_context().new_page()
    page.goto(f"{server.url}/_console/")
    page.get_by_role("navigation", name="Services").get_by_role("link", name="APIs").click()
    page.get_by_role("link", name="Logged").click()
    page.get_by_role("navigation", name="API").get_by_role("link", name="Request log").click()
    rows = page.get_by_role("row")
    expect(rows).to_have_count(5)  # the header and four requests
    # newest first: the allowed request, then the three refusals in reverse order
    expect(rows.nth(1)).to_contain_text("200")
    expect(rows.nth(2)).to_contain_text("401")
    expect(rows.nth(4)).to_contain_text("pets-auth")
    assert rows.nth(1).get_by_role("cell").nth(5).inner_text().isdigit()  # latency (ms)
    page.get_by_label("Show").select_option(label="Refused by an authorizer")
    page.get_by_role("button", name="Filter").click()
    expect(page.get_by_role("row")).to_have_count(4)
    reasons = [page.get_by_role("row").nth(i).get_by_role("cell").nth(6).inner_text() for i in (1, 2, 3)]
    text = page.get_by_role("table").inner_text()
    assert token not in text and other_token not in text and "not-a-jwt" not in text
    assert reasons == ["pets-auth: issuer not accepted by this authorizer", "pets-auth: malformed token",
                       "pets-auth: no token in the authorization header"]
    page.get_by_label("Stage").select_option("prod")
    page.get_by_label("Show").select_option(label="All requests")
    page.get_by_role("button", name="Filter").click()
    expect(page.get_by_role("row")).to_have_count(5)


def test_stage_variables_are_added_and_removed(server: Server, browser: Any) -> None:
    from playwright.sync_api import expect

    apigw = _client(server, "apigateway")
    api = apigw.create_rest_api(name="Variables")
    root = api["rootResourceId"]
    apigw.put_method(restApiId=api["id"], resourceId=root, httpMethod="GET", authorizationType="NONE")
    apigw.put_integration(restApiId=api["id"], resourceId=root, httpMethod="GET", type="MOCK",
                          requestTemplates={"application/json": '{"statusCode": 200}'})
    apigw.create_deployment(restApiId=api["id"], stageName="dev")
    page = browser.new_context().new_page()
    page.goto(f"{server.url}/_console/apis/{api['id']}/stages")
    page.get_by_label("Name", exact=True).fill("table")
    page.get_by_label("Value", exact=True).fill("users-dev")
    page.get_by_role("button", name="Add stage variable").click()
    expect(page.get_by_role("status")).to_contain_text("Stage variables saved")
    assert apigw.get_stage(restApiId=api["id"], stageName="dev")["variables"] == {"table": "users-dev"}
    expect(page.get_by_role("row", name="Stage variables table = users-dev")).to_be_visible()
    page.get_by_role("button", name="Remove stage variable table").click()
    expect(page.get_by_role("status")).to_contain_text("Stage variables saved")
    assert apigw.get_stage(restApiId=api["id"], stageName="dev").get("variables", {}) == {}
