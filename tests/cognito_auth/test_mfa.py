"""MFA through boto3: TOTP set-up and sign-in (codes computed here from the shared secret), MFA_SETUP,
SMS and e-mail one-time codes through the outbox, sessions that expire and work once, lock-out."""

from __future__ import annotations

from typing import Any

import pyotp
import pytest

from .conftest import PASSWORD, LiveServer, make_pool, make_user


def _totp_pool(idp: Any, mode: str = "OPTIONAL") -> tuple[str, str]:
    pool, client, _ = make_pool(idp)
    idp.set_user_pool_mfa_config(UserPoolId=pool, MfaConfiguration=mode,
                                 SoftwareTokenMfaConfiguration={"Enabled": True})
    return pool, client


def _password_sign_in(idp: Any, client: str, username: str) -> dict[str, Any]:
    return idp.initiate_auth(ClientId=client, AuthFlow="USER_PASSWORD_AUTH",
                             AuthParameters={"USERNAME": username, "PASSWORD": PASSWORD})


def _code(secret: str, live: LiveServer, offset: float = 0.0) -> str:
    return pyotp.TOTP(secret).at(live.clock.now() + offset)


def _enrol(idp: Any, live: LiveServer, client: str, username: str) -> str:
    """Sign in, associate and verify a software token, make it preferred; returns the secret."""
    tokens = _password_sign_in(idp, client, username)["AuthenticationResult"]
    totp_on = {"AccessToken": tokens["AccessToken"], "SoftwareTokenMfaSettings": {"Enabled": True}}
    with pytest.raises(idp.exceptions.InvalidParameterException,
                       match=r"operation: User does not have delivery config set to turn on SOFTWARE_TOKEN_MFA$"):
        idp.set_user_mfa_preference(**totp_on)  # no authenticator at all yet
    secret = idp.associate_software_token(AccessToken=tokens["AccessToken"])["SecretCode"]
    assert len(secret) == 32 and pyotp.TOTP(secret).now()
    with pytest.raises(idp.exceptions.InvalidParameterException,
                       match=r"operation: User has not verified software token mfa$"):
        idp.set_user_mfa_preference(**totp_on)  # associated, not verified
    with pytest.raises(idp.exceptions.EnableSoftwareTokenMFAException,
                       match="Code mismatch and fail enable Software Token MFA"):
        idp.verify_software_token(AccessToken=tokens["AccessToken"], UserCode=_code(secret, live, -300))
    result = idp.verify_software_token(AccessToken=tokens["AccessToken"], UserCode=_code(secret, live),
                                       FriendlyDeviceName="phone")
    assert result["Status"] == "SUCCESS"
    idp.set_user_mfa_preference(AccessToken=tokens["AccessToken"],
                                SoftwareTokenMfaSettings={"Enabled": True, "PreferredMfa": True})
    return secret


def test_totp_setup_and_sign_in(live: LiveServer, idp: Any) -> None:
    pool, client = _totp_pool(idp)
    make_user(idp, pool, "tina")
    secret = _enrol(idp, live, client, "tina")

    challenge = _password_sign_in(idp, client, "tina")
    assert challenge["ChallengeName"] == "SOFTWARE_TOKEN_MFA" and challenge["Session"]
    assert challenge["ChallengeParameters"] == {"FRIENDLY_DEVICE_NAME": "phone", "USER_ID_FOR_SRP": "tina"}
    # The code that verified the token is spent: the same 30-second step is refused once used.
    with pytest.raises(idp.exceptions.ExpiredCodeException, match=r"Your software token has already been used once\."):
        idp.respond_to_auth_challenge(ClientId=client, ChallengeName="SOFTWARE_TOKEN_MFA",
                                      Session=challenge["Session"],
                                      ChallengeResponses={"USERNAME": "tina",
                                                          "SOFTWARE_TOKEN_MFA_CODE": _code(secret, live)})
    live.clock.advance(30)
    challenge = _password_sign_in(idp, client, "tina")
    ok = idp.respond_to_auth_challenge(ClientId=client, ChallengeName="SOFTWARE_TOKEN_MFA",
                                       Session=challenge["Session"],
                                       ChallengeResponses={"USERNAME": "tina",
                                                           "SOFTWARE_TOKEN_MFA_CODE": _code(secret, live)})
    assert ok["AuthenticationResult"]["IdToken"]
    me = idp.get_user(AccessToken=ok["AuthenticationResult"]["AccessToken"])
    assert me["UserMFASettingList"] == ["SOFTWARE_TOKEN_MFA"] and me["PreferredMfaSetting"] == "SOFTWARE_TOKEN_MFA"
    assert idp.admin_get_user(UserPoolId=pool, Username="tina")["UserMFASettingList"] == ["SOFTWARE_TOKEN_MFA"]
    # ... and the challenge session worked once (AWS tells reuse from expiry: test_challenge_session_expires).
    with pytest.raises(idp.exceptions.NotAuthorizedException,
                       match=r"^.*Invalid session for the user, session can only be used once\.$"):
        idp.respond_to_auth_challenge(ClientId=client, ChallengeName="SOFTWARE_TOKEN_MFA",
                                      Session=challenge["Session"],
                                      ChallengeResponses={"USERNAME": "tina", "SOFTWARE_TOKEN_MFA_CODE": "123456"})


