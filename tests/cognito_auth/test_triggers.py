"""Each user-pool trigger end to end: a Python handler in handlers/triggers.py, driven through boto3."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest

from .conftest import PASSWORD, LiveServer, make_pool, make_user


def _claims(token: str) -> dict[str, Any]:
    payload = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


def _sign_in(idp: Any, client: str, username: str, password: str = PASSWORD) -> dict[str, Any]:
    return idp.initiate_auth(ClientId=client, AuthFlow="USER_PASSWORD_AUTH",
                             AuthParameters={"USERNAME": username, "PASSWORD": password})


def test_pre_sign_up_refuses_with_the_handlers_message(live: LiveServer, idp: Any) -> None:
    _, client, _ = make_pool(idp, triggers=["PreSignUp"])
    with pytest.raises(idp.exceptions.UserLambdaValidationException) as err:
        idp.sign_up(ClientId=client, Username="rejected-1", Password=PASSWORD)
    assert err.value.response["Error"]["Message"] == "PreSignUp failed with error Sign-ups from reject* are closed."


def test_a_trigger_that_returns_no_event_fails_the_call_and_stores_nothing(live: LiveServer, idp: Any) -> None:
    pool, client, _ = make_pool(idp, triggers=["PreSignUp"])
    with pytest.raises(idp.exceptions.InvalidLambdaResponseException) as err:
        idp.sign_up(ClientId=client, Username="nothing-1", Password=PASSWORD)
    assert err.value.response["Error"]["Message"] == "Invalid lambda function output : Invalid JSON"
    with pytest.raises(idp.exceptions.UserNotFoundException):
        idp.admin_get_user(UserPoolId=pool, Username="nothing-1")


def test_pre_sign_up_auto_confirms_and_verifies(live: LiveServer, idp: Any) -> None:
    pool, client, _ = make_pool(idp, triggers=["PreSignUp", "PostConfirmation"], AutoVerifiedAttributes=["email"])
    out = idp.sign_up(ClientId=client, Username="auto-amy", Password=PASSWORD,
                      UserAttributes=[{"Name": "email", "Value": "amy@example.com"}],
                      ValidationData=[{"Name": "invite", "Value": "xyz"}], ClientMetadata={"from": "test"})
    assert out["UserConfirmed"] is True and "CodeDeliveryDetails" not in out
    user = idp.admin_get_user(UserPoolId=pool, Username="auto-amy")
    assert user["UserStatus"] == "CONFIRMED"
    assert {"Name": "email_verified", "Value": "true"} in user["UserAttributes"]
    event = [e for e in live.events("PreSignUp") if e["userName"] == "auto-amy"][-1]
    assert event["triggerSource"] == "PreSignUp_SignUp" and event["userPoolId"] == pool
    assert event["callerContext"]["clientId"] == client
    assert event["request"]["userAttributes"]["email"] == "amy@example.com"
    assert event["request"]["validationData"] == {"invite": "xyz"}
    assert event["request"]["clientMetadata"] == {"from": "test"}
    # An auto-confirmed sign-up is a confirmation: PostConfirmation runs as after ConfirmSignUp.
    confirmed = [e for e in live.events("PostConfirmation") if e["userName"] == "auto-amy"]
    assert len(confirmed) == 1 and confirmed[0]["triggerSource"] == "PostConfirmation_ConfirmSignUp"
    assert confirmed[0]["request"]["userAttributes"]["email"] == "amy@example.com"
    assert confirmed[0]["request"]["clientMetadata"] == {"from": "test"}
    assert "AuthenticationResult" in _sign_in(idp, client, "auto-amy")


def test_post_confirmation_and_custom_message(live: LiveServer, idp: Any) -> None:
    _, client, _ = make_pool(idp, triggers=["PostConfirmation", "CustomMessage"], AutoVerifiedAttributes=["email"])
    idp.sign_up(ClientId=client, Username="bea", Password=PASSWORD,
                UserAttributes=[{"Name": "email", "Value": "bea@example.com"}])
    sent = live.outbox("bea")[-1]
    assert sent["message"] == f"[CustomMessage_SignUp] code {sent['code']}"
    assert not [e for e in live.events("PostConfirmation") if e["userName"] == "bea"]
    idp.confirm_sign_up(ClientId=client, Username="bea", ConfirmationCode=sent["code"])
    event = [e for e in live.events("PostConfirmation") if e["userName"] == "bea"][-1]
    assert event["triggerSource"] == "PostConfirmation_ConfirmSignUp"
    assert event["request"]["userAttributes"]["cognito:user_status"] == "CONFIRMED"
    assert event["request"]["userAttributes"]["email"] == "bea@example.com"
    idp.forgot_password(ClientId=client, Username="bea")
    assert live.outbox("bea")[-1]["message"].startswith("[CustomMessage_ForgotPassword] code ")
    idp.confirm_forgot_password(ClientId=client, Username="bea", ConfirmationCode=live.outbox("bea")[-1]["code"],
                                Password="Reset-Passw0rd!")
    event = [e for e in live.events("PostConfirmation") if e["userName"] == "bea"][-1]
    assert event["triggerSource"] == "PostConfirmation_ConfirmForgotPassword"


def test_pre_and_post_authentication(live: LiveServer, idp: Any) -> None:
    pool, client, _ = make_pool(idp, triggers=["PreAuthentication", "PostAuthentication"])
    make_user(idp, pool, "blocked-bo")
    make_user(idp, pool, "cy", attributes={"email": "cy@example.com"})
    with pytest.raises(idp.exceptions.UserLambdaValidationException,
                       match=r"^.*PreAuthentication failed with error This account is blocked\.$"):
        _sign_in(idp, client, "blocked-bo")
    assert not [e for e in live.events("PostAuthentication") if e["userName"] == "blocked-bo"]
    assert "AuthenticationResult" in _sign_in(idp, client, "cy")
    pre = [e for e in live.events("PreAuthentication") if e["userName"] == "cy"][-1]
    post = [e for e in live.events("PostAuthentication") if e["userName"] == "cy"][-1]
    assert pre["triggerSource"] == "PreAuthentication_Authentication"
    assert post["triggerSource"] == "PostAuthentication_Authentication"
    assert post["request"]["userAttributes"]["email"] == "cy@example.com"
    assert post["request"]["newDeviceUsed"] is False


def test_pre_token_generation_v1_changes_the_id_token(live: LiveServer, idp: Any) -> None:
    pool, client, _ = make_pool(idp, triggers=["PreTokenGeneration"])
    idp.create_group(UserPoolId=pool, GroupName="staff")
    make_user(idp, pool, "dee", attributes={"email": "dee@example.com", "family_name": "Dee"})
    idp.admin_add_user_to_group(UserPoolId=pool, Username="dee", GroupName="staff")
    tokens = _sign_in(idp, client, "dee")["AuthenticationResult"]
    claims = _claims(tokens["IdToken"])
    assert claims["tier"] == "gold"
    assert claims["email"] == "override@example.com"
    assert "family_name" not in claims
    assert claims["cognito:groups"] == ["vip"]
    assert claims["sub"] != "forged"  # reserved claims stay Cognito's
    event = [e for e in live.events("PreTokenGeneration") if e["userName"] == "dee"][-1]
    assert event["version"] == "1" and event["triggerSource"] == "TokenGeneration_Authentication"
    assert event["request"]["groupConfiguration"]["groupsToOverride"] == ["staff"]
    refreshed = idp.initiate_auth(ClientId=client, AuthFlow="REFRESH_TOKEN_AUTH",
                                  AuthParameters={"REFRESH_TOKEN": tokens["RefreshToken"]})
    assert _claims(refreshed["AuthenticationResult"]["IdToken"])["tier"] == "gold"
    assert live.events("PreTokenGeneration")[-1]["triggerSource"] == "TokenGeneration_RefreshTokens"


def test_pre_token_generation_v2_changes_both_tokens(live: LiveServer, idp: Any) -> None:
    from .conftest import trigger_arn

    pool, client, _ = make_pool(idp, LambdaConfig={"PreTokenGenerationConfig": {
        "LambdaVersion": "V2_0", "LambdaArn": trigger_arn("PreTokenGeneration")}})
    make_user(idp, pool, "eve")
    tokens = _sign_in(idp, client, "eve")["AuthenticationResult"]
    assert _claims(tokens["IdToken"])["tier"] == "platinum"
    access = _claims(tokens["AccessToken"])
    assert access["plan"] == "pro"
    assert access["scope"].split() == ["aws.cognito.signin.user.admin", "pets/read"]
    event = [e for e in live.events("PreTokenGeneration") if e["userName"] == "eve"][-1]
    assert event["version"] == "2" and event["request"]["scopes"] == ["aws.cognito.signin.user.admin"]


def test_user_migration_creates_the_user(live: LiveServer, idp: Any) -> None:
    pool, client, _ = make_pool(idp, triggers=["UserMigration"])
    with pytest.raises(idp.exceptions.UserLambdaValidationException,
                       match=r"UserMigration failed with error Bad legacy password\."):
        _sign_in(idp, client, "fay", "Wrong-Passw0rd!")
    tokens = _sign_in(idp, client, "fay", "Legacy-Passw0rd!")["AuthenticationResult"]
    assert _claims(tokens["IdToken"])["email"] == "fay@legacy.example"
    user = idp.admin_get_user(UserPoolId=pool, Username="fay")
    assert user["UserStatus"] == "CONFIRMED"
    event = [e for e in live.events("UserMigration") if e["userName"] == "fay"][-1]
    assert event["triggerSource"] == "UserMigration_Authentication"
    # The migrated password is stored like any other: SRP works from now on.
    from .test_srp_clients import _pycognito

    _pycognito(live.url, pool, client, "fay").authenticate(password="Legacy-Passw0rd!")


def test_admin_create_user_runs_pre_sign_up(live: LiveServer, idp: Any) -> None:
    pool, _, _ = make_pool(idp, triggers=["PreSignUp"])
    with pytest.raises(idp.exceptions.UserLambdaValidationException, match="PreSignUp failed with error"):
        idp.admin_create_user(UserPoolId=pool, Username="reject-gus", MessageAction="SUPPRESS")
    idp.admin_create_user(UserPoolId=pool, Username="gus", MessageAction="SUPPRESS")
    assert [e for e in live.events("PreSignUp") if e["userName"] == "gus"][-1]["triggerSource"] == \
        "PreSignUp_AdminCreateUser"


def test_custom_message_for_the_admin_create_user_invitation(live: LiveServer, idp: Any) -> None:
    pool, _, _ = make_pool(idp, triggers=["CustomMessage"])
    idp.admin_create_user(UserPoolId=pool, Username="ida", TemporaryPassword="Temp-Passw0rd!",
                          DesiredDeliveryMediums=["EMAIL"],
                          UserAttributes=[{"Name": "email", "Value": "ida@example.com"}])
    sent = live.outbox("ida")[-1]
    assert sent["message"] == "[CustomMessage_AdminCreateUser] code Temp-Passw0rd! for ida"
    event = [e for e in live.events("CustomMessage") if e["userName"] == "ida"][-1]
    assert event["triggerSource"] == "CustomMessage_AdminCreateUser"
    assert event["request"]["codeParameter"] == "{####}" and event["request"]["usernameParameter"] == "{username}"
    assert event["request"]["userAttributes"]["email"] == "ida@example.com"


def test_user_migration_during_forgot_password(live: LiveServer, idp: Any) -> None:
    pool, client, _ = make_pool(idp, triggers=["UserMigration"])
    with pytest.raises(idp.exceptions.UserLambdaValidationException,
                       match=r"UserMigration failed with error Unknown legacy user\."):
        idp.forgot_password(ClientId=client, Username="nobody")
    out = idp.forgot_password(ClientId=client, Username="legacy-lou", ClientMetadata={"app": "web"})
    assert out["CodeDeliveryDetails"]["DeliveryMedium"] == "EMAIL"
    event = [e for e in live.events("UserMigration") if e["userName"] == "legacy-lou"][-1]
    assert event["triggerSource"] == "UserMigration_ForgotPassword"
    assert "password" not in event["request"] and event["request"]["clientMetadata"] == {"app": "web"}
    assert idp.admin_get_user(UserPoolId=pool, Username="legacy-lou")["UserStatus"] == "RESET_REQUIRED"
    idp.confirm_forgot_password(ClientId=client, Username="legacy-lou", Password=PASSWORD,
                                ConfirmationCode=live.outbox("legacy-lou")[-1]["code"])
    assert "AuthenticationResult" in _sign_in(idp, client, "legacy-lou")
