"""The AWS CLI's error lines for what poolgate used to answer without a message (printed as "None"), or not at
all: an operation poolgate does not serve, and the operations it gained (AddCustomAttributes, tags, resets)."""

from __future__ import annotations

from typing import Any

import pytest

from ..support import Server
from .helpers import unique
from .test_aws_cli import AwsCli


@pytest.fixture
def cli(server: Server, tmp_path: Any) -> AwsCli:
    return AwsCli(server.url, str(tmp_path))


def test_an_operation_poolgate_does_not_serve_names_itself(cli: AwsCli) -> None:
    # Coral's text for an unrouted operation (see test_errors.py::test_unknown_operation); before, the CLI printed
    # "...operation: None"
    assert cli.error("get-signing-certificate", "--user-pool-id", "us-east-1_abcdefghi") == (
        "An error occurred (UnknownOperationException) when calling the GetSigningCertificate operation: "
        "The requested operation is not recognized by the service.")


def test_custom_attributes_tags_and_resets_from_the_cli(cli: AwsCli) -> None:
    pool = cli.ok("create-user-pool", "--pool-name", unique("cli"), "--user-pool-tags", "team=a")["UserPool"]
    # the AWS CLI's own example (code library: add-custom-attributes), in the shorthand CLI v1 parses
    assert cli.ok("add-custom-attributes", "--user-pool-id", pool["Id"], "--custom-attributes",
                  "Name=CustomAttr1,AttributeDataType=String,DeveloperOnlyAttribute=false,Required=false,"
                  "StringAttributeConstraints={MinLength=1,MaxLength=15}") is None
    schema = cli.ok("describe-user-pool", "--user-pool-id", pool["Id"])["UserPool"]["SchemaAttributes"]
    assert {"Name": "custom:CustomAttr1", "AttributeDataType": "String", "DeveloperOnlyAttribute": False,
            "Mutable": True, "Required": False,
            "StringAttributeConstraints": {"MinLength": "1", "MaxLength": "15"}} in schema
    assert cli.error("add-custom-attributes", "--user-pool-id", pool["Id"], "--custom-attributes",
                     "Name=CustomAttr1,AttributeDataType=String") == (
        "An error occurred (InvalidParameterException) when calling the AddCustomAttributes operation: "
        "custom:CustomAttr1: Existing attribute already has name custom:CustomAttr1.")
    assert cli.ok("tag-resource", "--resource-arn", pool["Arn"], "--tags", "env=dev") is None
    assert cli.ok("list-tags-for-resource", "--resource-arn", pool["Arn"]) == {"Tags": {"team": "a", "env": "dev"}}
    assert cli.error("admin-create-user", "--user-pool-id", pool["Id"], "--username", "ann",
                     "--temporary-password", "short", "--message-action", "SUPPRESS") == (
        "An error occurred (InvalidPasswordException) when calling the AdminCreateUser operation: "
        "Password did not conform with password policy: Password not long enough")
