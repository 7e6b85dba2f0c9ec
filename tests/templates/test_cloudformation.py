"""A plain CloudFormation template (no transform) with every type poolgate applies: the user pool and its
domain, resource server, group and client; an inline Python function, a version, an alias and a permission;
a REST API with a resource, a Cognito authorizer, a method integrated with the alias, a gateway response, a
deployment and a stage with variables; a resource whose Condition is false; Outputs with a Condition."""

from __future__ import annotations

import json
from pathlib import Path

import requests

from tests.conftest import cognito_client
from tests.support import start_server, stop_server
from tests.templates.helpers import printed_outputs

TEMPLATE = Path(__file__).parent / "cfn_stack.yaml"
PASSWORD = "Passw0rd!cfn"


def test_cloudformation_types_applied_through_the_apis(tmp_path: Path) -> None:
    server = start_server("--template", str(TEMPLATE), data_dir=tmp_path, wait=60)
    try:
        outputs = printed_outputs(server.log())
        assert set(outputs) == {"Items", "PoolId", "ClientId", "Alias"}, server.log()  # ProdGroup's Condition
        pool_id, client_id = outputs["PoolId"], outputs["ClientId"]
        assert outputs["Alias"] == "arn:aws:lambda:us-east-1:000000000000:function:cfn-stack-Fn:live"
        api_id, stage = outputs["Items"].removeprefix("https://").split("/")[:2]
        api_id = api_id.split(".")[0]
        assert stage == "dev"
        assert outputs["Items"] == f"https://{api_id}.execute-api.us-east-1.amazonaws.com/dev/items"

        idp = cognito_client(server.url)
        pool = idp.describe_user_pool(UserPoolId=pool_id)["UserPool"]
        assert pool["Name"] == "cfn-stack-dev" and pool["UserPoolTags"] == {"team": "dev"}
        assert pool["Domain"] == "cfn-dev-stack"
        assert [g["GroupName"] for g in idp.list_groups(UserPoolId=pool_id)["Groups"]] == ["admins"]
        server_ = idp.describe_resource_server(UserPoolId=pool_id, Identifier="items")["ResourceServer"]
        assert server_["Scopes"] == [{"ScopeName": "read", "ScopeDescription": "read items"}]

        url = f"{server.url}/restapis/{api_id}/dev/_user_request_/items"
        refused = requests.get(url, timeout=10)
        assert refused.status_code == 401
        assert refused.json() == {"message": "who are you?"}
        assert refused.headers["x-why"] == "no token"

        idp.admin_create_user(UserPoolId=pool_id, Username="bob", MessageAction="SUPPRESS")
        idp.admin_set_user_password(UserPoolId=pool_id, Username="bob", Password=PASSWORD, Permanent=True)
        token = idp.admin_initiate_auth(UserPoolId=pool_id, ClientId=client_id, AuthFlow="ADMIN_USER_PASSWORD_AUTH",
                                        AuthParameters={"USERNAME": "bob", "PASSWORD": PASSWORD}
                                        )["AuthenticationResult"]["IdToken"]
        ok = requests.get(url, headers={"Authorization": token}, timeout=30)
        assert ok.status_code == 200, ok.text
        assert json.loads(ok.text) == {"env": "development", "version": "1", "user": "bob", "color": "blue"}
    finally:
        stop_server(server)
    server = start_server("--template", str(TEMPLATE), data_dir=tmp_path, wait=60)
    try:
        assert printed_outputs(server.log()) == outputs  # nothing made anew
        idp = cognito_client(server.url)
        assert idp.admin_get_user(UserPoolId=pool_id, Username="bob")["UserStatus"] == "CONFIRMED"
        # /_poolgate/reset empties the database: the template is applied again and served at once
        server.reset()
        pools = idp.list_user_pools(MaxResults=10)["UserPools"]
        assert [pool["Name"] for pool in pools] == ["cfn-stack-dev"] and pools[0]["Id"] != pool_id
        state = json.loads((tmp_path / "templates" / "cfn-stack.json").read_text())["resources"]
        new_api = state["Api"]["id"]
        assert new_api != api_id
        refused = requests.get(f"{server.url}/restapis/{new_api}/dev/_user_request_/items", timeout=10)
        assert refused.status_code == 401 and refused.json() == {"message": "who are you?"}
    finally:
        stop_server(server)
