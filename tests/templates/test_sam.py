"""``poolgate serve --template``: a SAM template (a user pool, a client, an ``AWS::Serverless::Api`` whose
``DefaultAuthorizer`` is that pool, a Node.js ``AWS::Serverless::Function`` with an ``Api`` event) transformed
by aws-sam-translator and applied through the control planes' operations: 401 without a token, 200 with one;
its Outputs printed as ``sam deploy`` prints them; unapplied types in one warning; a restart with the same
template keeps the user and the ids, a changed function is updated in place; a malformed template is refused
before listening (exit 2, resource, property and reason, no traceback)."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import boto3
import pytest
import requests

from tests.cognito.helpers import admin_user, sign_in
from tests.conftest import cognito_client
from tests.support import IN_CI, Server, start_server, stop_server
from tests.templates.helpers import printed_outputs

if shutil.which("node") is None:
    if IN_CI:
        pytest.fail("node is not installed and CI=true")
    pytest.skip("node is not installed", allow_module_level=True)

APP = Path(__file__).parent / "sam_app"
PASSWORD = "Passw0rd!sam"


def _serve(app_dir: Path, data_dir: Path, *extra: str) -> Server:
    return start_server("--template", str(app_dir / "template.yaml"), *extra, data_dir=data_dir, wait=60)


def _invoke_url(server: Server, outputs: dict[str, str]) -> str:
    match = re.fullmatch(r"https://(\w+)\.execute-api\.us-east-1\.amazonaws\.com/(\w+)/hello", outputs["HelloApi"])
    assert match, outputs
    api_id, stage = match.groups()
    return f"{server.url}/restapis/{api_id}/{stage}/_user_request_/hello"


def _sign_in(idp: Any, pool_id: str, client_id: str, username: str) -> str:
    result = idp.admin_initiate_auth(UserPoolId=pool_id, ClientId=client_id, AuthFlow="ADMIN_USER_PASSWORD_AUTH",
                                     AuthParameters={"USERNAME": username, "PASSWORD": PASSWORD})
    return str(result["AuthenticationResult"]["IdToken"])


def test_sam_template_user_pool_authorizer_node_function_and_restart(tmp_path: Path) -> None:
    app_dir = tmp_path / "sam-app"
    shutil.copytree(APP, app_dir)
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    started = time.monotonic()
    server = _serve(app_dir, data_dir)
    first_start = time.monotonic() - started
    try:
        log = server.log()
        outputs = printed_outputs(log)
        assert set(outputs) == {"HelloApi", "UserPoolId", "ClientId", "FunctionArn"}, log
        assert "CloudFormation outputs from deployed stack sam-app" in log
        assert outputs["FunctionArn"] == "arn:aws:lambda:us-east-1:000000000000:function:sam-app-HelloFunction"
        # one warning lists what is not applied (the queue); no crash. SAM's execution role is made through the
        # IAM API (its AWS managed policy left out)
        warning = next(line for line in log.splitlines() if line.startswith("warning: "))
        assert "AWS::SQS::Queue (Queue)" in warning and "AWS::IAM::Role" not in warning
        iam = boto3.client("iam", endpoint_url=server.url, region_name="us-east-1", aws_access_key_id="AKIDTEST",
                           aws_secret_access_key="secret")
        assert iam.get_role(RoleName="sam-app-HelloFunctionRole")["Role"]["AssumeRolePolicyDocument"][
            "Statement"][0]["Principal"] == {"Service": ["lambda.amazonaws.com"]}
        assert iam.list_attached_role_policies(RoleName="sam-app-HelloFunctionRole")["AttachedPolicies"] == []
        pool_id, client_id = outputs["UserPoolId"], outputs["ClientId"]
        url = _invoke_url(server, outputs)

        missing = requests.get(url, timeout=10)
        assert missing.status_code == 401, missing.text
        assert missing.json() == {"message": "Unauthorized"}

        idp = cognito_client(server.url)
        client = idp.describe_user_pool_client(UserPoolId=pool_id, ClientId=client_id)["UserPoolClient"]
        assert client["ClientName"] == "sam-app-web"
        assert idp.describe_user_pool(UserPoolId=pool_id)["UserPool"]["Name"] == "sam-app-users"
        admin_user(idp, pool_id, "alice", PASSWORD)
        # USER_PASSWORD_AUTH through InitiateAuth too, as the client allows it
        token = sign_in(idp, client_id, "alice", PASSWORD)["IdToken"]
        ok = requests.get(url, headers={"Authorization": token}, timeout=30)
        assert ok.status_code == 200, ok.text
        assert ok.json() == {"user": "alice", "path": "/hello"}
    finally:
        stop_server(server)

    # the same template again: same pool, client, API and function; the user is still there
    started = time.monotonic()
    server = _serve(app_dir, data_dir)
    second_start = time.monotonic() - started
    try:
        assert printed_outputs(server.log()) == outputs
        idp = cognito_client(server.url)
        ok = requests.get(url.replace(url.split("/restapis/")[0], server.url),
                          headers={"Authorization": _sign_in(idp, pool_id, client_id, "alice")}, timeout=30)
        assert ok.status_code == 200, ok.text
        assert len(idp.list_user_pools(MaxResults=60)["UserPools"]) == 1
    finally:
        stop_server(server)

    # the function's code changes: updated in place (same name and ARN), the user kept
    (app_dir / "hello" / "index.mjs").write_text(
        "export const handler = async (event) => ({ statusCode: 200, body: JSON.stringify({ version: 2, "
        "user: event.requestContext.authorizer.claims['cognito:username'] }) });\n")
    server = _serve(app_dir, data_dir)
    try:
        assert printed_outputs(server.log()) == outputs
        idp = cognito_client(server.url)
        url = url.replace(url.split("/restapis/")[0], server.url)
        ok = requests.get(url, headers={"Authorization": _sign_in(idp, pool_id, client_id, "alice")}, timeout=30)
        assert ok.status_code == 200, ok.text
        assert ok.json() == {"version": 2, "user": "alice"}
    finally:
        stop_server(server)
    print(f"start-up with the template: first {first_start:.2f} s, again {second_start:.2f} s")


def _refused(tmp_path: Path, template: str, *extra: str) -> subprocess.CompletedProcess[str]:
    path = tmp_path / "template.yaml"
    path.write_text(template)
    (tmp_path / "data").mkdir(exist_ok=True)
    return subprocess.run([sys.executable, "-m", "poolgate.cli", "serve", "--port", "1", "--data-dir",
                           str(tmp_path / "data"), "--template", str(path), *extra], capture_output=True, text=True,
                          timeout=60)


@pytest.mark.parametrize(("template", "expected"), [
    ("Resources:\n  Fn:\n    Type: AWS::Lambda::Function\n    Properties:\n      Role: !GetAtt Missing.Arn\n",
     "Resources.Fn.Properties: refers to Missing, which is no resource, parameter or pseudo parameter"),
    ("Resources:\n  A:\n    Type: AWS::Cognito::UserPoolClient\n    Properties:\n      UserPoolId: !Ref B\n"
     "  B:\n    Type: AWS::Cognito::UserPool\n    Properties:\n      UserPoolName: !Ref A\n",
     "Resources: circular dependency between"),
    ("Resources: [1, 2\n", "$: not valid JSON or YAML"),
    ("Parameters:\n  Stage:\n    Type: String\nResources:\n  P:\n    Type: AWS::Cognito::UserPool\n",
     "Parameters.Stage: no value: pass --parameter Stage=VALUE (it has no Default)"),
    ("Transform: AWS::Serverless-2016-10-31\nResources:\n  F:\n    Type: AWS::Serverless::Function\n"
     "    Properties:\n      Runtime: nodejs20.x\n      Handler: index.handler\n      CodeUri: nowhere/\n",
     "Resources.F.CodeUri: no such folder or file"),
])
def test_malformed_template_is_refused_before_listening(tmp_path: Path, template: str, expected: str) -> None:
    done = _refused(tmp_path, template)
    assert done.returncode == 2, done.stderr
    assert expected in done.stderr, done.stderr
    assert "Traceback" not in done.stderr


def test_a_property_the_operation_refuses_names_the_resource_and_exits_2(tmp_path: Path) -> None:
    """Found while applying (the operation's own validation): the server stops with exit 2 and the reason."""
    template = ("Resources:\n  Pool:\n    Type: AWS::Cognito::UserPool\n    Properties:\n"
                "      Policies:\n        PasswordPolicy:\n          MinimumLength: 2\n"
                "  Client:\n    Type: AWS::Cognito::UserPoolClient\n    Properties:\n      UserPoolId: !Ref Pool\n"
                "      Colour: blue\n")
    path = tmp_path / "template.yaml"
    path.write_text(template)
    from tests.support import free_port

    done = subprocess.run([sys.executable, "-m", "poolgate.cli", "serve", "--port", str(free_port()),
                           "--data-dir", str(tmp_path / "data"), "--template", str(path)],
                          capture_output=True, text=True, timeout=60)
    output = done.stdout + done.stderr
    assert done.returncode == 2, output
    assert "Resources.Pool.Properties: InvalidParameterException: 1 validation error detected: Value '2' at " \
           "'policies.passwordPolicy.minimumLength' failed to satisfy constraint: Member must have value greater " \
           "than or equal to 6" in output, output
    assert "Traceback" not in output


@pytest.mark.parametrize(("template", "expected"), [
    ("Resources:\n  Api:\n    Type: AWS::ApiGateway::RestApi\n    Properties:\n      Name: a\n"
     "  Stage:\n    Type: AWS::ApiGateway::Stage\n    Properties:\n      RestApiId: !Ref Api\n"
     "      DeploymentId: x\n      Variables: [a, b]\n",
     "Resources.Stage.Properties: a property has the wrong shape for AWS::ApiGateway::Stage"),
    ("Resources:\n  Fn:\n    Type: AWS::Lambda::Function\n    Properties:\n      Runtime: nodejs20.x\n"
     "      Handler: index.handler\n      Code:\n        S3Bucket: b\n        S3Key: k\n",
     "Resources.Fn.Properties.Code: poolgate runs code from a local folder"),
    ("Resources:\n  Pool:\n    Type: AWS::Cognito::UserPool\n    Properties:\n      Colour: blue\n",
     "Resources.Pool.Properties.Colour: not a property poolgate applies"),
    ("Resources:\n  Api:\n    Type: AWS::ApiGateway::RestApi\n    Properties:\n      Name: !Select [5, [a]]\n",
     "Resources.Api.Properties.Name: Fn::Select: no item 5"),
    ("Resources:\n  Role:\n    Type: AWS::IAM::Role\n    Properties:\n      AssumeRolePolicyDocument: '{nope'\n",
     "Resources.Role.Properties: MalformedPolicyDocument: This policy contains invalid Json"),
    ("Resources:\n  Role:\n    Type: AWS::IAM::Role\n    Properties:\n      AssumeRolePolicyDocument: {}\n"
     "      Policies: [{PolicyName: p}]\n",
     "Resources.Role.Properties.Policies: each policy has a PolicyName and a PolicyDocument"),
    ("Resources:\n  P:\n    Type: AWS::IAM::Policy\n    Properties:\n      PolicyName: p\n"
     "      PolicyDocument: {Version: '2012-10-17', Statement: []}\n      Groups: [admins]\n",
     "Resources.P.Properties.Groups: poolgate has no IAM groups"),
    ("Resources:\n  Plan:\n    Type: AWS::ApiGateway::UsagePlan\n    Properties:\n      Quota: 5\n",
     "Resources.Plan.Properties.Quota: a mapping"),
])
def test_a_bad_property_found_while_applying_exits_2(tmp_path: Path, template: str, expected: str) -> None:
    from tests.support import free_port

    path = tmp_path / "template.yaml"
    path.write_text(template)
    done = subprocess.run([sys.executable, "-m", "poolgate.cli", "serve", "--port", str(free_port()),
                           "--data-dir", str(tmp_path / "data"), "--template", str(path)],
                          capture_output=True, text=True, timeout=60)
    output = done.stdout + done.stderr
    assert done.returncode == 2, output
    assert expected in output, output
    assert "Traceback" not in output


def test_unknown_parameter_is_refused(tmp_path: Path) -> None:
    done = _refused(tmp_path, "Resources:\n  P:\n    Type: AWS::Cognito::UserPool\n", "--parameter", "Nope=1")
    assert done.returncode == 2
    assert "--parameter: $: no template declares a parameter Nope" in done.stderr
