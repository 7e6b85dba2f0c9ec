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
    # e-mail is neither an alias nor the username here: no cognito:email_alias
    assert set(post["request"]["userAttributes"]) == {"sub", "cognito:user_status", "email"}
    # userNotFound only for clients with PreventUserExistenceErrors ENABLED; this one is LEGACY
    assert pre["request"] == {"userAttributes": pre["request"]["userAttributes"], "validationData": {}}
    enabled = idp.create_user_pool_client(UserPoolId=pool, ClientName="enabled", PreventUserExistenceErrors="ENABLED",
                                          ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH"])["UserPoolClient"]["ClientId"]
    assert "AuthenticationResult" in _sign_in(idp, enabled, "cy")
    pre = [e for e in live.events("PreAuthentication") if e["userName"] == "cy"][-1]
    assert pre["callerContext"]["clientId"] == enabled and pre["request"]["userNotFound"] is False


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
    assert event["request"] == {"password": "Legacy-Passw0rd!", "validationData": None, "userAttributes": None}
    # the response as Cognito starts it: all six keys, enableSMSMFA included (the handler filled three)
    assert event["response"] == {"userAttributes": {"email": "fay@legacy.example", "email_verified": "true"},
                                 "forceAliasCreation": None, "enableSMSMFA": None, "finalUserStatus": "CONFIRMED",
                                 "messageAction": "SUPPRESS", "desiredDeliveryMediums": None}
    # InitiateAuth's ClientMetadata is the event's validationData, and there is no clientMetadata
    idp.initiate_auth(ClientId=client, AuthFlow="USER_PASSWORD_AUTH", ClientMetadata={"app": "web"},
                      AuthParameters={"USERNAME": "mig-gwen", "PASSWORD": "Legacy-Passw0rd!"})
    event = [e for e in live.events("UserMigration") if e["userName"] == "mig-gwen"][-1]
    assert event["request"] == {"password": "Legacy-Passw0rd!", "validationData": {"app": "web"},
                                "userAttributes": None}
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
    assert event["callerContext"]["clientId"] == "CLIENT_ID_NOT_APPLICABLE"
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
    # ForgotPassword's ClientMetadata is clientMetadata (Cognito API Reference, ForgotPassword)
    assert event["request"] == {"validationData": None, "userAttributes": None, "clientMetadata": {"app": "web"}}
    assert idp.admin_get_user(UserPoolId=pool, Username="legacy-lou")["UserStatus"] == "RESET_REQUIRED"
    idp.confirm_forgot_password(ClientId=client, Username="legacy-lou", Password=PASSWORD,
                                ConfirmationCode=live.outbox("legacy-lou")[-1]["code"])
    assert "AuthenticationResult" in _sign_in(idp, client, "legacy-lou")


def _last(live: LiveServer, trigger: str, username: str) -> dict[str, Any]:
    return [e for e in live.events(trigger) if e["userName"] == username][-1]


def test_custom_message_names_the_client_and_the_cause(live: LiveServer, idp: Any) -> None:
    pool, client, _ = make_pool(idp, triggers=["CustomMessage"], AutoVerifiedAttributes=["email"])
    idp.sign_up(ClientId=client, Username="ev-cleo", Password=PASSWORD, ClientMetadata={"step": "sign-up"},
                UserAttributes=[{"Name": "email", "Value": "cleo@example.com"}])
    event = _last(live, "CustomMessage", "ev-cleo")
    assert (event["triggerSource"], event["callerContext"]["clientId"]) == ("CustomMessage_SignUp", client)
    assert event["request"]["clientMetadata"] == {"step": "sign-up"}

    idp.resend_confirmation_code(ClientId=client, Username="ev-cleo", ClientMetadata={"step": "resend"})
    event = _last(live, "CustomMessage", "ev-cleo")
    assert (event["triggerSource"], event["callerContext"]["clientId"]) == ("CustomMessage_ResendCode", client)
    assert event["request"]["clientMetadata"] == {"step": "resend"}
    resent = live.outbox("ev-cleo")[-1]
    assert resent["message"] == f"[CustomMessage_ResendCode] code {resent['code']}"
    idp.confirm_sign_up(ClientId=client, Username="ev-cleo", ConfirmationCode=resent["code"])  # still a sign-up code

    idp.forgot_password(ClientId=client, Username="ev-cleo")
    event = _last(live, "CustomMessage", "ev-cleo")
    assert (event["triggerSource"], event["callerContext"]["clientId"]) == ("CustomMessage_ForgotPassword", client)
    assert "clientMetadata" not in event["request"]

    access = _sign_in(idp, client, "ev-cleo")["AuthenticationResult"]["AccessToken"]
    idp.update_user_attributes(AccessToken=access, ClientMetadata={"step": "update"},
                               UserAttributes=[{"Name": "email", "Value": "cleo@new.example"}])
    event = _last(live, "CustomMessage", "ev-cleo")
    assert (event["triggerSource"], event["callerContext"]["clientId"]) == \
        ("CustomMessage_UpdateUserAttribute", client)
    assert event["request"]["clientMetadata"] == {"step": "update"}
    idp.get_user_attribute_verification_code(AccessToken=access, AttributeName="email")
    event = _last(live, "CustomMessage", "ev-cleo")
    assert (event["triggerSource"], event["callerContext"]["clientId"]) == \
        ("CustomMessage_VerifyUserAttribute", client)
    idp.verify_user_attribute(AccessToken=access, AttributeName="email", Code=live.outbox("ev-cleo")[-1]["code"])

    # an administrator's change sends the code too, from no app client
    idp.admin_update_user_attributes(UserPoolId=pool, Username="ev-cleo", ClientMetadata={"step": "admin"},
                                     UserAttributes=[{"Name": "email", "Value": "cleo@admin.example"}])
    event = _last(live, "CustomMessage", "ev-cleo")
    assert (event["triggerSource"], event["callerContext"]["clientId"]) == \
        ("CustomMessage_UpdateUserAttribute", "CLIENT_ID_NOT_APPLICABLE")
    assert event["request"]["clientMetadata"] == {"step": "admin"}
    sent = live.outbox("ev-cleo")[-1]
    assert (sent["destination"], sent["purpose"]) == ("cleo@admin.example", "verify:email")
    idp.admin_update_user_attributes(UserPoolId=pool, Username="ev-cleo", UserAttributes=[
        {"Name": "email", "Value": "cleo@verified.example"}, {"Name": "email_verified", "Value": "true"}])
    assert live.outbox("ev-cleo")[-1]["id"] == sent["id"]  # set verified by the administrator: nothing to send


def test_custom_message_for_an_mfa_code_and_respond_metadata(live: LiveServer, idp: Any) -> None:
    pool, client, _ = make_pool(idp, triggers=["CustomMessage", "PostAuthentication", "PreTokenGeneration"],
                                MfaConfiguration="ON",
                                SmsConfiguration={"SnsCallerArn": "arn:aws:iam::000000000000:role/sns"})
    make_user(idp, pool, "ev-milo", attributes={"phone_number": "+15555550142", "phone_number_verified": "true"})
    challenge = idp.initiate_auth(ClientId=client, AuthFlow="USER_PASSWORD_AUTH", ClientMetadata={"at": "initiate"},
                                  AuthParameters={"USERNAME": "ev-milo", "PASSWORD": PASSWORD})
    event = _last(live, "CustomMessage", "ev-milo")
    assert (event["triggerSource"], event["callerContext"]["clientId"]) == ("CustomMessage_Authentication", client)
    assert "clientMetadata" not in event["request"]  # InitiateAuth's metadata does not reach CustomMessage
    idp.respond_to_auth_challenge(ClientId=client, ChallengeName="SMS_MFA", Session=challenge["Session"],
                                  ClientMetadata={"at": "respond"},
                                  ChallengeResponses={"USERNAME": "ev-milo",
                                                      "SMS_MFA_CODE": live.outbox("ev-milo")[-1]["code"]})
    # RespondToAuthChallenge's ClientMetadata is clientMetadata of PostAuthentication and PreTokenGeneration
    assert _last(live, "PostAuthentication", "ev-milo")["request"]["clientMetadata"] == {"at": "respond"}
    assert _last(live, "PreTokenGeneration", "ev-milo")["request"]["clientMetadata"] == {"at": "respond"}


def test_initiate_auth_metadata_is_validation_data_of_pre_authentication_only(live: LiveServer, idp: Any) -> None:
    from pycognito.aws_srp import AWSSRP

    pool, client, _ = make_pool(idp, triggers=["PreAuthentication", "PostAuthentication", "PreTokenGeneration"])
    make_user(idp, pool, "ev-nell")
    idp.initiate_auth(ClientId=client, AuthFlow="USER_PASSWORD_AUTH", ClientMetadata={"at": "initiate"},
                      AuthParameters={"USERNAME": "ev-nell", "PASSWORD": PASSWORD})
    pre = _last(live, "PreAuthentication", "ev-nell")
    assert pre["request"]["validationData"] == {"at": "initiate"} and "clientMetadata" not in pre["request"]
    assert "clientMetadata" not in _last(live, "PostAuthentication", "ev-nell")["request"]
    assert "clientMetadata" not in _last(live, "PreTokenGeneration", "ev-nell")["request"]

    srp_client = AWSSRP("ev-nell", PASSWORD, pool, client, client=idp)
    params = srp_client.get_auth_params()
    verifier = idp.initiate_auth(ClientId=client, AuthFlow="USER_SRP_AUTH", AuthParameters=params,
                                 ClientMetadata={"at": "srp-initiate"})
    assert _last(live, "PreAuthentication", "ev-nell")["request"]["validationData"] == {"at": "srp-initiate"}
    idp.respond_to_auth_challenge(ClientId=client, ChallengeName="PASSWORD_VERIFIER",
                                  ChallengeResponses=srp_client.process_challenge(verifier["ChallengeParameters"],
                                                                                  params),
                                  ClientMetadata={"at": "srp-respond"})
    assert _last(live, "PostAuthentication", "ev-nell")["request"]["clientMetadata"] == {"at": "srp-respond"}
    assert _last(live, "PreTokenGeneration", "ev-nell")["request"]["clientMetadata"] == {"at": "srp-respond"}


def test_admin_confirm_sign_up_runs_post_confirmation(live: LiveServer, idp: Any) -> None:
    pool, client, _ = make_pool(idp, triggers=["PostConfirmation"])
    idp.sign_up(ClientId=client, Username="ev-otis", Password=PASSWORD)
    assert not [e for e in live.events("PostConfirmation") if e["userName"] == "ev-otis"]
    idp.admin_confirm_sign_up(UserPoolId=pool, Username="ev-otis", ClientMetadata={"by": "admin"})
    event = _last(live, "PostConfirmation", "ev-otis")
    assert event["triggerSource"] == "PostConfirmation_ConfirmSignUp"
    assert event["callerContext"]["clientId"] == "CLIENT_ID_NOT_APPLICABLE"
    assert event["request"]["clientMetadata"] == {"by": "admin"}
    assert event["request"]["userAttributes"]["cognito:user_status"] == "CONFIRMED"
    assert idp.admin_get_user(UserPoolId=pool, Username="ev-otis")["UserStatus"] == "CONFIRMED"


def test_admin_create_user_ignores_the_pre_sign_up_answer(live: LiveServer, idp: Any) -> None:
    pool, _, _ = make_pool(idp, triggers=["PreSignUp"], AutoVerifiedAttributes=["email"])
    idp.admin_create_user(UserPoolId=pool, Username="auto-ev-pam", MessageAction="SUPPRESS",
                          UserAttributes=[{"Name": "email", "Value": "pam@example.com"}])
    event = _last(live, "PreSignUp", "auto-ev-pam")
    assert event["triggerSource"] == "PreSignUp_AdminCreateUser"
    assert event["response"]["autoConfirmUser"] is True and event["response"]["autoVerifyEmail"] is True
    user = idp.admin_get_user(UserPoolId=pool, Username="auto-ev-pam")
    assert user["UserStatus"] == "FORCE_CHANGE_PASSWORD"
    assert "email_verified" not in {a["Name"] for a in user["UserAttributes"]}


def test_email_as_username_pool_events(live: LiveServer, idp: Any) -> None:
    pool, client, _ = make_pool(idp, triggers=["PreSignUp", "PostConfirmation", "CustomMessage"],
                                UsernameAttributes=["email"], AutoVerifiedAttributes=["email"])
    out = idp.sign_up(ClientId=client, Username="una@example.com", Password=PASSWORD)
    sub = out["UserSub"]
    assert idp.admin_get_user(UserPoolId=pool, Username="una@example.com")["Username"] == sub
    # PreSignUp is told the generated name, which becomes the username and the sub
    pre = _last(live, "PreSignUp", sub)
    assert pre["request"]["userAttributes"] == {"email": "una@example.com"}
    # the e-mail is the username: cognito:email_alias even before it is verified
    message = _last(live, "CustomMessage", sub)
    assert message["request"]["userAttributes"]["cognito:email_alias"] == "una@example.com"
    assert message["request"]["userAttributes"].get("email_verified") != "true"
    idp.confirm_sign_up(ClientId=client, Username="una@example.com",
                        ConfirmationCode=live.outbox(sub)[-1]["code"])
    confirmed = _last(live, "PostConfirmation", sub)["request"]["userAttributes"]
    assert confirmed["sub"] == sub and confirmed["cognito:email_alias"] == "una@example.com"
    assert "cognito:phone_number_alias" not in confirmed

    created = idp.admin_create_user(UserPoolId=pool, Username="val@example.com", MessageAction="SUPPRESS")["User"]
    assert _last(live, "PreSignUp", created["Username"])["triggerSource"] == "PreSignUp_AdminCreateUser"
    assert {"Name": "sub", "Value": created["Username"]} in created["Attributes"]


def test_alias_attributes_appear_once_verified(live: LiveServer, idp: Any) -> None:
    pool, client, _ = make_pool(idp, triggers=["PreAuthentication"], AliasAttributes=["email", "phone_number"])
    make_user(idp, pool, "ev-quinn", attributes={"email": "quinn@example.com", "email_verified": "true",
                                                 "phone_number": "+15555550199"})
    _sign_in(idp, client, "ev-quinn")
    attrs = _last(live, "PreAuthentication", "ev-quinn")["request"]["userAttributes"]
    assert attrs["cognito:email_alias"] == "quinn@example.com"
    assert "cognito:phone_number_alias" not in attrs  # not verified: not (yet) an alias
