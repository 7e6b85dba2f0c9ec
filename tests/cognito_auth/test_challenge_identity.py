"""Who a challenge is for: CUSTOM_AUTH for a name that matches nobody (PreventUserExistenceErrors), and challenge
responses whose USERNAME names another user than the session's."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from botocore.exceptions import ClientError
from pycognito.aws_srp import AWSSRP

from .conftest import PASSWORD, LiveServer, make_pool, make_user

CHALLENGE_TRIGGERS = ["DefineAuthChallenge", "CreateAuthChallenge", "VerifyAuthChallengeResponse"]
WRONG = ("NotAuthorizedException", "Incorrect username or password.", 400)
MISMATCH = ("NotAuthorizedException", "Invalid session provided for the user.", 400)


def _error(call: Any, **kwargs: Any) -> tuple[str, str, int]:
    with pytest.raises(ClientError) as caught:
        call(**kwargs)
    response = caught.value.response
    return response["Error"]["Code"], response["Error"]["Message"], response["ResponseMetadata"]["HTTPStatusCode"]


def _events(live: LiveServer, trigger: str, username: str) -> list[dict[str, Any]]:
    return [e for e in live.events(trigger) if e["userName"] == username]


def _code(live: LiveServer, username: str) -> str:
    return str(_events(live, "CreateAuthChallenge", username)[-1]["response"]["privateChallengeParameters"]["answer"])


def _strict_client(idp: Any, pool: str) -> str:
    client: dict[str, Any] = idp.create_user_pool_client(
        UserPoolId=pool, ClientName="strict", PreventUserExistenceErrors="ENABLED",
        ExplicitAuthFlows=["ALLOW_CUSTOM_AUTH", "ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"])["UserPoolClient"]
    return str(client["ClientId"])


def _custom(idp: Any, client: str, username: str) -> dict[str, Any]:
    first: dict[str, Any] = idp.initiate_auth(ClientId=client, AuthFlow="CUSTOM_AUTH",
                                              AuthParameters={"USERNAME": username})
    assert first["ChallengeName"] == "CUSTOM_CHALLENGE"
    return first


def _answer(idp: Any, client: str, step: dict[str, Any], username: str, answer: str) -> Any:
    return idp.respond_to_auth_challenge(ClientId=client, ChallengeName="CUSTOM_CHALLENGE", Session=step["Session"],
                                         ChallengeResponses={"USERNAME": username, "ANSWER": answer})


def test_unknown_user_runs_the_custom_triggers_and_never_signs_in(live: LiveServer, idp: Any) -> None:
    pool, legacy, _ = make_pool(idp, triggers=CHALLENGE_TRIGGERS)
    client = _strict_client(idp, pool)
    make_user(idp, pool, "mia-real")
    first = _custom(idp, client, "ghost@example.com")
    stand_in = first["ChallengeParameters"]["USERNAME"]
    assert uuid.UUID(stand_in).version == 4 and stand_in != "ghost@example.com"
    assert first["ChallengeParameters"] == {"hint": "a six-digit code was e-mailed", "USERNAME": stand_in}
    define = _events(live, "DefineAuthChallenge", stand_in)[-1]
    assert define["triggerSource"] == "DefineAuthChallenge_Authentication"
    assert define["callerContext"]["clientId"] == client
    assert define["request"] == {"userAttributes": {}, "session": [], "userNotFound": True}
    create = _events(live, "CreateAuthChallenge", stand_in)[-1]["request"]
    assert create == {"userAttributes": {}, "session": [], "challengeName": "CUSTOM_CHALLENGE", "userNotFound": True}
    # a user's session does not answer for it, nor does another user's name
    assert _error(_answer, idp=idp, client=client, step=first, username="mia-real", answer="1") == MISMATCH
    # the right answer: VerifyAuthChallengeResponse says correct and DefineAuthChallenge issues tokens, still refused
    first = _custom(idp, client, "ghost@example.com")
    assert first["ChallengeParameters"]["USERNAME"] == stand_in  # the same stand-in for the same name
    assert _error(_answer, idp=idp, client=client, step=first, username="ghost@example.com",
                  answer=_code(live, stand_in)) == WRONG
    verify = _events(live, "VerifyAuthChallengeResponse", stand_in)[-1]
    assert verify["request"]["userNotFound"] is True and verify["request"]["userAttributes"] == {}
    assert verify["response"]["answerCorrect"] is True
    last = _events(live, "DefineAuthChallenge", stand_in)[-1]
    assert last["request"]["session"][-1]["challengeResult"] is True and last["response"]["issueTokens"] is True
    # wrong answers run the loop to the trigger's own failAuthentication, as for a user (USERNAME: the stand-in)
    step = _custom(idp, client, "ghost@example.com")
    for _ in range(2):
        step = _answer(idp, client, step, stand_in, "nope")
        assert step["ChallengeName"] == "CUSTOM_CHALLENGE"
    assert _error(_answer, idp=idp, client=client, step=step, username=stand_in, answer="nope") == WRONG
    # a LEGACY client says so at once and runs no trigger
    before = len(live.events("DefineAuthChallenge"))
    assert _error(idp.initiate_auth, ClientId=legacy, AuthFlow="CUSTOM_AUTH",
                  AuthParameters={"USERNAME": "ghost@example.com"}) == \
        ("UserNotFoundException", "User does not exist.", 400)
    assert len(live.events("DefineAuthChallenge")) == before


def test_a_user_on_the_strict_client_signs_in_as_before(live: LiveServer, idp: Any) -> None:
    pool, _, _ = make_pool(idp, triggers=CHALLENGE_TRIGGERS)
    client = _strict_client(idp, pool)
    make_user(idp, pool, "mia-known", attributes={"email": "mia@example.com"})
    first = _custom(idp, client, "mia-known")
    assert first["ChallengeParameters"]["USERNAME"] == "mia-known"
    ok = _answer(idp, client, first, "mia-known", _code(live, "mia-known"))
    assert ok["AuthenticationResult"]["IdToken"]
    for trigger in CHALLENGE_TRIGGERS:
        request = _events(live, trigger, "mia-known")[-1]["request"]
        assert request["userNotFound"] is False and request["userAttributes"]["email"] == "mia@example.com"


def test_a_challenge_answer_for_another_user_is_refused(live: LiveServer, idp: Any) -> None:
    pool, client, _ = make_pool(idp, triggers=CHALLENGE_TRIGGERS, AliasAttributes=["email", "preferred_username"],
                                UsernameConfiguration={"CaseSensitive": False})
    make_user(idp, pool, "nina", attributes={"email": "nina@example.com", "email_verified": "true",
                                             "preferred_username": "nini"})
    make_user(idp, pool, "noah")
    sub = next(a["Value"] for a in idp.admin_get_user(UserPoolId=pool, Username="nina")["UserAttributes"]
               if a["Name"] == "sub")
    first = _custom(idp, client, "nina")
    assert _error(_answer, idp=idp, client=client, step=first, username="noah",
                  answer=_code(live, "nina")) == MISMATCH
    for alias in ("nina", "NINA", "Nina@Example.com", "nini", sub):
        step = _custom(idp, client, "nina")
        assert _answer(idp, client, step, alias, _code(live, "nina"))["AuthenticationResult"]["AccessToken"], alias
    step = idp.admin_initiate_auth(UserPoolId=pool, ClientId=client, AuthFlow="CUSTOM_AUTH",
                                   AuthParameters={"USERNAME": "nina@example.com"})
    assert _error(idp.admin_respond_to_auth_challenge, UserPoolId=pool, ClientId=client,
                  ChallengeName="CUSTOM_CHALLENGE", Session=step["Session"],
                  ChallengeResponses={"USERNAME": "nobody-at-all", "ANSWER": _code(live, "nina")}) == MISMATCH


def test_a_password_verifier_for_another_user_is_refused(live: LiveServer, idp: Any) -> None:
    pool, client, _ = make_pool(idp, AliasAttributes=["email"])
    make_user(idp, pool, "olga", attributes={"email": "olga@example.com", "email_verified": "true"})
    make_user(idp, pool, "oscar")
    for username, expected in (("oscar", MISMATCH), ("olga@example.com", None)):
        srp = AWSSRP("olga", PASSWORD, pool, client, client=idp)
        challenge = idp.initiate_auth(ClientId=client, AuthFlow="USER_SRP_AUTH", AuthParameters=srp.get_auth_params())
        answer = {**srp.process_challenge(challenge["ChallengeParameters"], srp.get_auth_params()),
                  "USERNAME": username}
        if expected:
            assert _error(idp.respond_to_auth_challenge, ClientId=client, ChallengeName="PASSWORD_VERIFIER",
                          ChallengeResponses=answer) == expected
        else:
            done = idp.respond_to_auth_challenge(ClientId=client, ChallengeName="PASSWORD_VERIFIER",
                                                 ChallengeResponses=answer)
            assert done["AuthenticationResult"]["IdToken"]
