"""Choice-based sign-in (AuthFlow USER_AUTH) through boto3: SELECT_CHALLENGE with AvailableChallenges, a
PREFERRED_CHALLENGE, PASSWORD / PASSWORD_SRP / EMAIL_OTP / SMS_OTP first factors, codes through the outbox.

Sources: botocore's cognito-idp model (InitiateAuth AuthParameters "USER_AUTH: USERNAME (required),
PREFERRED_CHALLENGE. If you don't provide a value for PREFERRED_CHALLENGE, Amazon Cognito responds with the
AvailableChallenges parameter"; RespondToAuthChallenge ChallengeResponses for SELECT_CHALLENGE, EMAIL_OTP, SMS_OTP;
SignInPolicyType.AllowedFirstAuthFactors). The order of AvailableChallenges is UNCONFIRMED, so tests compare sets."""

from __future__ import annotations

import base64
import hashlib
import hmac
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from pycognito import aws_srp

from ..conftest import cognito_client
from .conftest import PASSWORD, LiveServer, make_pool, make_user

FLOWS = ["ALLOW_USER_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]


def secret_hash(secret: str, username: str, client_id: str) -> str:
    """Base64(HMAC-SHA256(secret, username + client id)) (Developer Guide, "Computing secret hash values")."""
    return base64.b64encode(hmac.new(secret.encode(), (username + client_id).encode(), hashlib.sha256).digest()
                            ).decode()


def _pool(idp: Any, factors: list[str], flows: list[str] | None = None, **settings: Any) -> tuple[str, str]:
    pool, client, _ = make_pool(idp, flows or FLOWS,
                                Policies={"SignInPolicy": {"AllowedFirstAuthFactors": factors}}, **settings)
    return pool, client


def _start(idp: Any, client: str, username: str, **auth: str) -> dict[str, Any]:
    return idp.initiate_auth(ClientId=client, AuthFlow="USER_AUTH", AuthParameters={"USERNAME": username, **auth})


def _tokens(answer: dict[str, Any]) -> None:
    result = answer["AuthenticationResult"]
    assert result["AccessToken"].count(".") == 2 and result["IdToken"].count(".") == 2 and result["RefreshToken"]


def test_without_a_preference_the_user_chooses_a_factor_and_answers_with_a_password(idp: Any) -> None:
    pool, client = _pool(idp, ["PASSWORD", "EMAIL_OTP"])
    make_user(idp, pool, "ada", attributes={"email": "ada@example.com", "email_verified": "true"})
    started = _start(idp, client, "ada")
    assert started["ChallengeName"] == "SELECT_CHALLENGE" and started["Session"]
    assert set(started["AvailableChallenges"]) == {"PASSWORD", "PASSWORD_SRP", "EMAIL_OTP"}
    with pytest.raises(idp.exceptions.NotAuthorizedException, match="Incorrect username or password"):
        idp.respond_to_auth_challenge(ClientId=client, ChallengeName="SELECT_CHALLENGE", Session=started["Session"],
                                      ChallengeResponses={"USERNAME": "ada", "ANSWER": "PASSWORD",
                                                          "PASSWORD": "Wrong-horse-1"})
    again = _start(idp, client, "ada")
    _tokens(idp.respond_to_auth_challenge(ClientId=client, ChallengeName="SELECT_CHALLENGE", Session=again["Session"],
                                          ChallengeResponses={"USERNAME": "ada", "ANSWER": "PASSWORD",
                                                              "PASSWORD": PASSWORD}))
    # the session of a SELECT_CHALLENGE works once
    with pytest.raises(idp.exceptions.NotAuthorizedException, match="session can only be used once"):
        idp.respond_to_auth_challenge(ClientId=client, ChallengeName="SELECT_CHALLENGE", Session=again["Session"],
                                      ChallengeResponses={"USERNAME": "ada", "ANSWER": "PASSWORD",
                                                          "PASSWORD": PASSWORD})


def test_preferred_password_signs_in_at_once(idp: Any) -> None:
    pool, client = _pool(idp, ["PASSWORD"])
    make_user(idp, pool, "bo")
    _tokens(_start(idp, client, "bo", PREFERRED_CHALLENGE="PASSWORD", PASSWORD=PASSWORD))
    # without the password: the PASSWORD challenge, answered on its session (AWS's answer here UNCONFIRMED)
    asked = _start(idp, client, "bo", PREFERRED_CHALLENGE="PASSWORD")
    assert asked["ChallengeName"] == "PASSWORD" and asked["Session"] and "AvailableChallenges" not in asked
    with pytest.raises(idp.exceptions.InvalidParameterException, match="Missing required parameter PASSWORD"):
        idp.respond_to_auth_challenge(ClientId=client, ChallengeName="PASSWORD", Session=asked["Session"],
                                      ChallengeResponses={"USERNAME": "bo"})
    asked = _start(idp, client, "bo", PREFERRED_CHALLENGE="PASSWORD")
    _tokens(idp.respond_to_auth_challenge(ClientId=client, ChallengeName="PASSWORD", Session=asked["Session"],
                                          ChallengeResponses={"USERNAME": "bo", "PASSWORD": PASSWORD}))


def test_admin_initiate_auth_and_a_client_secret(idp: Any) -> None:
    pool, client, secret = make_pool(idp, FLOWS, secret=True,
                                     Policies={"SignInPolicy": {"AllowedFirstAuthFactors": ["PASSWORD"]}})
    assert secret is not None
    make_user(idp, pool, "hal")
    with pytest.raises(idp.exceptions.NotAuthorizedException, match="configured for secret"):
        _start(idp, client, "hal")
    digest = secret_hash(secret, "hal", client)
    started = idp.admin_initiate_auth(UserPoolId=pool, ClientId=client, AuthFlow="USER_AUTH",
                                      AuthParameters={"USERNAME": "hal", "SECRET_HASH": digest})
    assert started["ChallengeName"] == "SELECT_CHALLENGE"
    assert set(started["AvailableChallenges"]) == {"PASSWORD", "PASSWORD_SRP"}
    with pytest.raises(idp.exceptions.NotAuthorizedException, match="configured for secret"):
        idp.admin_respond_to_auth_challenge(UserPoolId=pool, ClientId=client, ChallengeName="SELECT_CHALLENGE",
                                            Session=started["Session"],
                                            ChallengeResponses={"USERNAME": "hal", "ANSWER": "PASSWORD",
                                                                "PASSWORD": PASSWORD})
    started = idp.admin_initiate_auth(UserPoolId=pool, ClientId=client, AuthFlow="USER_AUTH",
                                      AuthParameters={"USERNAME": "hal", "SECRET_HASH": digest})
    _tokens(idp.admin_respond_to_auth_challenge(UserPoolId=pool, ClientId=client, ChallengeName="SELECT_CHALLENGE",
                                                Session=started["Session"],
                                                ChallengeResponses={"USERNAME": "hal", "ANSWER": "PASSWORD",
                                                                    "PASSWORD": PASSWORD, "SECRET_HASH": digest}))


def test_preferred_email_otp_sends_a_code_to_the_outbox_and_the_code_signs_in(live: LiveServer, idp: Any) -> None:
    pool, client = _pool(idp, ["PASSWORD", "EMAIL_OTP"])
    make_user(idp, pool, "cy", attributes={"email": "cy@example.com", "email_verified": "true"})
    started = _start(idp, client, "cy", PREFERRED_CHALLENGE="EMAIL_OTP")
    assert started["ChallengeName"] == "EMAIL_OTP"
    assert started["ChallengeParameters"]["CODE_DELIVERY_DELIVERY_MEDIUM"] == "EMAIL"
    assert started["ChallengeParameters"]["CODE_DELIVERY_DESTINATION"].startswith("c***@")
    sent = live.outbox("cy")[-1]
    assert (sent["medium"], sent["destination"]) == ("EMAIL", "cy@example.com")
    with pytest.raises(idp.exceptions.CodeMismatchException):
        idp.respond_to_auth_challenge(ClientId=client, ChallengeName="EMAIL_OTP", Session=started["Session"],
                                      ChallengeResponses={"USERNAME": "cy", "EMAIL_OTP_CODE": "000000x"})
    started = _start(idp, client, "cy", PREFERRED_CHALLENGE="EMAIL_OTP")
    _tokens(idp.respond_to_auth_challenge(ClientId=client, ChallengeName="EMAIL_OTP", Session=started["Session"],
                                          ChallengeResponses={"USERNAME": "cy",
                                                              "EMAIL_OTP_CODE": live.outbox("cy")[-1]["code"]}))


def test_choosing_sms_otp_sends_a_code_by_sms(live: LiveServer, idp: Any) -> None:
    pool, client = _pool(idp, ["PASSWORD", "SMS_OTP"])
    make_user(idp, pool, "di", attributes={"phone_number": "+14155550123", "phone_number_verified": "true"})
    started = _start(idp, client, "di")
    assert set(started["AvailableChallenges"]) == {"PASSWORD", "PASSWORD_SRP", "SMS_OTP"}
    sms = idp.respond_to_auth_challenge(ClientId=client, ChallengeName="SELECT_CHALLENGE", Session=started["Session"],
                                        ChallengeResponses={"USERNAME": "di", "ANSWER": "SMS_OTP"})
    assert sms["ChallengeName"] == "SMS_OTP"
    assert sms["ChallengeParameters"]["CODE_DELIVERY_DELIVERY_MEDIUM"] == "SMS"
    sent = live.outbox("di")[-1]
    assert (sent["medium"], sent["destination"]) == ("SMS", "+14155550123")
    _tokens(idp.respond_to_auth_challenge(ClientId=client, ChallengeName="SMS_OTP", Session=sms["Session"],
                                          ChallengeResponses={"USERNAME": "di", "SMS_OTP_CODE": sent["code"]}))


def test_password_srp_through_user_auth(idp: Any) -> None:
    pool, client = _pool(idp, ["PASSWORD"])
    make_user(idp, pool, "ed")
    srp = aws_srp.AWSSRP("ed", PASSWORD, pool, client, client=idp)
    started = _start(idp, client, "ed", PREFERRED_CHALLENGE="PASSWORD_SRP", SRP_A=srp.get_auth_params()["SRP_A"])
    assert started["ChallengeName"] == "PASSWORD_VERIFIER"
    proof = srp.process_challenge(started["ChallengeParameters"], {"USERNAME": "ed"})
    _tokens(idp.respond_to_auth_challenge(ClientId=client, ChallengeName="PASSWORD_VERIFIER",
                                          ChallengeResponses=proof))
    # chosen in SELECT_CHALLENGE, with SRP_A in the same answer
    selected = _start(idp, client, "ed")
    srp = aws_srp.AWSSRP("ed", PASSWORD, pool, client, client=idp)
    verifier = idp.respond_to_auth_challenge(ClientId=client, ChallengeName="SELECT_CHALLENGE",
                                             Session=selected["Session"],
                                             ChallengeResponses={"USERNAME": "ed", "ANSWER": "PASSWORD_SRP",
                                                                 "SRP_A": srp.get_auth_params()["SRP_A"]})
    assert verifier["ChallengeName"] == "PASSWORD_VERIFIER"
    proof = srp.process_challenge(verifier["ChallengeParameters"], {"USERNAME": "ed"})
    _tokens(idp.respond_to_auth_challenge(ClientId=client, ChallengeName="PASSWORD_VERIFIER",
                                          ChallengeResponses=proof))


def test_only_factors_the_user_can_use_are_offered_and_web_authn_is_not_offered_yet(idp: Any) -> None:
    pool, client = _pool(idp, ["PASSWORD", "EMAIL_OTP", "WEB_AUTHN"])
    make_user(idp, pool, "fay", attributes={"email": "fay@example.com"})  # e-mail not verified
    started = _start(idp, client, "fay", PREFERRED_CHALLENGE="WEB_AUTHN")
    assert started["ChallengeName"] == "SELECT_CHALLENGE"
    assert set(started["AvailableChallenges"]) == {"PASSWORD", "PASSWORD_SRP"}
    with pytest.raises(idp.exceptions.InvalidParameterException, match="EMAIL_OTP is not available"):
        idp.respond_to_auth_challenge(ClientId=client, ChallengeName="SELECT_CHALLENGE", Session=started["Session"],
                                      ChallengeResponses={"USERNAME": "fay", "ANSWER": "EMAIL_OTP"})
    started = _start(idp, client, "fay")
    with pytest.raises(idp.exceptions.InvalidParameterException, match="WEB_AUTHN is not available"):
        idp.respond_to_auth_challenge(ClientId=client, ChallengeName="SELECT_CHALLENGE", Session=started["Session"],
                                      ChallengeResponses={"USERNAME": "fay", "ANSWER": "WEB_AUTHN",
                                                          "CREDENTIAL": "{}"})
    with pytest.raises(idp.exceptions.InvalidParameterException, match="Invalid PREFERRED_CHALLENGE"):
        _start(idp, client, "fay", PREFERRED_CHALLENGE="CARRIER_PIGEON")


def test_the_client_must_allow_user_auth(idp: Any) -> None:
    pool, client = _pool(idp, ["PASSWORD"], flows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"])
    make_user(idp, pool, "gus")
    with pytest.raises(idp.exceptions.InvalidParameterException, match="Auth flow not enabled for this client"):
        _start(idp, client, "gus")


def test_an_unknown_name_is_told_apart_unless_the_client_prevents_it(idp: Any) -> None:
    pool, client = _pool(idp, ["PASSWORD", "EMAIL_OTP"])
    with pytest.raises(idp.exceptions.UserNotFoundException):
        _start(idp, client, "nobody")
    hidden = idp.create_user_pool_client(UserPoolId=pool, ClientName="hidden", ExplicitAuthFlows=FLOWS,
                                         PreventUserExistenceErrors="ENABLED")["UserPoolClient"]["ClientId"]
    started = _start(idp, hidden, "nobody")
    assert set(started["AvailableChallenges"]) == {"PASSWORD", "PASSWORD_SRP", "EMAIL_OTP"}
    with pytest.raises(idp.exceptions.NotAuthorizedException, match="Incorrect username or password"):
        idp.respond_to_auth_challenge(ClientId=hidden, ChallengeName="SELECT_CHALLENGE", Session=started["Session"],
                                      ChallengeResponses={"USERNAME": "nobody", "ANSWER": "PASSWORD",
                                                          "PASSWORD": PASSWORD})


def test_one_select_challenge_session_signs_in_once_under_concurrent_answers(live: LiveServer) -> None:
    """Eight clients answer the same SELECT_CHALLENGE session at once: the database lets one claim it."""
    idp = cognito_client(live.url)
    pool, client = _pool(idp, ["PASSWORD"])
    make_user(idp, pool, "ivy")
    session = _start(idp, client, "ivy")["Session"]

    def answer(_: int) -> str:
        own = cognito_client(live.url)  # one HTTP connection pool per thread
        try:
            own.respond_to_auth_challenge(ClientId=client, ChallengeName="SELECT_CHALLENGE", Session=session,
                                          ChallengeResponses={"USERNAME": "ivy", "ANSWER": "PASSWORD",
                                                              "PASSWORD": PASSWORD})
            return "tokens"
        except own.exceptions.NotAuthorizedException as err:
            return str(err.response["Error"]["Message"])

    with ThreadPoolExecutor(8) as pool_of_threads:
        outcomes = list(pool_of_threads.map(answer, range(8)))
    assert outcomes.count("tokens") == 1, outcomes
    assert set(outcomes) - {"tokens"} <= {"Invalid session for the user, session can only be used once."}, outcomes


def test_a_pool_allowing_only_passkeys_refuses_cleanly(idp: Any) -> None:
    """Nothing to offer (WEB_AUTHN is not offered yet): a NotAuthorizedException, never a 500 (error UNCONFIRMED)."""
    pool, client = _pool(idp, ["WEB_AUTHN"])
    make_user(idp, pool, "jo")
    for auth in ({}, {"PREFERRED_CHALLENGE": "WEB_AUTHN"}, {"PREFERRED_CHALLENGE": "PASSWORD", "PASSWORD": PASSWORD}):
        with pytest.raises(idp.exceptions.NotAuthorizedException):
            _start(idp, client, "jo", **auth)
