"""Pool settings as AWS reports them: legacy verification messages kept in step with VerificationMessageTemplate,
SetUserPoolMfaConfig's refusal of OFF with a factor, and the pool's tags through TagResource & co."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import jwt
import pytest

from ..conftest import cognito_client
from ..support import Server
from .helpers import AwsError, error_of, new_pool, unique

LEGACY = ("SmsVerificationMessage", "EmailVerificationMessage", "EmailVerificationSubject")


def _pool(idp: Any, pool_id: str) -> dict[str, Any]:
    return dict(idp.describe_user_pool(UserPoolId=pool_id)["UserPool"])


def test_template_messages_are_reported_as_the_legacy_settings_too(idp: Any) -> None:
    # hashicorp/terraform-provider-aws TestAccCognitoIDPUserPool_withVerificationMessageTemplate (run against AWS):
    # "Setting Verification template attributes like EmailMessage, EmailSubject or SmsMessage will implicitly set
    # EmailVerificationMessage, EmailVerificationSubject and SmsVerificationMessage attributes."
    template = {"DefaultEmailOption": "CONFIRM_WITH_LINK", "EmailMessage": "foo {####} bar",
                "EmailMessageByLink": "{##foobar##}", "EmailSubject": "foobar {####}",
                "EmailSubjectByLink": "foobar", "SmsMessage": "{####} baz"}
    created = idp.create_user_pool(PoolName=unique("pool"), VerificationMessageTemplate=template)["UserPool"]
    for pool in (created, _pool(idp, created["Id"])):
        assert pool["VerificationMessageTemplate"] == template
        assert (pool["EmailVerificationMessage"], pool["EmailVerificationSubject"],
                pool["SmsVerificationMessage"]) == ("foo {####} bar", "foobar {####}", "{####} baz")


def test_legacy_messages_are_reported_in_the_template_too(idp: Any) -> None:
    # the same provider's TestAccCognitoIDPUserPool_withEmailVerificationMessage / update steps: "Setting
    # EmailVerificationMessage, EmailVerificationSubject and SmsVerificationMessage attributes will implicitly set
    # verification template attributes like EmailMessage, EmailSubject or SmsMessage."
    pool_id = new_pool(idp, EmailVerificationMessage="Foo {####} Bar", EmailVerificationSubject="FooBar {####}",
                       SmsVerificationMessage="{####} Baz")
    template = _pool(idp, pool_id)["VerificationMessageTemplate"]
    assert template == {"DefaultEmailOption": "CONFIRM_WITH_CODE", "EmailMessage": "Foo {####} Bar",
                        "EmailSubject": "FooBar {####}", "SmsMessage": "{####} Baz"}
    idp.update_user_pool(UserPoolId=pool_id, EmailVerificationMessage="{####} Baz",
                         EmailVerificationSubject="BazBaz {####}", SmsVerificationMessage="{####} BazBazBar?",
                         VerificationMessageTemplate={"DefaultEmailOption": "CONFIRM_WITH_CODE"})
    pool = _pool(idp, pool_id)
    assert pool["VerificationMessageTemplate"] == {"DefaultEmailOption": "CONFIRM_WITH_CODE",
                                                   "EmailMessage": "{####} Baz", "EmailSubject": "BazBaz {####}",
                                                   "SmsMessage": "{####} BazBazBar?"}
    idp.update_user_pool(UserPoolId=pool_id, VerificationMessageTemplate={
        "DefaultEmailOption": "CONFIRM_WITH_CODE", "EmailMessage": "New {####}", "EmailSubject": "New subject",
        "SmsMessage": "New sms {####}"})
    pool = _pool(idp, pool_id)
    assert [pool[k] for k in LEGACY] == ["New sms {####}", "New {####}", "New subject"]


def test_a_new_pool_without_messages_reports_none(idp: Any) -> None:
    pool = _pool(idp, new_pool(idp))  # AWS CLI output of a new pool: no legacy fields, the template's option only
    assert not set(LEGACY) & set(pool)
    assert pool["VerificationMessageTemplate"] == {"DefaultEmailOption": "CONFIRM_WITH_CODE"}


@pytest.mark.parametrize("factor", [
    {"SoftwareTokenMfaConfiguration": {"Enabled": True}},
    {"EmailMfaConfiguration": {"Message": "Your code is {####}", "Subject": "Code"}},
    {"SmsMfaConfiguration": {"SmsAuthenticationMessage": "Your code is {####}"}},
], ids=["software-token", "email", "sms"])
def test_mfa_off_with_a_factor_is_refused(idp: Any, factor: dict[str, Any]) -> None:
    # SetUserPoolMfaConfig calls made against AWS (go-to-k/cdkd#1923): OFF with EmailMfaConfiguration or
    # SoftwareTokenMfaConfiguration is refused with this text; OFF alone is accepted
    pool_id = new_pool(idp)
    err = error_of(idp.set_user_pool_mfa_config, UserPoolId=pool_id, MfaConfiguration="OFF", **factor)
    assert err == AwsError("InvalidParameterException",
                           "Invalid MFA configuration given, can't turn off MFA and configure an MFA together.", 400)
    assert idp.get_user_pool_mfa_config(UserPoolId=pool_id)["MfaConfiguration"] == "OFF"
    assert idp.set_user_pool_mfa_config(UserPoolId=pool_id, MfaConfiguration="OFF")["MfaConfiguration"] == "OFF"


def test_tags_of_a_pool(idp: Any) -> None:
    pool = idp.create_user_pool(PoolName=unique("pool"), UserPoolTags={"team": "a"})["UserPool"]
    arn = pool["Arn"]
    assert idp.list_tags_for_resource(ResourceArn=arn)["Tags"] == {"team": "a"}
    idp.tag_resource(ResourceArn=arn, Tags={"env": "dev", "team": "b"})
    assert idp.list_tags_for_resource(ResourceArn=arn)["Tags"] == {"team": "b", "env": "dev"}
    assert _pool(idp, pool["Id"])["UserPoolTags"] == {"team": "b", "env": "dev"}
    idp.untag_resource(ResourceArn=arn, TagKeys=["team", "absent"])
    assert idp.list_tags_for_resource(ResourceArn=arn)["Tags"] == {"env": "dev"}
    # poolgate's own tag is a tag like any other: tagging a pool switches its tokens to AWS's issuer
    idp.tag_resource(ResourceArn=arn, Tags={"poolgate:issuer": "aws"})
    client_id = idp.create_user_pool_client(UserPoolId=pool["Id"], ClientName="c", ExplicitAuthFlows=[
        "ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"])["UserPoolClient"]["ClientId"]
    idp.admin_create_user(UserPoolId=pool["Id"], Username="tia", MessageAction="SUPPRESS",
                          TemporaryPassword="Passw0rd!")
    idp.admin_set_user_password(UserPoolId=pool["Id"], Username="tia", Password="Passw0rd!", Permanent=True)
    token = idp.admin_initiate_auth(UserPoolId=pool["Id"], ClientId=client_id, AuthFlow="ADMIN_USER_PASSWORD_AUTH",
                                    AuthParameters={"USERNAME": "tia", "PASSWORD": "Passw0rd!"}
                                    )["AuthenticationResult"]["IdToken"]
    assert jwt.decode(token, options={"verify_signature": False})["iss"] == (
        f"https://cognito-idp.us-east-1.amazonaws.com/{pool['Id']}")
    # an ARN of no pool of the caller's (message UNCONFIRMED)
    other_region = arn.replace(":us-east-1:", ":eu-west-1:")
    for bad in (arn.replace(pool["Id"], "us-east-1_nosuchpoo"), other_region):
        assert error_of(idp.list_tags_for_resource, ResourceArn=bad).code == "ResourceNotFoundException"
        assert error_of(idp.tag_resource, ResourceArn=bad, Tags={"a": "b"}).code == "ResourceNotFoundException"


def test_tags_added_at_once_are_all_kept(server: Server) -> None:
    clients = [cognito_client(server.url) for _ in range(4)]
    arn = clients[0].create_user_pool(PoolName=unique("pool"))["UserPool"]["Arn"]
    with ThreadPoolExecutor(16) as pool:
        list(pool.map(lambda i: clients[i % 4].tag_resource(ResourceArn=arn, Tags={f"k{i}": str(i)}), range(24)))
    assert clients[0].list_tags_for_resource(ResourceArn=arn)["Tags"] == {f"k{i}": str(i) for i in range(24)}
