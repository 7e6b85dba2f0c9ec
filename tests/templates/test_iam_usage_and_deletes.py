"""A CloudFormation template with IAM roles and policies and API keys, usage plans and usage plan keys, applied
through the IAM and apigateway APIs; started again with a template that no longer declares some of them, which are
deleted as a CloudFormation update deletes them, except the one whose DeletionPolicy is Retain (kept with its
users), while what stays keeps its data and is updated in place."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import boto3
import pytest
import requests
import yaml
from botocore.config import Config
from botocore.exceptions import ClientError

from tests.conftest import cognito_client
from tests.support import Server, start_server, stop_server
from tests.templates.helpers import printed_outputs

ACCOUNT = "000000000000"
KEY_VALUE = "templatekey0123456789abcdef"


def _client(server: Server, service: str) -> Any:
    return boto3.client(service, endpoint_url=server.url, region_name="us-east-1", aws_access_key_id="AKIDTEST",
                        aws_secret_access_key="secret", config=Config(retries={"max_attempts": 0}))


def _allow(path: str) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "execute-api:Invoke",
                                                    "Resource": f"arn:aws:execute-api:*:*:*/*/GET/{path}"}]}


def template(version: int) -> dict[str, Any]:
    """Version 1 declares everything; version 2 drops GonePool, KeptPool, ExtraPolicy, Key and PlanKey, changes
    the managed policy's document and the usage plan's throttle."""
    trust = {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"Federated": "cognito-identity.amazonaws.com"},
        "Action": "sts:AssumeRoleWithWebIdentity"}]}
    method = {"Type": "AWS::ApiGateway::Method", "Properties": {
        "RestApiId": {"Ref": "Api"}, "ResourceId": {"Ref": "Items"}, "HttpMethod": "GET",
        "AuthorizationType": "NONE", "ApiKeyRequired": True,
        "Integration": {"Type": "MOCK", "RequestTemplates": {"application/json": '{"statusCode": 200}'},
                        "IntegrationResponses": [{"StatusCode": "200",
                                                  "ResponseTemplates": {"application/json": '{"ok": true}'}}]},
        "MethodResponses": [{"StatusCode": "200"}]}}
    resources: dict[str, Any] = {
        "GonePool": {"Type": "AWS::Cognito::UserPool", "Properties": {"UserPoolName": "gone-pool"}},
        "KeptPool": {"Type": "AWS::Cognito::UserPool", "DeletionPolicy": "Retain",
                     "Properties": {"UserPoolName": "kept-pool"}},
        "StayingPool": {"Type": "AWS::Cognito::UserPool", "Properties": {"UserPoolName": "staying-pool"}},
        "Managed": {"Type": "AWS::IAM::ManagedPolicy", "Properties": {
            "ManagedPolicyName": "TemplateManaged", "PolicyDocument": _allow("v1" if version == 1 else "v2")}},
        "Role": {"Type": "AWS::IAM::Role", "Properties": {
            "RoleName": "TemplateRole", "AssumeRolePolicyDocument": trust,
            "Policies": [{"PolicyName": "items", "PolicyDocument": _allow("items")}],
            "ManagedPolicyArns": [{"Ref": "Managed"},
                                  "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"]}},
        "ExtraPolicy": {"Type": "AWS::IAM::Policy", "Properties": {
            "PolicyName": "extra", "PolicyDocument": _allow("extra"), "Roles": [{"Ref": "Role"}]}},
        "Api": {"Type": "AWS::ApiGateway::RestApi", "Properties": {"Name": "keyed"}},
        "Items": {"Type": "AWS::ApiGateway::Resource", "Properties": {
            "RestApiId": {"Ref": "Api"}, "ParentId": {"Fn::GetAtt": ["Api", "RootResourceId"]}, "PathPart": "items"}},
        "ItemsGet": method,
        "Deployment": {"Type": "AWS::ApiGateway::Deployment", "DependsOn": "ItemsGet",
                       "Properties": {"RestApiId": {"Ref": "Api"}, "StageName": "prod"}},
        "Key": {"Type": "AWS::ApiGateway::ApiKey", "DependsOn": "Deployment", "Properties": {
            "Name": "template-key", "Enabled": True, "Value": KEY_VALUE,
            "StageKeys": [{"RestApiId": {"Ref": "Api"}, "StageName": "prod"}]}},
        "Plan": {"Type": "AWS::ApiGateway::UsagePlan", "DependsOn": "Deployment", "Properties": {
            "UsagePlanName": "template-plan", "ApiStages": [{"ApiId": {"Ref": "Api"}, "Stage": "prod"}],
            "Throttle": {"BurstLimit": 10 if version == 1 else 20, "RateLimit": 5},
            "Quota": {"Limit": 1000, "Period": "DAY"}}},
        "PlanKey": {"Type": "AWS::ApiGateway::UsagePlanKey", "Properties": {
            "KeyId": {"Ref": "Key"}, "KeyType": "API_KEY", "UsagePlanId": {"Ref": "Plan"}}},
    }
    if version == 2:
        for gone in ("GonePool", "KeptPool", "ExtraPolicy", "Key", "PlanKey"):
            del resources[gone]
    outputs = {"StayingPoolId": {"Value": {"Ref": "StayingPool"}}, "ApiId": {"Value": {"Ref": "Api"}},
               "PlanId": {"Value": {"Ref": "Plan"}}, "RoleArn": {"Value": {"Fn::GetAtt": ["Role", "Arn"]}},
               "ManagedArn": {"Value": {"Ref": "Managed"}}}
    if version == 1:
        outputs |= {"GonePoolId": {"Value": {"Ref": "GonePool"}}, "KeptPoolId": {"Value": {"Ref": "KeptPool"}},
                    "KeyId": {"Value": {"Ref": "Key"}}}
    return {"AWSTemplateFormatVersion": "2010-09-09", "Resources": resources, "Outputs": outputs}


def _start(tmp_path: Path, version: int) -> Server:
    path = tmp_path / "keyed-stack.yaml"
    path.write_text(yaml.safe_dump(template(version), sort_keys=False))
    (tmp_path / "data").mkdir(exist_ok=True)
    return start_server("--template", str(path), data_dir=tmp_path / "data", wait=60)


def _outputs(server: Server) -> dict[str, str]:
    return printed_outputs(server.log())


def test_iam_usage_plans_and_deletes(tmp_path: Path) -> None:
    server = _start(tmp_path, 1)
    try:
        out = _outputs(server)
        assert out["RoleArn"] == f"arn:aws:iam::{ACCOUNT}:role/TemplateRole", server.log()
        assert out["ManagedArn"] == f"arn:aws:iam::{ACCOUNT}:policy/TemplateManaged"
        iam = _client(server, "iam")
        assert iam.list_role_policies(RoleName="TemplateRole")["PolicyNames"] == ["extra", "items"]
        assert iam.get_role_policy(RoleName="TemplateRole", PolicyName="items")["PolicyDocument"] == _allow("items")
        assert iam.list_attached_role_policies(RoleName="TemplateRole")["AttachedPolicies"] == [
            {"PolicyName": "TemplateManaged", "PolicyArn": out["ManagedArn"]}]  # the AWS managed one left out

        apigw = _client(server, "apigateway")
        key = apigw.get_api_key(apiKey=out["KeyId"], includeValue=True)
        assert (key["name"], key["value"], key["enabled"]) == ("template-key", KEY_VALUE, True)
        plan = apigw.get_usage_plan(usagePlanId=out["PlanId"])
        assert plan["throttle"] == {"burstLimit": 10, "rateLimit": 5.0}
        assert plan["quota"] == {"limit": 1000, "offset": 0, "period": "DAY"}
        assert [k["id"] for k in apigw.get_usage_plan_keys(usagePlanId=out["PlanId"])["items"]] == [out["KeyId"]]
        url = f"{server.url}/restapis/{out['ApiId']}/prod/_user_request_/items"
        assert requests.get(url, timeout=10).status_code == 403  # API key required
        assert requests.get(url, headers={"x-api-key": KEY_VALUE}, timeout=10).json() == {"ok": True}

        idp = cognito_client(server.url)
        for pool in (out["KeptPoolId"], out["StayingPoolId"]):
            idp.admin_create_user(UserPoolId=pool, Username="keeper", MessageAction="SUPPRESS")
    finally:
        stop_server(server)

    server = _start(tmp_path, 2)
    try:
        assert _outputs(server)["PlanId"] == out["PlanId"]  # updated in place
        idp = cognito_client(server.url)
        with pytest.raises(ClientError) as excinfo:
            idp.describe_user_pool(UserPoolId=out["GonePoolId"])
        assert excinfo.value.response["Error"]["Code"] == "ResourceNotFoundException"
        for pool in (out["KeptPoolId"], out["StayingPoolId"]):  # retained, and staying: their users too
            assert idp.admin_get_user(UserPoolId=pool, Username="keeper")["Username"] == "keeper"

        iam = _client(server, "iam")
        assert iam.list_role_policies(RoleName="TemplateRole")["PolicyNames"] == ["items"]
        managed = iam.get_policy(PolicyArn=out["ManagedArn"])["Policy"]
        assert managed["DefaultVersionId"] == "v2" and managed["AttachmentCount"] == 1
        assert iam.get_policy_version(PolicyArn=out["ManagedArn"], VersionId="v2")["PolicyVersion"][
            "Document"] == _allow("v2")

        apigw = _client(server, "apigateway")
        with pytest.raises(ClientError) as excinfo:
            apigw.get_api_key(apiKey=out["KeyId"])
        assert excinfo.value.response["Error"]["Code"] == "NotFoundException"
        plan = apigw.get_usage_plan(usagePlanId=out["PlanId"])
        assert plan["throttle"]["burstLimit"] == 20 and plan["apiStages"][0]["stage"] == "prod"
        assert apigw.get_usage_plan_keys(usagePlanId=out["PlanId"])["items"] == []
        url = f"{server.url}/restapis/{out['ApiId']}/prod/_user_request_/items"
        assert requests.get(url, headers={"x-api-key": KEY_VALUE}, timeout=10).status_code == 403
        state = json.loads((tmp_path / "data" / "templates" / "keyed-stack.json").read_text())["resources"]
        assert {"GonePool", "KeptPool", "ExtraPolicy", "Key", "PlanKey"}.isdisjoint(state)
    finally:
        stop_server(server)
