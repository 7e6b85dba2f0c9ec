"""poolgate.yaml's user pools, clients, groups, resource servers, domains and users go through the control
plane's own validation (botocore's model, AWS's messages) and are refused at start with the file, the path
inside it and the message: a non-zero exit and no traceback, never a pool that answers 500 later."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.config import Config as BotoConfig

from poolgate.config import ConfigError
from poolgate.server import read_config  # every section, as `poolgate serve` reads the file

from .support import free_port, start_server, stop_server

POOL = """userPools:
  - id: us-east-1_Checked01
    name: checked
    settings:
      {setting}
    clients:
      - name: web
        settings: {{CallbackURLs: [http://localhost:3000/cb]}}
"""

BAD_SETTINGS = [
    # (the line under settings:, the path the error names, AWS's sentence (InvalidParameterException))
    ("UsernameAttributes: [emial]", "$.userPools[0].settings.UsernameAttributes[0]",
     "Value 'emial' at 'usernameAttributes.1.member' failed to satisfy constraint: Member must satisfy enum value "
     "set: [phone_number, email]"),
    ("MfaConfiguration: SOMETIMES", "$.userPools[0].settings.MfaConfiguration",
     "Value 'SOMETIMES' at 'mfaConfiguration' failed to satisfy constraint: Member must satisfy enum value set: "
     "[OFF, ON, OPTIONAL]"),
    ('Policies: {PasswordPolicy: {MinimumLength: "ten"}}',
     "$.userPools[0].settings.Policies.PasswordPolicy.MinimumLength",
     "Value 'ten' at 'policies.passwordPolicy.minimumLength' failed to satisfy constraint: Member must be an integer"),
]


def _refusal(tmp_path: Path, text: str) -> str:
    path = tmp_path / "poolgate.yaml"
    path.write_text(text)
    with pytest.raises(ConfigError) as caught:
        read_config(path)
    return str(caught.value)


@pytest.mark.parametrize(("setting", "where", "sentence"), BAD_SETTINGS, ids=["enum-list", "enum", "integer"])
def test_pool_settings_are_validated_like_the_api(tmp_path: Path, setting: str, where: str, sentence: str) -> None:
    assert _refusal(tmp_path, POOL.format(setting=setting)) == f"{tmp_path / 'poolgate.yaml'}: {where}: {sentence}"


@pytest.mark.parametrize(("setting", "where", "sentence"), BAD_SETTINGS, ids=["enum-list", "enum", "integer"])
def test_the_api_refuses_the_same_values_in_the_same_words(setting: str, where: str, sentence: str) -> None:
    """The file's message is the one CreateUserPool answers over the wire (one validation for both)."""
    del where
    import yaml

    params = yaml.safe_load(setting)
    server = start_server("--no-demo", "--ephemeral")
    try:
        idp = boto3.client("cognito-idp", endpoint_url=server.url, region_name="us-east-1",
                           aws_access_key_id="AKIDTEST", aws_secret_access_key="secret",
                           config=BotoConfig(retries={"max_attempts": 0}, parameter_validation=False))
        with pytest.raises(idp.exceptions.InvalidParameterException) as caught:
            idp.create_user_pool(PoolName="checked", **params)
        assert caught.value.response["Error"]["Message"] == f"1 validation error detected: {sentence}"
    finally:
        stop_server(server)


OTHER_ENTRIES = [
    ("an unknown member", "userPools: [{name: p, settings: {Policies: {PasswordPolicy: {MinLength: 8}}}}]",
     "$.userPools[0].settings.Policies.PasswordPolicy.MinLength", "unknown key (expected one of MinimumLength,"),
    ("a client's flow", "userPools: [{name: p, clients: [{name: web, settings: {AllowedOAuthFlows: [cod]}}]}]",
     "$.userPools[0].clients[0].settings.AllowedOAuthFlows[0]", "Value 'cod' at 'allowedOAuthFlows.1.member'"),
    ("a client's explicit flows", "userPools: [{name: p, clients: [{name: web, explicitAuthFlows: [ALLOW_X]}]}]",
     "$.userPools[0].clients[0].explicitAuthFlows[0]", "Value 'ALLOW_X' at 'explicitAuthFlows.1.member'"),
    ("a group's precedence", "userPools: [{name: p, groups: [{name: g, precedence: first}]}]",
     "$.userPools[0].groups[0].precedence", "Value 'first' at 'precedence' failed to satisfy constraint: Member "
                                             "must be an integer"),
    ("a group's unknown key", "userPools: [{name: p, groups: [{name: g, priority: 1}]}]",
     "$.userPools[0].groups[0].priority", "unknown key"),
    ("a scope name", "userPools: [{name: p, resourceServers: [{identifier: pets, scopes: ['read pets']}]}]",
     "$.userPools[0].resourceServers[0].scopes[0].ScopeName", "Value 'read pets' at 'scopes.1.member.scopeName'"),
    ("a domain", "userPools: [{name: p, domain: Not_A_Domain}]", "$.userPools[0].domain",
     "Value 'Not_A_Domain' at 'domain' failed to satisfy constraint: Member must satisfy regular expression"),
    ("a pool id", "userPools: [{name: p, id: us-east-1_not-a-suffix}]", "$.userPools[0].id",
     "Value 'us-east-1_not-a-suffix' at 'userPoolId' failed to satisfy constraint: Member must satisfy regular "
     "expression pattern"),
    ("a client id", "userPools: [{name: p, clients: [{name: web, id: 'not/an/id'}]}]", "$.userPools[0].clients[0].id",
     "at 'clientId' failed to satisfy constraint: Member must satisfy regular expression pattern"),
    ("an attribute name", "userPools: [{name: p, users: [{username: u, attributes: {%s: x}}]}]" % ("a" * 33),
     "$.userPools[0].users[0].attributes[0].Name", "at 'userAttributes.1.member.name' failed to satisfy constraint: "
                                                   "Member must have length less than or equal to 32"),
    ("YAML's OFF", "userPools: [{name: p, settings: {MfaConfiguration: OFF}}]",
     "$.userPools[0].settings.MfaConfiguration",
     'Member must be a string (YAML reads unquoted on/off/yes/no as true/false: quote the value, e.g. "OFF")'),
]


@pytest.mark.parametrize(("what", "text", "where", "problem"), OTHER_ENTRIES, ids=[e[0] for e in OTHER_ENTRIES])
def test_every_declared_entry_is_validated(tmp_path: Path, what: str, text: str, where: str, problem: str) -> None:
    message = _refusal(tmp_path, text)
    assert message.startswith(f"{tmp_path / 'poolgate.yaml'}: {where}: "), message
    assert problem in message, message


def _serve(tmp_path: Path, text: str) -> subprocess.CompletedProcess[str]:
    path = tmp_path / "poolgate.yaml"
    path.write_text(text)
    return subprocess.run([sys.executable, "-m", "poolgate.cli", "serve", "--config", str(path), "--ephemeral",
                           "--port", str(free_port())], capture_output=True, text=True, timeout=60)


def test_serve_refuses_the_file_at_start_without_a_traceback(tmp_path: Path) -> None:
    done = _serve(tmp_path, POOL.format(setting="MfaConfiguration: SOMETIMES"))
    assert done.returncode != 0
    assert (f"{tmp_path / 'poolgate.yaml'}: $.userPools[0].settings.MfaConfiguration: Value 'SOMETIMES' at "
            "'mfaConfiguration' failed to satisfy constraint") in done.stderr
    assert "Traceback" not in done.stderr + done.stdout


def test_a_business_rule_failing_at_start_names_the_entry_without_a_traceback(tmp_path: Path) -> None:
    """What the model cannot express (a token validity out of range) fails when the file is applied: the same
    clean refusal, naming the entry."""
    done = _serve(tmp_path, POOL.format(setting="MfaConfiguration: OPTIONAL").replace(
        "CallbackURLs: [http://localhost:3000/cb]",
        "AccessTokenValidity: 1, TokenValidityUnits: {AccessToken: minutes}"))
    assert done.returncode != 0
    assert (f"{tmp_path / 'poolgate.yaml'}: $.userPools[0].clients[0]: InvalidParameterException: Access token "
            "validity must be between 5 minutes and 1 day.") in done.stderr
    assert "Traceback" not in done.stderr + done.stdout


def test_scopes_in_the_apis_spelling_are_accepted(tmp_path: Path) -> None:
    """``{ScopeName, ScopeDescription}`` (cognito-idp's and apigateway's spelling) as well as ``{name,
    description}`` and plain names; the server stores what DescribeResourceServer reports."""
    path = tmp_path / "poolgate.yaml"
    path.write_text("""userPools:
  - id: us-east-1_Scopes001
    name: scopes
    resourceServers:
      - {identifier: pets, name: Pets API, scopes: [{ScopeName: read, ScopeDescription: Read pets}, write,
                                                    {name: admin, description: Everything}]}
""")
    server = start_server("--config", str(path))
    try:
        idp: Any = boto3.client("cognito-idp", endpoint_url=server.url, region_name="us-east-1",
                                aws_access_key_id="AKIDTEST", aws_secret_access_key="secret")
        described = idp.describe_resource_server(UserPoolId="us-east-1_Scopes001", Identifier="pets")
        assert described["ResourceServer"]["Scopes"] == [
            {"ScopeName": "read", "ScopeDescription": "Read pets"}, {"ScopeName": "write", "ScopeDescription": "write"},
            {"ScopeName": "admin", "ScopeDescription": "Everything"}]
    finally:
        stop_server(server)
