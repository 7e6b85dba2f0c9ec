"""A user pool's page in chromium, by roles and labels: Create user pool with e-mail sign-in, Optional MFA and a
password policy; Create app client with the hosted UI's settings; Create Cognito domain; "View hosted UI" opens the
client's sign-in page; a user's Disable user access / Enable user access / Reset password; Create group and Add
user to group; boto3 sees each change."""

from __future__ import annotations

from typing import Any

import boto3
from botocore.config import Config

from ..support import Server


def test_pool_domain_hosted_ui_and_user_actions(server: Server, browser: Any) -> None:
    from playwright.sync_api import expect

    idp = boto3.client("cognito-idp", endpoint_url=server.url, region_name="us-east-1",
                       aws_access_key_id="AKIDTEST", aws_secret_access_key="secretsecretsecret",
                       config=Config(retries={"max_attempts": 0}))
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{server.url}/_console/user-pools/create")
    page.get_by_label("User pool name").fill("hosted-pool")
    page.get_by_role("checkbox", name="User name").uncheck()
    page.get_by_role("checkbox", name="Email").check()
    page.get_by_label("Password minimum length").fill("12")
    page.get_by_role("radio", name="Optional MFA").check()
    page.get_by_role("button", name="Create user pool").click()
    expect(page.get_by_role("heading", name="hosted-pool", level=1)).to_be_visible()
    pool_id = next(p["Id"] for p in idp.list_user_pools(MaxResults=60)["UserPools"] if p["Name"] == "hosted-pool")
    pool = idp.describe_user_pool(UserPoolId=pool_id)["UserPool"]
    assert pool["UsernameAttributes"] == ["email"] and pool["MfaConfiguration"] == "OPTIONAL"
    assert pool["Policies"]["PasswordPolicy"]["MinimumLength"] == 12

    page.get_by_role("link", name="Create app client").click()
    page.get_by_label("App client name").fill("spa")
    page.get_by_label("Allowed callback URLs").fill("http://localhost:3000/callback")
    page.get_by_label("Authorization code grant").check()
    page.get_by_role("checkbox", name="openid").check()
    page.get_by_role("checkbox", name="email", exact=True).check()
    page.get_by_role("button", name="Create app client").click()
    expect(page.get_by_text("needs a domain")).to_be_visible()

    page.get_by_label("Cognito domain").fill("console-hosted")
    page.get_by_role("button", name="Create Cognito domain").click()
    expect(page.get_by_role("status")).to_contain_text("Cognito domain created")
    assert idp.describe_user_pool(UserPoolId=pool_id)["UserPool"]["Domain"] == "console-hosted"
    with context.expect_page() as opened:
        page.get_by_role("link", name="View hosted UI").click()
    login = opened.value
    login.wait_for_load_state()
    expect(login.get_by_role("heading", name="Sign in with your username and password")).to_be_visible()
    assert "client_id=" in login.url and "redirect_uri=http%3A%2F%2Flocalhost%3A3000%2Fcallback" in login.url
    login.close()

    page.get_by_role("link", name="Create user").click()
    page.get_by_label("User name").fill("bob@example.com")
    page.get_by_label("Email address").fill("bob@example.com")
    page.get_by_label("Temporary password").fill("Temp-Passw0rd-12")
    page.get_by_role("button", name="Create user").click()
    page.get_by_role("button", name="Disable user access").click()
    expect(page.get_by_role("status")).to_contain_text("User access disabled")
    users = idp.list_users(UserPoolId=pool_id)["Users"]
    assert [u["Enabled"] for u in users] == [False]
    expect(page.get_by_role("cell", name="Disabled", exact=True)).to_be_visible()
    page.get_by_role("button", name="Enable user access").click()
    expect(page.get_by_role("status")).to_contain_text("User access enabled")
    assert idp.list_users(UserPoolId=pool_id)["Users"][0]["Enabled"] is True
    page.get_by_role("button", name="Reset password").click()
    expect(page.get_by_role("alert")).to_be_visible()  # a user who never signed in cannot be reset (AWS's message)

    page.get_by_label("Group name").fill("admins")
    page.get_by_label("Group description").fill("Pool administrators")
    page.get_by_role("button", name="Create group").click()
    expect(page.get_by_role("status")).to_contain_text("Group created")
    page.get_by_label("User", exact=True).select_option(label="bob@example.com")
    page.get_by_label("Group", exact=True).select_option("admins")
    page.get_by_role("button", name="Add user to group").click()
    expect(page.get_by_role("status")).to_contain_text("User added to the group")
    bob = idp.list_users(UserPoolId=pool_id)["Users"][0]["Username"]
    assert [g["GroupName"] for g in idp.admin_list_groups_for_user(UserPoolId=pool_id, Username=bob)["Groups"]] == [
        "admins"]
    context.close()
