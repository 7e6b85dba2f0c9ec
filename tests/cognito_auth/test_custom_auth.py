"""CUSTOM_AUTH through boto3: a one-time-code challenge from Define/Create/VerifyAuthChallenge handlers."""

from __future__ import annotations

from typing import Any

import pytest
from pycognito.aws_srp import AWSSRP

from .conftest import LiveServer, make_pool, make_user

CHALLENGE_TRIGGERS = ["DefineAuthChallenge", "CreateAuthChallenge", "VerifyAuthChallengeResponse"]


def _last_code(live: LiveServer, username: str) -> str:
    created = [e for e in live.events("CreateAuthChallenge") if e["userName"] == username][-1]
    return str(created["response"]["privateChallengeParameters"]["answer"])


def test_one_time_code_sign_in(live: LiveServer, idp: Any) -> None:
    pool, client, _ = make_pool(idp, triggers=CHALLENGE_TRIGGERS)
    make_user(idp, pool, "otto", attributes={"email": "otto@example.com"})
    first = idp.initiate_auth(ClientId=client, AuthFlow="CUSTOM_AUTH", AuthParameters={"USERNAME": "otto"})
    assert first["ChallengeName"] == "CUSTOM_CHALLENGE"
    assert first["ChallengeParameters"] == {"hint": "a six-digit code was e-mailed", "USERNAME": "otto"}
    wrong = idp.respond_to_auth_challenge(ClientId=client, ChallengeName="CUSTOM_CHALLENGE", Session=first["Session"],
                                          ChallengeResponses={"USERNAME": "otto", "ANSWER": "000000"})
    assert wrong["ChallengeName"] == "CUSTOM_CHALLENGE" and wrong["Session"] != first["Session"]
    ok = idp.respond_to_auth_challenge(ClientId=client, ChallengeName="CUSTOM_CHALLENGE", Session=wrong["Session"],
                                       ChallengeResponses={"USERNAME": "otto", "ANSWER": _last_code(live, "otto")})
    assert ok["AuthenticationResult"]["IdToken"]
    define = [e for e in live.events("DefineAuthChallenge") if e["userName"] == "otto"][-1]
    assert define["request"]["session"] == [
        {"challengeName": "CUSTOM_CHALLENGE", "challengeResult": False, "challengeMetadata": "CODE-0"},
        {"challengeName": "CUSTOM_CHALLENGE", "challengeResult": True, "challengeMetadata": "CODE-1"}]
    verify = [e for e in live.events("VerifyAuthChallengeResponse") if e["userName"] == "otto"][-1]
    assert verify["triggerSource"] == "VerifyAuthChallengeResponse_Authentication"
    with pytest.raises(idp.exceptions.NotAuthorizedException, match="Invalid session for the user"):
        idp.respond_to_auth_challenge(ClientId=client, ChallengeName="CUSTOM_CHALLENGE", Session=wrong["Session"],
                                      ChallengeResponses={"USERNAME": "otto", "ANSWER": "1"})


def test_a_define_challenge_answer_cognito_cannot_follow(live: LiveServer, idp: Any) -> None:
    pool, client, _ = make_pool(idp, triggers=CHALLENGE_TRIGGERS)
    make_user(idp, pool, "odd-olga")
    with pytest.raises(idp.exceptions.InvalidLambdaResponseException) as err:
        idp.initiate_auth(ClientId=client, AuthFlow="CUSTOM_AUTH", AuthParameters={"USERNAME": "odd-olga"})
    assert err.value.response["Error"]["Message"] == "Unrecognizable lambda output"


def test_three_wrong_answers_fail_the_sign_in(live: LiveServer, idp: Any) -> None:
    pool, client, _ = make_pool(idp, triggers=CHALLENGE_TRIGGERS)
    make_user(idp, pool, "pia")
    step = idp.initiate_auth(ClientId=client, AuthFlow="CUSTOM_AUTH", AuthParameters={"USERNAME": "pia"})
    for _ in range(2):
        step = idp.respond_to_auth_challenge(ClientId=client, ChallengeName="CUSTOM_CHALLENGE",
                                             Session=step["Session"],
                                             ChallengeResponses={"USERNAME": "pia", "ANSWER": "nope"})
    with pytest.raises(idp.exceptions.NotAuthorizedException, match=r"Incorrect username or password\."):
        idp.respond_to_auth_challenge(ClientId=client, ChallengeName="CUSTOM_CHALLENGE", Session=step["Session"],
                                      ChallengeResponses={"USERNAME": "pia", "ANSWER": "nope"})


