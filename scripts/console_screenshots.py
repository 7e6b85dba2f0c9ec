#!/usr/bin/env python3
"""Screenshots of the console's main pages, written to docs/screenshots/console-*.png.

Starts a throwaway poolgate (ephemeral storage, no demo), makes the tutorial's state with boto3 (a user pool, an
app client and a user, and a user who signed up, with a code in the outbox; a Lambda function; an API with GET /users
on the function behind a Cognito authorizer, a deployment to ``prod`` and three calls to it for the request log; an
API key in a usage plan of that stage), then drives Debian's chromium (headless, via
Playwright) through the console's pages, pressing Test on the method and on the authorizer.
Run: ``python scripts/console_screenshots.py``.
"""

from __future__ import annotations

import contextlib
import io
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import zipfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "screenshots"
CHROMIUM = os.environ.get("POOLGATE_CHROMIUM", "/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]
HANDLER = '''import json

def handler(event, context):
    return {"statusCode": 200, "headers": {"Content-Type": "application/json"},
            "body": json.dumps({"users": ["alice", "bob"]})}
'''


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _client(base: str, service: str) -> Any:
    import boto3

    return boto3.client(service, endpoint_url=base, region_name="us-east-1", aws_access_key_id="AKIDSCREENS",
                        aws_secret_access_key="screenshots-secret")


def _state(base: str) -> dict[str, str]:
    idp = _client(base, "cognito-idp")
    pool = idp.create_user_pool(PoolName="SecurePets", AutoVerifiedAttributes=["email"])["UserPool"]
    client = idp.create_user_pool_client(UserPoolId=pool["Id"], ClientName="web",
                                         ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"])
    for name in ("alice", "bob"):
        idp.admin_create_user(UserPoolId=pool["Id"], Username=name, MessageAction="SUPPRESS",
                              UserAttributes=[{"Name": "email", "Value": f"{name}@example.com"}])
    idp.admin_set_user_password(UserPoolId=pool["Id"], Username="alice", Password="Passw0rd!-screens",
                                Permanent=True)
    token = idp.initiate_auth(ClientId=client["UserPoolClient"]["ClientId"], AuthFlow="USER_PASSWORD_AUTH",
                              AuthParameters={"USERNAME": "alice", "PASSWORD": "Passw0rd!-screens"}
                              )["AuthenticationResult"]["IdToken"]
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as files:
        files.writestr("app.py", HANDLER)
    function = _client(base, "lambda").create_function(
        FunctionName="list-users", Runtime="python3.12", Role="arn:aws:iam::000000000000:role/lambda-role",
        Handler="app.handler", Code={"ZipFile": archive.getvalue()})
    apigw = _client(base, "apigateway")
    api = apigw.create_rest_api(name="SecurePets API")
    users = apigw.create_resource(restApiId=api["id"], parentId=api["rootResourceId"], pathPart="users")
    apigw.put_method(restApiId=api["id"], resourceId=users["id"], httpMethod="GET", authorizationType="NONE")
    apigw.put_integration(restApiId=api["id"], resourceId=users["id"], httpMethod="GET", type="AWS_PROXY",
                          integrationHttpMethod="POST",
                          uri=f"arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/"
                              f"{function['FunctionArn']}/invocations")
    authorizer = apigw.create_authorizer(restApiId=api["id"], name="SecurePets users", type="COGNITO_USER_POOLS",
                                         providerARNs=[pool["Arn"]],
                                         identitySource="method.request.header.Authorization")
    apigw.update_method(restApiId=api["id"], resourceId=users["id"], httpMethod="GET", patchOperations=[
        {"op": "replace", "path": "/authorizationType", "value": "COGNITO_USER_POOLS"},
        {"op": "replace", "path": "/authorizerId", "value": authorizer["id"]}])
    apigw.create_deployment(restApiId=api["id"], stageName="prod")
    key = apigw.create_api_key(name="partner", description="The partner's app", enabled=True)
    plan = apigw.create_usage_plan(name="Basic", description="10 requests a second, 1,000 a month",
                                   throttle={"rateLimit": 10.0, "burstLimit": 20},
                                   quota={"limit": 1000, "period": "MONTH"},
                                   apiStages=[{"apiId": api["id"], "stage": "prod"}])
    apigw.create_usage_plan_key(usagePlanId=plan["id"], keyId=key["id"], keyType="API_KEY")
    idp.sign_up(ClientId=client["UserPoolClient"]["ClientId"], Username="carol", Password="Passw0rd!-carol",
                UserAttributes=[{"Name": "email", "Value": "carol@example.com"}])  # a code in the outbox
    invoke = f"{base}/restapis/{api['id']}/prod/_user_request_/users"
    for headers in ({}, {"Authorization": "not-a-token"}, {"Authorization": token}):  # for the request log
        with contextlib.suppress(urllib.error.HTTPError):
            urllib.request.urlopen(urllib.request.Request(invoke, headers=headers), timeout=30)
    return {"pool": pool["Id"], "api": api["id"], "users": users["id"], "authorizer": authorizer["id"],
            "token": token, "key": key["id"], "plan": plan["id"]}


def main() -> int:
    from playwright.sync_api import sync_playwright

    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    data = tempfile.mkdtemp(prefix="poolgate-console-screens-")
    server = subprocess.Popen([sys.executable, "-m", "poolgate.cli", "serve", "--no-demo", "--ephemeral",
                               "--port", str(port), "--data-dir", data],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(f"{base}/_poolgate/health", timeout=1)
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        state = _state(base)
        OUT.mkdir(parents=True, exist_ok=True)
        console = f"{base}/_console"
        api = f"{console}/apis/{state['api']}"
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
            page = browser.new_page(viewport={"width": 1200, "height": 800})

            def shot(name: str, url: str | None = None) -> None:
                if url:
                    page.goto(url)
                page.screenshot(path=str(OUT / f"console-{name}.png"), full_page=True)
                print(f"docs/screenshots/console-{name}.png")

            shot("user-pools", f"{console}/user-pools")
            shot("user-pool", f"{console}/user-pools/{state['pool']}")
            shot("create-user-pool", f"{console}/user-pools/create")
            shot("apis", f"{console}/apis")
            shot("resources", f"{api}?resource={state['users']}")
            shot("create-method", f"{api}/resources/{state['users']}/methods/create")
            page.goto(f"{api}/resources/{state['users']}/methods/GET/test")
            page.get_by_role("button", name="Test", exact=True).click()
            shot("method-test")
            shot("deploy-api", f"{api}/deploy")
            shot("stages", f"{api}/stages")
            page.goto(f"{api}/authorizers/{state['authorizer']}")
            page.get_by_label("Token value").fill(state["token"])
            page.get_by_role("button", name="Test authorizer").click()
            shot("authorizer-test")
            shot("request-log", f"{api}/requests")
            shot("functions", f"{console}/functions")
            page.goto(f"{console}/functions/list-users")
            page.get_by_role("button", name="Test", exact=True).click()
            shot("function")
            shot("integration-request", f"{api}/resources/{state['users']}/methods/GET/integration")
            shot("user", f"{console}/user-pools/{state['pool']}/user?username=carol")
            shot("api-keys", f"{console}/api-keys")
            page.goto(f"{console}/api-keys/{state['key']}")
            page.get_by_role("button", name="Show key").click()
            shot("api-key")
            shot("usage-plans", f"{console}/usage-plans")
            shot("usage-plan", f"{console}/usage-plans/{state['plan']}")
            shot("create-usage-plan", f"{console}/usage-plans/create")
            browser.close()
    finally:
        server.terminate()
        server.wait(10)
    return 0


if __name__ == "__main__":
    sys.exit(main())