def test_totp_wrong_and_expired_codes(live: LiveServer, idp: Any) -> None:
    pool, client = _totp_pool(idp)
    make_user(idp, pool, "uma")
    secret = _enrol(idp, live, client, "uma")
    live.clock.advance(30)
    for wrong in (str((int(_code(secret, live)) + 1) % 1_000_000).zfill(6), _code(secret, live, -120)):
        session = _password_sign_in(idp, client, "uma")["Session"]
        with pytest.raises(idp.exceptions.CodeMismatchException, match=r"Invalid code or auth state for the user\.$"):
            idp.respond_to_auth_challenge(ClientId=client, ChallengeName="SOFTWARE_TOKEN_MFA", Session=session,
                                          ChallengeResponses={"USERNAME": "uma", "SOFTWARE_TOKEN_MFA_CODE": wrong})


def test_challenge_session_expires(live: LiveServer, idp: Any) -> None:
    pool, client = _totp_pool(idp)
    make_user(idp, pool, "vera")
    secret = _enrol(idp, live, client, "vera")
    session = _password_sign_in(idp, client, "vera")["Session"]
    live.clock.advance(181)  # AuthSessionValidity defaults to 3 minutes
    with pytest.raises(idp.exceptions.NotAuthorizedException,
                       match=r"Invalid session for the user, session is expired\."):
        idp.respond_to_auth_challenge(ClientId=client, ChallengeName="SOFTWARE_TOKEN_MFA", Session=session,
                                      ChallengeResponses={"USERNAME": "vera",
                                                          "SOFTWARE_TOKEN_MFA_CODE": _code(secret, live)})


def test_wrong_codes_count_toward_lockout(live: LiveServer, idp: Any) -> None:
    pool, client = _totp_pool(idp)
    make_user(idp, pool, "walt")
    _enrol(idp, live, client, "walt")
    for _ in range(5):
        session = _password_sign_in(idp, client, "walt")["Session"]
        with pytest.raises(idp.exceptions.CodeMismatchException):
            idp.respond_to_auth_challenge(ClientId=client, ChallengeName="SOFTWARE_TOKEN_MFA", Session=session,
                                          ChallengeResponses={"USERNAME": "walt", "SOFTWARE_TOKEN_MFA_CODE": "000000"})
    with pytest.raises(idp.exceptions.NotAuthorizedException, match="Password attempts exceeded"):
        _password_sign_in(idp, client, "walt")
    live.clock.advance(5)
    assert _password_sign_in(idp, client, "walt")["ChallengeName"] == "SOFTWARE_TOKEN_MFA"


def test_mfa_required_pool_sets_up_totp_during_sign_in(live: LiveServer, idp: Any) -> None:
    pool, client = _totp_pool(idp, "ON")
    make_user(idp, pool, "xena")
    setup = _password_sign_in(idp, client, "xena")
    assert setup["ChallengeName"] == "MFA_SETUP"
    assert setup["ChallengeParameters"]["MFAS_CAN_SETUP"] == '["SOFTWARE_TOKEN_MFA"]'
    associated = idp.associate_software_token(Session=setup["Session"])
    verified = idp.verify_software_token(Session=associated["Session"],
                                         UserCode=_code(associated["SecretCode"], live))
    done = idp.respond_to_auth_challenge(ClientId=client, ChallengeName="MFA_SETUP", Session=verified["Session"],
                                         ChallengeResponses={"USERNAME": "xena"})
    assert done["AuthenticationResult"]["AccessToken"]
    live.clock.advance(30)
    assert _password_sign_in(idp, client, "xena")["ChallengeName"] == "SOFTWARE_TOKEN_MFA"