def test_custom_auth_with_srp_first(live: LiveServer, idp: Any) -> None:
    pool, client, _ = make_pool(idp, triggers=CHALLENGE_TRIGGERS)
    make_user(idp, pool, "quin")
    srp_client = AWSSRP("quin", "Correct-Horse-9!", pool, client, client=idp)
    params = {**srp_client.get_auth_params(), "CHALLENGE_NAME": "SRP_A"}
    verifier = idp.initiate_auth(ClientId=client, AuthFlow="CUSTOM_AUTH", AuthParameters=params)
    assert verifier["ChallengeName"] == "PASSWORD_VERIFIER"
    answer = srp_client.process_challenge(verifier["ChallengeParameters"], params)
    custom = idp.respond_to_auth_challenge(ClientId=client, ChallengeName="PASSWORD_VERIFIER",
                                           ChallengeResponses=answer)
    assert custom["ChallengeName"] == "CUSTOM_CHALLENGE"
    ok = idp.respond_to_auth_challenge(ClientId=client, ChallengeName="CUSTOM_CHALLENGE", Session=custom["Session"],
                                       ChallengeResponses={"USERNAME": "quin", "ANSWER": _last_code(live, "quin")})
    assert ok["AuthenticationResult"]["AccessToken"]
    define = [e for e in live.events("DefineAuthChallenge") if e["userName"] == "quin"][-1]
    assert [s["challengeName"] for s in define["request"]["session"]] == \
        ["SRP_A", "PASSWORD_VERIFIER", "CUSTOM_CHALLENGE"]


def test_custom_auth_without_triggers_is_refused(live: LiveServer, idp: Any) -> None:
    pool, client, _ = make_pool(idp)
    make_user(idp, pool, "rex")
    with pytest.raises(idp.exceptions.InvalidParameterException):
        idp.initiate_auth(ClientId=client, AuthFlow="CUSTOM_AUTH", AuthParameters={"USERNAME": "rex"})


def test_client_metadata_and_user_not_found_in_the_challenge_events(live: LiveServer, idp: Any) -> None:
    pool, client, _ = make_pool(idp, triggers=[*CHALLENGE_TRIGGERS, "PostAuthentication", "PreTokenGeneration"])
    make_user(idp, pool, "ev-sid")
    first = idp.initiate_auth(ClientId=client, AuthFlow="CUSTOM_AUTH", AuthParameters={"USERNAME": "ev-sid"},
                              ClientMetadata={"at": "initiate"})
    # InitiateAuth "invokes the following triggers without ClientMetadata as input: … Create auth challenge,
    # Define auth challenge" (Cognito API Reference); the client is LEGACY, so no userNotFound either
    for trigger in ("DefineAuthChallenge", "CreateAuthChallenge"):
        request = [e for e in live.events(trigger) if e["userName"] == "ev-sid"][-1]["request"]
        assert "clientMetadata" not in request and "userNotFound" not in request
    idp.respond_to_auth_challenge(ClientId=client, ChallengeName="CUSTOM_CHALLENGE", Session=first["Session"],
                                  ClientMetadata={"at": "respond"},
                                  ChallengeResponses={"USERNAME": "ev-sid", "ANSWER": _last_code(live, "ev-sid")})
    for trigger in ("VerifyAuthChallengeResponse", "DefineAuthChallenge", "PostAuthentication", "PreTokenGeneration"):
        request = [e for e in live.events(trigger) if e["userName"] == "ev-sid"][-1]["request"]
        assert request["clientMetadata"] == {"at": "respond"}, trigger
        assert "userNotFound" not in request

    idp.update_user_pool_client(UserPoolId=pool, ClientId=client, PreventUserExistenceErrors="ENABLED",
                                ExplicitAuthFlows=["ALLOW_CUSTOM_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"])
    first = idp.initiate_auth(ClientId=client, AuthFlow="CUSTOM_AUTH", AuthParameters={"USERNAME": "ev-sid"})
    idp.respond_to_auth_challenge(ClientId=client, ChallengeName="CUSTOM_CHALLENGE", Session=first["Session"],
                                  ChallengeResponses={"USERNAME": "ev-sid", "ANSWER": _last_code(live, "ev-sid")})
    for trigger in CHALLENGE_TRIGGERS:
        request = [e for e in live.events(trigger) if e["userName"] == "ev-sid"][-1]["request"]
        assert request["userNotFound"] is False and "clientMetadata" not in request
