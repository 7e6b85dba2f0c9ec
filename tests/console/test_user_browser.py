"""A user's page in the console, in Debian's chromium by roles and labels only: the confirmation code sign-up sent
(the pool's outbox, as `poolgate codes` prints it) is read on the page and confirms the account through boto3;
Edit user attributes sets a standard attribute and a changed e-mail address (which sends a verification code,
shown on the page as well), and Remove takes one away; boto3's AdminGetUser sees each change. A refused change
(an attribute the schema lacks) is the operation's error, shown."""

from __future__ import annotations

import re
from typing import Any

import boto3
from botocore.config import Config

from ..support import Server

PASSWORD = "Users-Passw0rd!"


def _idp(server: Server) -> Any:
    return boto3.client("cognito-idp", endpoint_url=server.url, region_name="us-east-1",
                        aws_access_key_id="AKIDTEST", aws_secret_access_key="secretsecretsecret",
                        config=Config(retries={"max_attempts": 0}))


def _attributes(idp: Any, pool_id: str) -> dict[str, str]:
    user = idp.admin_get_user(UserPoolId=pool_id, Username="carol")
    return {a["Name"]: a["Value"] for a in user["UserAttributes"]}


def test_user_attributes_and_the_codes_sent(server: Server, browser: Any) -> None:
    from playwright.sync_api import expect

    idp = _idp(server)
    pool = idp.create_user_pool(PoolName="users-pool", AutoVerifiedAttributes=["email"])["UserPool"]
    client_id = idp.create_user_pool_client(UserPoolId=pool["Id"], ClientName="web")["UserPoolClient"]["ClientId"]
    idp.sign_up(ClientId=client_id, Username="carol", Password=PASSWORD,
                UserAttributes=[{"Name": "email", "Value": "carol@example.com"}])

    page = browser.new_context().new_page()
    page.goto(f"{server.url}/_console/user-pools")
    page.get_by_role("link", name="users-pool").click()
    page.get_by_role("link", name="carol", exact=True).click()
    expect(page.get_by_role("heading", name="carol", level=1)).to_be_visible()
    expect(page.get_by_role("row", name="Confirmation status UNCONFIRMED")).to_be_visible()
    codes = page.get_by_role("table", name=re.compile("^Codes sent"))
    row = codes.get_by_role("row", name=re.compile("email carol@example.com", re.I))
    expect(row).to_have_count(1)
    code = row.get_by_role("cell").nth(3).inner_text().strip()
    assert re.fullmatch(r"\d{6}", code), code
    idp.confirm_sign_up(ClientId=client_id, Username="carol", ConfirmationCode=code)  # the code works
    page.reload()
    expect(page.get_by_role("row", name="Confirmation status CONFIRMED")).to_be_visible()

    page.get_by_label("Attribute name").fill("given_name")
    page.get_by_label("Value", exact=True).fill("Carol")
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_role("status")).to_contain_text("User attributes saved")
    expect(page.get_by_role("row", name="given_name Carol")).to_be_visible()
    assert _attributes(idp, pool["Id"])["given_name"] == "Carol"

    page.get_by_label("Attribute name").fill("email")
    page.get_by_label("Value", exact=True).fill("carol@example.org")
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_role("row", name=re.compile("email carol@example.org", re.I))).to_have_count(2)  # attr., code
    assert _attributes(idp, pool["Id"])["email"] == "carol@example.org"

    page.get_by_role("button", name="Remove attribute given_name").click()
    expect(page.get_by_role("status")).to_contain_text("User attribute removed")
    expect(page.get_by_role("row", name="given_name Carol")).to_have_count(0)
    assert "given_name" not in _attributes(idp, pool["Id"])

    page.get_by_label("Attribute name").fill("custom:missing")
    page.get_by_label("Value", exact=True).fill("x")
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_role("alert")).to_contain_text("InvalidParameterException")
    assert "custom:missing" not in _attributes(idp, pool["Id"])
