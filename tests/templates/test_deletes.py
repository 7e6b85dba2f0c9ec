"""Deletes at a template update: a resource whose Condition turns false is deleted, as CloudFormation deletes it; a
delete its API refuses (a user pool with deletion protection on) is logged, the resource kept and tried again at the
next start, where it goes once the protection is off."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from botocore.exceptions import ClientError

from tests.conftest import cognito_client
from tests.support import Server, start_server, stop_server
from tests.templates.helpers import printed_outputs


def _template(with_group: str, protected_pool: bool) -> dict[str, Any]:
    resources: dict[str, Any] = {
        "Pool": {"Type": "AWS::Cognito::UserPool", "Properties": {"UserPoolName": "conditions"}},
        "Group": {"Type": "AWS::Cognito::UserPoolGroup", "Condition": "WithGroup",
                  "Properties": {"UserPoolId": {"Ref": "Pool"}, "GroupName": "editors"}},
    }
    if protected_pool:
        resources["Protected"] = {"Type": "AWS::Cognito::UserPool", "Properties": {
            "UserPoolName": "protected", "DeletionProtection": "ACTIVE"}}
    return {"Parameters": {"Group": {"Type": "String", "Default": with_group}},
            "Conditions": {"WithGroup": {"Fn::Equals": [{"Ref": "Group"}, "yes"]}},
            "Resources": resources,
            "Outputs": {"PoolId": {"Value": {"Ref": "Pool"}},
                        **({"ProtectedId": {"Value": {"Ref": "Protected"}}} if protected_pool else {})}}


def _start(tmp_path: Path, with_group: str, protected_pool: bool) -> Server:
    path = tmp_path / "conditions.yaml"
    path.write_text(yaml.safe_dump(_template(with_group, protected_pool), sort_keys=False))
    (tmp_path / "data").mkdir(exist_ok=True)
    return start_server("--template", str(path), data_dir=tmp_path / "data", wait=60)


def test_condition_turned_false_and_refused_delete(tmp_path: Path) -> None:
    server = _start(tmp_path, "yes", True)
    try:
        out = printed_outputs(server.log())
        idp = cognito_client(server.url)
        assert [g["GroupName"] for g in idp.list_groups(UserPoolId=out["PoolId"])["Groups"]] == ["editors"]
    finally:
        stop_server(server)

    server = _start(tmp_path, "no", False)
    try:
        idp = cognito_client(server.url)
        assert idp.list_groups(UserPoolId=out["PoolId"])["Groups"] == []  # its Condition is false now
        assert idp.describe_user_pool(UserPoolId=out["ProtectedId"])["UserPool"]["Name"] == "protected"
        assert "Protected (AWS::Cognito::UserPool" in server.log() and "could not be deleted" in server.log()
        state = json.loads((tmp_path / "data" / "templates" / "conditions.json").read_text())["resources"]
        assert "Protected" in state and "Group" not in state
        idp.update_user_pool(UserPoolId=out["ProtectedId"], DeletionProtection="INACTIVE")
    finally:
        stop_server(server)

    server = _start(tmp_path, "no", False)
    try:
        with pytest.raises(ClientError) as excinfo:
            cognito_client(server.url).describe_user_pool(UserPoolId=out["ProtectedId"])
        assert excinfo.value.response["Error"]["Code"] == "ResourceNotFoundException"
        state = json.loads((tmp_path / "data" / "templates" / "conditions.json").read_text())["resources"]
        assert set(state) == {"Pool"}
    finally:
        stop_server(server)
