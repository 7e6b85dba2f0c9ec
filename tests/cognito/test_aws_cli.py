"""The AWS CLI (v1, unmodified, from PyPI) against poolgate: the commands a developer types, their output and
their error lines, over real HTTP on both backends."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from typing import Any

import pytest

from ..support import Server
from .helpers import unique

PASSWORD = "Cli-Passw0rd!"


class AwsCli:
    """``aws cognito-idp …`` pointed at one server, with throw-away credentials and no user configuration."""

    def __init__(self, url: str, tmp: str) -> None:
        self.url = url
        self.env = {**os.environ, "AWS_ACCESS_KEY_ID": "AKIDCLITEST", "AWS_SECRET_ACCESS_KEY": "secret",
                    "AWS_DEFAULT_REGION": "us-east-1", "AWS_CONFIG_FILE": os.path.join(tmp, "config"),
                    "AWS_SHARED_CREDENTIALS_FILE": os.path.join(tmp, "credentials"), "AWS_PAGER": "",
                    "AWS_MAX_ATTEMPTS": "1"}

    def run(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "awscli", "cognito-idp", *args, "--endpoint-url", self.url,
                               "--output", "json"], env=self.env, capture_output=True, text=True, timeout=60)

    def ok(self, *args: str) -> Any:
        done = self.run(*args)
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout) if done.stdout.strip() else None

    def error(self, *args: str) -> str:
        """The CLI's error line for a call the service refuses (version 1 exits 255 on a service error)."""
        done = self.run(*args)
        assert done.returncode == 255, (done.returncode, done.stdout, done.stderr)
        return done.stderr.strip()


@pytest.fixture
def cli(server: Server, tmp_path: Any) -> AwsCli:
    return AwsCli(server.url, str(tmp_path))


def _pool_with_user(cli: AwsCli, username: str = "alice") -> tuple[str, str]:
    pool_id = cli.ok("create-user-pool", "--pool-name", unique("cli"))["UserPool"]["Id"]
    client_id = cli.ok("create-user-pool-client", "--user-pool-id", pool_id, "--client-name", "cli",
                       "--explicit-auth-flows", "ALLOW_USER_PASSWORD_AUTH",
                       "ALLOW_REFRESH_TOKEN_AUTH")["UserPoolClient"]["ClientId"]
    cli.ok("admin-create-user", "--user-pool-id", pool_id, "--username", username, "--message-action", "SUPPRESS",
           "--user-attributes", f"Name=email,Value={username}@example.com", "Name=email_verified,Value=true")
    cli.ok("admin-set-user-password", "--user-pool-id", pool_id, "--username", username,
           "--password", PASSWORD, "--permanent")
    return pool_id, client_id


def test_sign_in_read_the_user_and_sign_out_with_the_cli(cli: AwsCli) -> None:
    pool_id, client_id = _pool_with_user(cli)
    tokens = cli.ok("initiate-auth", "--client-id", client_id, "--auth-flow", "USER_PASSWORD_AUTH",
                    "--auth-parameters", f"USERNAME=alice,PASSWORD={PASSWORD}")["AuthenticationResult"]
    assert tokens["TokenType"] == "Bearer" and tokens["ExpiresIn"] == 3600
    user = cli.ok("get-user", "--access-token", tokens["AccessToken"])
    assert user["Username"] == "alice"
    assert {"Name": "email", "Value": "alice@example.com"} in user["UserAttributes"]
    described = cli.ok("admin-get-user", "--user-pool-id", pool_id, "--username", "alice")
    assert described["UserStatus"] == "CONFIRMED" and described["Enabled"] is True

    refreshed = cli.ok("initiate-auth", "--client-id", client_id, "--auth-flow", "REFRESH_TOKEN_AUTH",
                       "--auth-parameters", f"REFRESH_TOKEN={tokens['RefreshToken']}")["AuthenticationResult"]
    assert "RefreshToken" not in refreshed and refreshed["AccessToken"] != tokens["AccessToken"]

    assert cli.ok("global-sign-out", "--access-token", refreshed["AccessToken"]) is None
    assert cli.error("get-user", "--access-token", refreshed["AccessToken"]) == (
        "An error occurred (NotAuthorizedException) when calling the GetUser operation: "
        "Access Token has been revoked")


def test_list_users_filters_and_follows_pagination_tokens(cli: AwsCli) -> None:
    pool_id, _ = _pool_with_user(cli, "alice")
    for name in ("bob", "carol", "dave", "erin"):
        cli.ok("admin-create-user", "--user-pool-id", pool_id, "--username", name, "--message-action", "SUPPRESS",
               "--user-attributes", f"Name=email,Value={name}@example.com")
    # --page-size 2: the CLI asks for two at a time and follows PaginationToken until the last page.
    everyone = cli.ok("list-users", "--user-pool-id", pool_id, "--page-size", "2")["Users"]
    assert sorted(u["Username"] for u in everyone) == ["alice", "bob", "carol", "dave", "erin"]
    found = cli.ok("list-users", "--user-pool-id", pool_id, "--filter", 'email = "carol@example.com"')["Users"]
    assert [u["Username"] for u in found] == ["carol"]
    prefixed = cli.ok("list-users", "--user-pool-id", pool_id, "--filter", 'email ^= "d"')["Users"]
    assert [u["Username"] for u in prefixed] == ["dave"]


def test_service_errors_read_as_the_cli_prints_them_from_aws(cli: AwsCli) -> None:
    pool_id, client_id = _pool_with_user(cli)
    assert cli.error("admin-get-user", "--user-pool-id", pool_id, "--username", "nobody") == (
        "An error occurred (UserNotFoundException) when calling the AdminGetUser operation: User does not exist.")
    assert cli.error("initiate-auth", "--client-id", client_id, "--auth-flow", "USER_PASSWORD_AUTH",
                     "--auth-parameters", "USERNAME=alice,PASSWORD=wrong-Passw0rd") == (
        "An error occurred (NotAuthorizedException) when calling the InitiateAuth operation: "
        "Incorrect username or password.")
    assert cli.error("admin-create-user", "--user-pool-id", pool_id, "--username", "alice",
                     "--message-action", "SUPPRESS") == (
        "An error occurred (UsernameExistsException) when calling the AdminCreateUser operation: "
        "User account already exists")
    assert cli.error("describe-user-pool", "--user-pool-id", "us-east-1_Nowhere00") == (
        "An error occurred (ResourceNotFoundException) when calling the DescribeUserPool operation: "
        "User pool us-east-1_Nowhere00 does not exist.")