def test_pool_mfa_config_round_trip(live: LiveServer, idp: Any) -> None:
    pool, _, _ = make_pool(idp)
    assert idp.get_user_pool_mfa_config(UserPoolId=pool)["MfaConfiguration"] == "OFF"
    with pytest.raises(idp.exceptions.InvalidParameterException,
                       match=r"operation: Invalid MFA configuration given, can't disable all MFAs with a required "
                             r"or optional configuration\.$"):
        idp.set_user_pool_mfa_config(UserPoolId=pool, MfaConfiguration="ON")
    out = idp.set_user_pool_mfa_config(UserPoolId=pool, MfaConfiguration="OPTIONAL",
                                       SoftwareTokenMfaConfiguration={"Enabled": True})
    assert out["MfaConfiguration"] == "OPTIONAL" and out["SoftwareTokenMfaConfiguration"] == {"Enabled": True}
    assert idp.describe_user_pool(UserPoolId=pool)["UserPool"]["MfaConfiguration"] == "OPTIONAL"
    pool2, client2, _ = make_pool(idp)
    make_user(idp, pool2, "yuri")
    tokens = _password_sign_in(idp, client2, "yuri")["AuthenticationResult"]
    with pytest.raises(idp.exceptions.SoftwareTokenMFANotFoundException):
        idp.associate_software_token(AccessToken=tokens["AccessToken"])


def test_sms_mfa_through_the_outbox(live: LiveServer, idp: Any) -> None:
    pool, client, _ = make_pool(idp, MfaConfiguration="ON",
                                SmsConfiguration={"SnsCallerArn": "arn:aws:iam::000000000000:role/sns"})
    make_user(idp, pool, "zoe", attributes={"phone_number": "+15555550123", "phone_number_verified": "true"})
    challenge = _password_sign_in(idp, client, "zoe")
    assert challenge["ChallengeName"] == "SMS_MFA"
    assert challenge["ChallengeParameters"]["CODE_DELIVERY_DELIVERY_MEDIUM"] == "SMS"
    assert challenge["ChallengeParameters"]["CODE_DELIVERY_DESTINATION"].endswith("0123")
    sent = live.outbox("zoe")[-1]
    assert sent["medium"] == "SMS" and sent["destination"] == "+15555550123"
    with pytest.raises(idp.exceptions.CodeMismatchException, match=r"Invalid code or auth state for the user\.$"):
        idp.respond_to_auth_challenge(ClientId=client, ChallengeName="SMS_MFA", Session=challenge["Session"],
                                      ChallengeResponses={"USERNAME": "zoe", "SMS_MFA_CODE": "x" + sent["code"]})
    challenge = _password_sign_in(idp, client, "zoe")
    code = live.outbox("zoe")[-1]["code"]
    ok = idp.respond_to_auth_challenge(ClientId=client, ChallengeName="SMS_MFA", Session=challenge["Session"],
                                       ChallengeResponses={"USERNAME": "zoe", "SMS_MFA_CODE": code})
    assert ok["AuthenticationResult"]["IdToken"]


def test_email_otp_and_choice_of_method(live: LiveServer, idp: Any) -> None:
    pool, client = _totp_pool(idp)
    idp.set_user_pool_mfa_config(UserPoolId=pool, MfaConfiguration="OPTIONAL",
                                 SoftwareTokenMfaConfiguration={"Enabled": True},
                                 EmailMfaConfiguration={"Message": "Your code is {####}", "Subject": "Code"})
    make_user(idp, pool, "ann", attributes={"email": "ann@example.com", "email_verified": "true"})
    secret = _enrol(idp, live, client, "ann")
    idp.admin_set_user_mfa_preference(UserPoolId=pool, Username="ann", EmailMfaSettings={"Enabled": True},
                                      SoftwareTokenMfaSettings={"Enabled": True, "PreferredMfa": False})
    choose = _password_sign_in(idp, client, "ann")
    assert choose["ChallengeName"] == "SELECT_MFA_TYPE"
    assert set(eval(choose["ChallengeParameters"]["MFAS_CAN_CHOOSE"])) == {"SOFTWARE_TOKEN_MFA", "EMAIL_OTP"}
    email = idp.respond_to_auth_challenge(ClientId=client, ChallengeName="SELECT_MFA_TYPE", Session=choose["Session"],
                                          ChallengeResponses={"USERNAME": "ann", "ANSWER": "EMAIL_OTP"})
    assert email["ChallengeName"] == "EMAIL_OTP"
    sent = live.outbox("ann")[-1]
    assert sent["medium"] == "EMAIL" and sent["destination"] == "ann@example.com"
    ok = idp.respond_to_auth_challenge(ClientId=client, ChallengeName="EMAIL_OTP", Session=email["Session"],
                                       ChallengeResponses={"USERNAME": "ann", "EMAIL_OTP_CODE": sent["code"]})
    assert ok["AuthenticationResult"]["AccessToken"]
    assert secret
